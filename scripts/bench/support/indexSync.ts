import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { indexerEnv } from "../../replay/syncRun";
import { generateSyntheticCassette } from "../../replay/syntheticHistory";
import { VIEWS_SCHEMA } from "../../runtime/deploymentSchema";
import { type PonderLog, startIndexer } from "../../runtime/indexer";
import { ROOT } from "../../runtime/paths";

// What the indexing figures share (index.*, index.rpc.*, scale.index.*): the cached synthetic
// cassettes and one timed Ponder sync with its CPU time, peak memory and database size.
// A cassette is cached under .tmp/bench/, keyed by size and the sources that shape it, so reruns skip
// the generation. The indexer's registered events decide which logs a sync asks for; if they change,
// the replay misses and the cassette is regenerated once.

const SHAPING_SOURCES = [
  "devnet/contracts/HistoryGenerator.sol",
  "devnet/contracts/artifacts.ts",
  "scripts/replay/syntheticHistory.ts",
  "devnet/demoChain.ts",
  "scripts/replay/rpcRecorder.ts",
  "abis",
];

function sourcesHash(): string {
  const hash = createHash("sha256");
  const add = (rel: string) => {
    const abs = path.join(ROOT, rel);
    if (fs.statSync(abs).isDirectory()) {
      for (const f of fs.readdirSync(abs).sort()) add(path.join(rel, f));
    } else {
      hash.update(rel).update(fs.readFileSync(abs));
    }
  };
  for (const s of SHAPING_SOURCES) add(s);
  return hash.digest("hex").slice(0, 12);
}

/** The cached synthetic cassette for `events`, generated (and recorded) on first use. */
export async function benchCassette(events: number, log: (line: string) => void): Promise<string> {
  const file = path.join(ROOT, ".tmp/bench", `synthetic-${events}-${sourcesHash()}.cassette.ndjson.gz`);
  if (fs.existsSync(file)) return file;
  log(`generating a synthetic history of ~${events} events (cached as ${path.relative(ROOT, file)})…`);
  await generateSyntheticCassette({
    events,
    out: file,
    databaseServerUrl: process.env.DATABASE_URL ?? null,
    log,
  });
  return file;
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
}

/** Peak resident set of a process (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

export type SyncRun = {
  /** Spawn of `ponder start` → /ready with the head indexed, s. */
  seconds: number;
  /** Spawn → /ready (the backfill done), s. */
  readySeconds: number;
  /** Ponder's "Started backfill indexing" → head indexed, s: the run without Ponder's boot. */
  backfillSeconds: number;
  events: number;
  eventsPerSec: number;
  /** Ponder's own CPU time: what the run cost, however busy the machine was. */
  cpuSeconds: number;
  peakRssMb: number;
  /** The whole database (ponder_sync, tables, indexes) once the head is indexed, MB. */
  databaseMb: number;
};

export const BARE_ROOT = "scripts/bench/bare-indexer";
const APP_SCHEMA = "idx_bench";

/**
 * One timed sync of the Ponder app at `root` (our indexer or the bare app) on `databaseUrl`, from
 * the RPC at `rpcUrl`, until /ready and the head indexed; the process is stopped after it.
 */
export async function timedSync(opts: {
  root: string;
  rpcUrl: string;
  chain: Parameters<typeof indexerEnv>[0];
  head: bigint;
  databaseUrl: string;
  /** More environment for the indexer (RPC_* settings, NODE_OPTIONS for a profile). */
  env?: Record<string, string>;
}): Promise<SyncRun> {
  let events = 0;
  let backfillStart: number | null = null;
  const onLog = (e: PonderLog) => {
    if (e.msg === "Started backfill indexing") backfillStart ??= performance.now();
    if ((e.msg === "Indexed block range" || e.msg === "Indexed block") && typeof e.event_count === "number") {
      events += e.event_count;
    }
  };
  const t0 = performance.now();
  const indexer = await startIndexer({
    env: { ...indexerEnv(opts.chain, opts.rpcUrl, opts.databaseUrl), ...opts.env },
    schema: APP_SCHEMA,
    viewsSchema: VIEWS_SCHEMA,
    root: opts.root,
    onLog,
    startTimeoutMs: 120_000,
  });
  let run: Omit<SyncRun, "databaseMb">;
  try {
    await indexer.waitForReady(30 * 60_000);
    const readySeconds = (performance.now() - t0) / 1000;
    await indexer.waitForBlock(opts.head, 10 * 60_000);
    const seconds = (performance.now() - t0) / 1000;
    const backfillSeconds = (performance.now() - (backfillStart ?? t0)) / 1000;
    const pid = indexer.child.pid!;
    run = {
      seconds,
      readySeconds,
      backfillSeconds,
      events,
      eventsPerSec: events / seconds,
      cpuSeconds: cpuSeconds(pid),
      peakRssMb: peakRssMb(pid),
    };
  } finally {
    await indexer.stop();
  }
  return { ...run, databaseMb: await withClient(opts.databaseUrl, databaseMb) };
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const databaseMb = async (c: pg.Client) =>
  Number((await c.query("SELECT pg_database_size(current_database()) AS b")).rows[0].b) / 2 ** 20;

/**
 * Drops what the app wrote (its schema and the views over it) and keeps Ponder's raw-data cache
 * (`ponder_sync`): the next sync on this database fetches nothing and times handlers and writes.
 */
export async function dropAppSchemas(url: string): Promise<void> {
  await withClient(url, async (c) => {
    await c.query(`DROP SCHEMA IF EXISTS "${APP_SCHEMA}" CASCADE`);
    await c.query(`DROP SCHEMA IF EXISTS "${VIEWS_SCHEMA}" CASCADE`);
  });
}
