import { deriveSeed } from "../../../devnet/prng";

// Fast vs full fault runs and seed plumbing. `npm test` runs a seeded subset of each scenario;
// `npm run test:faults` (FAULTS=full) runs every case. A case's inputs depend only on (SEED, suite,
// case index), never on the mode, so a case that fails in `npm test` fails the same way alone:
//   SEED=<seed> CASES=<i> npm run test:faults -- <suite>

export const FULL = process.env.FAULTS === "full";

/** The base seed: SEED from the environment, else fixed (so CI runs are reproducible). */
export const BASE_SEED = (() => {
  const raw = process.env.SEED;
  if (raw === undefined || raw === "") return 7_2024;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`SEED must be a non-negative integer, got "${raw}"`);
  return n;
})();

/** The case indexes to run: CASES=1,3 if given, else `full` or `fast` for the mode. */
export function selectCases(fast: readonly number[], full: readonly number[]): number[] {
  const raw = process.env.CASES;
  if (raw) return raw.split(",").map((s) => Number(s.trim()));
  return [...(FULL ? full : fast)];
}

export function caseSeed(suite: string, index: number): number {
  return deriveSeed(BASE_SEED, suite, index);
}

/** The one-line command that runs this case again on its own. */
export function reproduce(suite: string, index?: number): string {
  const cases = index === undefined ? "" : ` CASES=${index}`;
  return `SEED=${BASE_SEED}${cases} npm run test:faults -- ${suite}`;
}

/** Runs `fn`; on failure rethrows with the seed and the reproducing command in the message. */
export async function withRepro<T>(
  suite: string,
  index: number | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const line = `[${suite}${index === undefined ? "" : ` case ${index}`}] seed ${BASE_SEED}; reproduce: ${reproduce(suite, index)}`;
    process.stderr.write(`${line}\n`);
    if (error instanceof Error) {
      error.message = `${line}\n${error.message}`;
      throw error;
    }
    throw new Error(`${line}\n${String(error)}`);
  }
}
