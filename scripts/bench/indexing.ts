import fs from "node:fs";
import path from "node:path";
import { serveCassette } from "../replay/rpcReplay";
import type { indexerEnv } from "../replay/syncRun";
import { ROOT } from "../runtime/paths";
import { rpcBackfill, rpcDescribe } from "./indexingRpc";
import type { BenchContext, BenchFigures, BenchSection } from "./support/benchRegistry";
import { BARE_ROOT, benchCassette, dropAppSchemas, type SyncRun, timedSync } from "./support/indexSync";

// index.*: backfills of a synthetic history (default 100,000 events) replayed from a cached
// cassette (support/indexSync.ts), for our indexer and for a bare insert-only Ponder app
// (scripts/bench/bare-indexer) over the same cassette, each timed from spawning `ponder start` to
// /ready with every block indexed:
// - cold: a fresh database, so every log and block goes through Ponder's fetch into ponder_sync;
// - warm: the same database again with only the app's schemas dropped, so ponder_sync answers
//   everything and only handlers and writes are timed;
// - index.rpc.*: the history stretched over millions of blocks and served through a proxy with a
//   public Polygon RPC's latency, rate limit and eth_getLogs cap (indexingRpc.ts).

/** A cold sync on a fresh database, then a warm one on the same database with only `ponder_sync` kept. */
async function coldAndWarm(opts: {
  root: string;
  rpcUrl: string;
  chain: Parameters<typeof indexerEnv>[0];
  head: bigint;
  ctx: BenchContext;
}): Promise<{ cold: SyncRun; warm: SyncRun }> {
  const db = await opts.ctx.freshDatabase(opts.root === "indexer" ? "index" : "index_bare");
  try {
    const cold = await timedSync({ ...opts, databaseUrl: db.url });
    await dropAppSchemas(db.url);
    const warm = await timedSync({ ...opts, databaseUrl: db.url, env: profileEnv(opts.root) });
    return { cold, warm };
  } finally {
    await db.drop();
  }
}

