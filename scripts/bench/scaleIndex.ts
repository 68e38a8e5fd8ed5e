import { serveCassette } from "../replay/rpcReplay";
import type { ScaleCurve, ScaleSection } from "./support/benchRegistry";
import { benchCassette, type SyncRun, timedSync } from "./support/indexSync";

// scale.index.*: the cold backfill of index.* at 10k / 100k / 1M events (BENCH_SCALE_INDEX_EVENTS):
// our indexer on a fresh database per size, from the cached synthetic cassette of that size. What
// should stay flat (events/s) or grow at most linearly (memory, database size, time to /ready) is
// charted against the size on a log axis.

const SIZES = (process.env.BENCH_SCALE_INDEX_EVENTS ?? "10000,100000,1000000")
  .split(",")
  .map((s) => Number(s.trim()))
  .filter((n) => n > 0);

export const scaleIndexSection: ScaleSection = {
  key: "index",
  title: "Indexing as the history grows (cold backfill from a cassette, our indexer)",
  async run(ctx) {
    const runs: Array<{ size: number; run: SyncRun }> = [];
    for (const size of SIZES) {
      const file = await benchCassette(size, ctx.log);
      const server = await serveCassette(file, { log: ctx.log });
      const db = await ctx.freshDatabase(`scale_index_${size}`);
      try {
        ctx.log(`scale.index: ${size} events…`);
        const run = await timedSync({
          root: "indexer",
          rpcUrl: server.rpcUrl,
          chain: server.header.chain,
          head: BigInt(server.header.head),
          databaseUrl: db.url,
        });
        if (server.misses.length) throw new Error(`the ${size}-event cassette missed: ${server.misses[0]}`);
        ctx.log(
          `scale.index: ${run.events} events in ${run.seconds.toFixed(1)}s (${Math.round(run.eventsPerSec)}/s), ` +
            `peak RSS ${Math.round(run.peakRssMb)} MB, database ${Math.round(run.databaseMb)} MB`,
        );
        runs.push({ size: run.events, run });
      } finally {
        await db.drop();
        await server.stop();
      }
    }
    const curve = (key: string, title: string, unit: string, value: (r: SyncRun) => number): ScaleCurve => ({
      key: `scale.index.${key}`,
      title,
      sizeLabel: "events in the history",
      unit,
      points: runs.map(({ size, run }) => ({ size, value: Number(value(run).toFixed(1)) })),
    });
    return [
      curve("eventsPerSec", "Backfill speed, cold, from spawn", "events/s", (r) => r.eventsPerSec),
      curve(
        "backfillEventsPerSec",
        "Backfill speed, cold, without Ponder's boot",
        "events/s",
        (r) => r.events / r.backfillSeconds,
      ),
      curve("peakRssMb", "Peak memory of the indexer", "MB (VmHWM)", (r) => r.peakRssMb),
      curve("databaseMb", "Database size after the backfill", "MB", (r) => r.databaseMb),
      curve("readySeconds", "Time from start to /ready", "s", (r) => r.readySeconds),
    ];
  },
};
