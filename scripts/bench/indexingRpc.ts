import { POLYGON_RPC_DEFAULTS } from "../../config/rpc";
import { readCassette } from "../replay/cassette";
import { PUBLIC_POLYGON_RPC, type PublicRpcStats, startPublicRpc } from "../replay/publicRpc";
import { serveCassette } from "../replay/rpcReplay";
import { stretchCassette } from "../replay/stretch";
import type { BenchContext, BenchFigures } from "./support/benchRegistry";
import { BARE_ROOT, type SyncRun, timedSync } from "./support/indexSync";

// index.rpc.*: a real chain's shape through a real RPC's limits. The synthetic history (bursts of
// thousands of grant, privilege and signer events per block) is stretched over BENCH_INDEX_RPC_BLOCKS
// blocks, most of them empty, as DIMO's history is on Polygon (scripts/replay/stretch.ts), and served
// through a proxy with a free public Polygon RPC's limits: 50 ms per answer, 25 requests/s, eth_getLogs
// capped at 10,000 blocks (scripts/replay/publicRpc.ts). Our indexer and the bare app each sync it
// once on a fresh database with the settings Polygon gets (config/rpc.ts) and one rate-limit bucket,
// as for a remote RPC; the proxy counts what each asked for.

const BLOCKS = Number(process.env.BENCH_INDEX_RPC_BLOCKS ?? 5_000_000);

export const rpcDescribe: Record<string, string> = {
  "rpc.blocks": "blocks the history is spread over (BENCH_INDEX_RPC_BLOCKS)",
  "rpc.requests": "requests our indexer made that the proxy answered (all methods)",
  "rpc.bareRequests": "… the bare app",
  "rpc.requestsRatioToBare": "requests / bareRequests (goal ≤ 1.05: our handlers add no RPC work)",
  "rpc.rateLimited": "requests refused with 429 (25/s exceeded) and retried by Ponder, ours",
  "rpc.bareRateLimited": "… the bare app",
  "rpc.wallSeconds": "spawn → /ready and head indexed through the proxy, s",
  "rpc.bareWallSeconds": "… the bare app, s",
  "rpc.wallRatioToBare": "wallSeconds / bareWallSeconds (goal ≤ 1.05)",
  "rpc.eventsPerSec": "events / wallSeconds",
  "rpc.bareEventsPerSec": "… the bare app",
  "rpc.requestsPerSec": "answered requests / wallSeconds (the proxy allows 25)",
};

const total = (stats: PublicRpcStats) => Object.values(stats.byMethod).reduce((a, b) => a + b, 0);

export async function rpcBackfill(ctx: BenchContext, cassetteFile: string): Promise<BenchFigures> {
  const cassette = stretchCassette(await readCassette(cassetteFile), { blocks: BLOCKS });
  const replay = await serveCassette(cassette, { log: ctx.log });
  // What DIMO_NETWORK=polygon gets, on the cassette's chain, through one bucket like a remote URL.
  const env = {
    RPC_GET_LOGS_BLOCK_RANGE: String(POLYGON_RPC_DEFAULTS.getLogsBlockRange ?? "auto"),
    RPC_POLLING_INTERVAL_MS: String(POLYGON_RPC_DEFAULTS.pollingIntervalMs),
    RPC_LOOPBACK_BUCKETS: "1",
    ...(process.env.BENCH_INDEX_RPC_RANGE
      ? { RPC_GET_LOGS_BLOCK_RANGE: process.env.BENCH_INDEX_RPC_RANGE }
      : {}),
  };
  const sync = async (root: string): Promise<{ run: SyncRun; stats: PublicRpcStats }> => {
    const proxy = await startPublicRpc({ upstream: replay.rpcUrl, limits: PUBLIC_POLYGON_RPC });
    const db = await ctx.freshDatabase(root === BARE_ROOT ? "rpc_bare" : "rpc");
    try {
      const run = await timedSync({
        root,
        rpcUrl: proxy.rpcUrl,
        chain: cassette.header.chain,
        head: BigInt(cassette.header.head),
        databaseUrl: db.url,
        env,
      });
      ctx.log(
        `index.rpc: ${root} ${run.events} events in ${run.seconds.toFixed(1)}s, ${total(proxy.stats)} requests ` +
          `${JSON.stringify(proxy.stats.byMethod)}, ${proxy.stats.rateLimited} refused for the rate, ` +
          `${proxy.stats.rangeRefused} for the range`,
      );
      return { run, stats: proxy.stats };
    } finally {
      await db.drop();
      await proxy.stop();
    }
  };
  try {
    ctx.log(`index.rpc: the history stretched over ${BLOCKS} blocks, through a public-RPC-shaped proxy…`);
    const ours = await sync("indexer");
    const bare = await sync(BARE_ROOT);
    if (replay.misses.length) throw new Error(`the stretched cassette missed: ${replay.misses[0]}`);
    const round = (n: number, d = 0) => Number(n.toFixed(d));
    const figures: BenchFigures = {
      "index.rpc.blocks": BLOCKS,
      "index.rpc.requests": total(ours.stats),
      "index.rpc.bareRequests": total(bare.stats),
      "index.rpc.requestsRatioToBare": round(total(ours.stats) / total(bare.stats), 3),
      "index.rpc.rateLimited": ours.stats.rateLimited,
      "index.rpc.bareRateLimited": bare.stats.rateLimited,
      "index.rpc.wallSeconds": round(ours.run.seconds, 1),
      "index.rpc.bareWallSeconds": round(bare.run.seconds, 1),
      "index.rpc.wallRatioToBare": round(ours.run.seconds / bare.run.seconds, 3),
      "index.rpc.eventsPerSec": round(ours.run.eventsPerSec),
      "index.rpc.bareEventsPerSec": round(bare.run.eventsPerSec),
      "index.rpc.requestsPerSec": round(total(ours.stats) / ours.run.seconds, 1),
    };
    for (const [method, n] of Object.entries(ours.stats.byMethod))
      figures[`index.rpc.requestsByMethod.${method}`] = n;
    for (const [method, n] of Object.entries(bare.stats.byMethod))
      figures[`index.rpc.bareRequestsByMethod.${method}`] = n;
    return figures;
  } finally {
    await replay.stop();
  }
}