/** BENCH_INDEX_PROFILE=<dir>: a V8 CPU profile of each warm sync of our indexer, written into <dir>. */
function profileEnv(root: string): Record<string, string> {
  const dir = process.env.BENCH_INDEX_PROFILE;
  if (!dir || root !== "indexer") return {};
  return { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.resolve(dir)}` };
}

const EVENTS = Number(process.env.BENCH_INDEX_EVENTS ?? 100_000);

export const indexSection: BenchSection = {
  key: "index",
  title:
    "Indexer backfill (synthetic history replayed from a cassette; cold, warm, and through a public-RPC-shaped proxy)",
  describe: {
    events: "events indexed (synthetic history, every kind in realistic proportions)",
    seconds:
      "cold: spawn of `ponder start` → /ready and head indexed, s (best of BENCH_INDEX_ROUNDS, default 2)",
    eventsPerSec: "events / seconds, cold (fresh database: every log and block fetched)",
    cpuSeconds: "Ponder process CPU time, s (what the run cost, however busy the machine)",
    bareSeconds: "the same for a bare insert-only Ponder app, s",
    bareEventsPerSec: "… events / s",
    bareCpuSeconds: "… CPU time, s",
    ratioToBare: "eventsPerSec / bareEventsPerSec, cold (goal ≥ 0.9)",
    cpuRatioToBare: "bareCpuSeconds / cpuSeconds",
    peakRssMb: "peak resident memory of our Ponder process (VmHWM), cold, MB",
    barePeakRssMb: "… of the bare app, MB",
    peakRssRatioToBare: "peakRssMb / barePeakRssMb (goal ≤ 1.2)",
    "warm.seconds":
      "warm: the same database again, app schema dropped, ponder_sync kept (handlers and writes only), s",
    "warm.eventsPerSec": "events / s, warm",
    "warm.bareEventsPerSec": "… of the bare app",
    "warm.ratioToBare": "warm.eventsPerSec / warm.bareEventsPerSec (goal ≥ 0.7)",
    "warm.cpuSeconds": "Ponder process CPU time of the warm run, s",
    "warm.bareCpuSeconds": "… of the bare app, s",
    ...rpcDescribe,
  },
  run: (ctx) => indexBench(ctx, EVENTS),
};

async function indexBench(ctx: BenchContext, events: number): Promise<BenchFigures> {
  const cassette = await benchCassette(events, ctx.log);
  let figures: BenchFigures;
  try {
    figures = await runBoth(ctx, cassette);
  } catch (error) {
    if (!(error instanceof CassetteMiss)) throw error;
    ctx.log("index: the cassette does not cover what the indexer asks for now; regenerating it");
    fs.rmSync(cassette);
    return indexBench(ctx, events);
  }
  return { ...figures, ...(await rpcBackfill(ctx, cassette)) };
}

class CassetteMiss extends Error {}

type Pair = { cold: SyncRun; warm: SyncRun };

async function runBoth(ctx: BenchContext, cassette: string): Promise<BenchFigures> {
  const server = await serveCassette(cassette, { log: ctx.log });
  try {
    const base = { rpcUrl: server.rpcUrl, chain: server.header.chain, head: BigInt(server.header.head), ctx };
    const run = async (root: string) => {
      try {
        return await coldAndWarm({ ...base, root });
      } catch (error) {
        if (server.misses.length) throw new CassetteMiss(server.misses[0]);
        throw error;
      }
    };
    // Alternating rounds, best of each: a busy machine slows whichever run it happens to hit.
    const rounds = Math.max(1, Number(process.env.BENCH_INDEX_ROUNDS ?? 2));
    const runs: Record<"ours" | "bare", Pair[]> = { ours: [], bare: [] };
    const say = (who: string, p: Pair) =>
      ctx.log(
        `index: ${who} ${p.cold.events} events cold in ${p.cold.seconds.toFixed(1)}s (${p.cold.cpuSeconds.toFixed(1)}s CPU), ` +
          `warm in ${p.warm.seconds.toFixed(1)}s (${p.warm.cpuSeconds.toFixed(1)}s CPU)`,
      );
    for (let r = 1; r <= rounds; r++) {
      ctx.log(`index: round ${r}/${rounds}, our indexer over ${path.relative(ROOT, cassette)}…`);
      runs.ours.push(await run("indexer"));
      say("ours", runs.ours.at(-1)!);
      runs.bare.push(await run(BARE_ROOT));
      say("bare", runs.bare.at(-1)!);
    }
    if (server.misses.length) throw new CassetteMiss(server.misses[0]);
    const best = (list: Pair[], kind: keyof Pair) =>
      list.map((p) => p[kind]).reduce((a, b) => (a.seconds <= b.seconds ? a : b));
    const ours = best(runs.ours, "cold");
    const bare = best(runs.bare, "cold");
    const oursWarm = best(runs.ours, "warm");
    const bareWarm = best(runs.bare, "warm");
    const spread = (list: Pair[], kind: keyof Pair) => list.map((p) => p[kind].seconds.toFixed(1)).join("/");
    ctx.log(
      `index: seconds per round — ours cold ${spread(runs.ours, "cold")}, bare cold ${spread(runs.bare, "cold")}, ` +
        `ours warm ${spread(runs.ours, "warm")}, bare warm ${spread(runs.bare, "warm")}`,
    );
    const round = (n: number, d = 0) => Number(n.toFixed(d));
    return {
      "index.events": ours.events,
      "index.seconds": round(ours.seconds, 2),
      "index.eventsPerSec": round(ours.eventsPerSec),
      "index.cpuSeconds": round(ours.cpuSeconds, 2),
      "index.bareSeconds": round(bare.seconds, 2),
      "index.bareEventsPerSec": round(bare.eventsPerSec),
      "index.bareCpuSeconds": round(bare.cpuSeconds, 2),
      "index.ratioToBare": round(ours.eventsPerSec / bare.eventsPerSec, 3),
      "index.cpuRatioToBare": round(bare.cpuSeconds / ours.cpuSeconds, 3),
      "index.peakRssMb": round(ours.peakRssMb),
      "index.barePeakRssMb": round(bare.peakRssMb),
      "index.peakRssRatioToBare": round(ours.peakRssMb / bare.peakRssMb, 3),
      "index.warm.seconds": round(oursWarm.seconds, 2),
      "index.warm.eventsPerSec": round(oursWarm.eventsPerSec),
      "index.warm.bareEventsPerSec": round(bareWarm.eventsPerSec),
      "index.warm.ratioToBare": round(oursWarm.eventsPerSec / bareWarm.eventsPerSec, 3),
      "index.warm.cpuSeconds": round(oursWarm.cpuSeconds, 2),
      "index.warm.bareCpuSeconds": round(bareWarm.cpuSeconds, 2),
    };
  } finally {
    await server.stop();
  }
}
