import { createHash } from "node:crypto";

// Seeded randomness for fault tests: the same seed must give the same run, or a failing seed could
// not be replayed. Math.random is never used where a seed is promised.

/** A uniform number in [0, 1) that depends only on `parts` (order-independent of other calls). */
export function hashUnit(...parts: Array<string | number | bigint>): number {
  const digest = createHash("sha256").update(parts.join("\u0000")).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** A 32-bit seed derived from a base seed and a label (one stream per case, per purpose). */
export function deriveSeed(seed: number, ...labels: Array<string | number>): number {
  return Math.floor(hashUnit(seed, ...labels) * 2 ** 32) >>> 0;
}

export type Rng = {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
};

/** mulberry32: tiny, fast, and good enough to choose test inputs. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error("pick from an empty list");
      return items[Math.floor(next() * items.length)]!;
    },
  };
}
