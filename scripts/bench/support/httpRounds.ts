import type { BenchFigures } from "./benchRegistry";
import { runWrk, type WrkResult, type WrkTarget } from "./wrk";

// Every HTTP figure: wrk in its own process, a warm-up per target, then ROUNDS measured runs with
// the targets interleaved (a slow moment of the machine hits every target alike) and a pause after
// each run (a slow server still finishes the requests wrk left in flight, and its queries would
// run into the next target's time); a figure is the median of its runs, printed with the spread
// (min–max) as `<key>Min` / `<key>Max`.

export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SETTLE_MS = 2_000;
const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

export type HttpTarget = { name: string; url: string; target: WrkTarget };

export type RoundOptions = {
  connections: number;
  seconds: number;
  warmupSeconds?: number;
  log(line: string): void;
  /** Called around each measured run of each target (CPU accounting). */
  around?: (name: string) => Promise<{ end(result: WrkResult): Promise<void> } | undefined>;
};

/** Runs of each target by name, ROUNDS each, after a warm-up; any failed answer throws. */
export async function measureRounds(
  targets: HttpTarget[],
  o: RoundOptions,
): Promise<Record<string, WrkResult[]>> {
  const runs: Record<string, WrkResult[]> = {};
  const opts = { connections: o.connections, seconds: o.seconds };
  for (const t of targets) {
    o.log(`warm-up ${t.name} (${o.warmupSeconds ?? 2} s)…`);
    checked(t.name, await runWrk(t.target, { ...t, ...opts, seconds: o.warmupSeconds ?? 2 }));
    await settle();
  }
  for (let round = 1; round <= ROUNDS; round++) {
    for (const t of targets) {
      const probe = await o.around?.(t.name);
      const r = checked(t.name, await runWrk(t.target, { ...t, ...opts }));
      await probe?.end(r);
      o.log(
        `round ${round}/${ROUNDS} ${t.name}: ${Math.round(r.rps)} req/s, p50 ${r.p50Ms} / p99 ${r.p99Ms} ms`,
      );
      runs[t.name] = [...(runs[t.name] ?? []), r];
      await settle();
    }
  }
  return runs;
}

function checked(name: string, r: WrkResult): WrkResult {
  if (r.errors || r.non2xx || r.requests === 0)
    throw new Error(`${name}: failed answers under load: ${JSON.stringify(r)}`);
  return r;
}

export type Spread = { median: number; min: number; max: number };

export function spread(xs: number[]): Spread {
  if (xs.length === 0) throw new Error("spread of no samples");
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return { median: s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2, min: s[0]!, max: s[s.length - 1]! };
}

export const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;

/** `key` = the median, `keyMin` / `keyMax` = the spread. */
export function withSpread(key: string, xs: number[], digits = 0): BenchFigures {
  const s = spread(xs);
  return {
    [key]: round(s.median, digits),
    [`${key}Min`]: round(s.min, digits),
    [`${key}Max`]: round(s.max, digits),
  };
}

/** rps, p50 and p99 of a target's runs, each with its spread. */
export function httpFigures(prefix: string, runs: WrkResult[]): BenchFigures {
  return {
    ...withSpread(
      `${prefix}.rps`,
      runs.map((r) => r.rps),
    ),
    ...withSpread(
      `${prefix}.p50Ms`,
      runs.map((r) => r.p50Ms),
      2,
    ),
    ...withSpread(
      `${prefix}.p99Ms`,
      runs.map((r) => r.p99Ms),
      2,
    ),
  };
}

/** Per-round ratio a/b of rps (same round, same machine moment): median and spread. */
export function ratioFigures(key: string, a: WrkResult[], b: WrkResult[]): BenchFigures {
  return withSpread(
    key,
    a.map((r, i) => r.rps / b[i]!.rps),
    3,
  );
}
