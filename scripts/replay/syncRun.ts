import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { VIEWS_SCHEMA } from "../runtime/deploymentSchema";
import { startEmbeddedPostgres } from "../runtime/embeddedPostgres";
import { type IndexerProcess, type PonderLog, startIndexer } from "../runtime/indexer";
import type { CassetteChain } from "./cassette";

// One indexer sync on a fresh database: what record, replay, tests and benchmarks all need.
// Fresh matters — Ponder caches raw chain data per database (ponder_sync) and would otherwise
// serve an earlier chain's blocks, and a benchmark would measure a warm cache.

export type FreshDatabase = { url: string; drop(): Promise<void> };

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A new, empty database: on the server of `serverUrl` when given (created and dropped here), else
 * on a throwaway embedded Postgres in a temporary folder.
 */
export async function freshDatabase(serverUrl?: string | null, prefix = "sync"): Promise<FreshDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = async (url: string, sql: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  if (serverUrl) {
    await admin(serverUrl, `CREATE DATABASE "${name}"`);
    return {
      url: withDatabase(serverUrl, name),
      drop: () => admin(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dimo-pg-"));
  fs.chmodSync(dir, 0o755); // embedded Postgres runs as the `postgres` user when we are root
  const server = await startEmbeddedPostgres({ dir: path.join(dir, "pg") });
  await server.createDatabase(name);
  return {
    url: server.url(name),
    drop: async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The environment that points the indexer (config/) at a deployment through `rpcUrl`. */
export function indexerEnv(
  chain: CassetteChain,
  rpcUrl: string,
  databaseUrl: string,
): Record<string, string> {
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    DIMO_NETWORK: chain.network,
    RPC_URL: rpcUrl,
    CHAIN_ID: String(chain.chainId),
    DEV_LICENSE_ADDRESS: chain.devLicense,
    VEHICLE_ID_ADDRESS: chain.vehicleId,
    SACD_ADDRESS: chain.sacd,
    START_BLOCK: String(chain.startBlock),
  };
  if (chain.dimoToken) env.DIMO_TOKEN_ADDRESS = chain.dimoToken;
  if (chain.dimoCredit) env.DCX_ADDRESS = chain.dimoCredit;
  for (const k of ["PATH", "HOME", "TMPDIR", "LANG", "PONDER_LOG_LEVEL"])
    if (process.env[k]) env[k] = process.env[k]!;
  return env;
}

export type SyncedIndexer = {
  indexer: IndexerProcess;
  /** ms from spawn to Ponder's /ready, and to the head being indexed. */
  readyMs: number;
  syncedMs: number;
  pool: pg.Pool;
  /** Stops Ponder and closes the pool (the database stays). */
  stop(): Promise<void>;
};

/**
 * Starts `ponder start` on `databaseUrl` against `rpcUrl` and waits until the backfill is done
 * (/ready) and every block up to `head` is indexed (the last 30 blocks of a local chain are not
 * final to Ponder and come through its realtime sync after /ready).
 */
export async function syncIndexer(opts: {
  chain: CassetteChain;
  rpcUrl: string;
  databaseUrl: string;
  head: bigint;
  schema?: string;
  onLog?: (entry: PonderLog) => void;
  onProgress?: (block: bigint | null) => void;
  timeoutMs?: number;
}): Promise<SyncedIndexer> {
  const t0 = performance.now();
  const indexer = await startIndexer({
    env: indexerEnv(opts.chain, opts.rpcUrl, opts.databaseUrl),
    schema: opts.schema ?? "idx_sync",
    viewsSchema: VIEWS_SCHEMA,
    ...(opts.onLog ? { onLog: opts.onLog } : {}),
    startTimeoutMs: 120_000,
  });
  const timeoutMs = opts.timeoutMs ?? 30 * 60_000;
  const ticker = opts.onProgress
    ? setInterval(() => {
        indexer.indexedBlock().then(opts.onProgress, () => opts.onProgress?.(null));
      }, 1_000)
    : undefined;
  try {
    await indexer.waitForReady(timeoutMs);
    const readyMs = performance.now() - t0;
    await indexer.waitForBlock(opts.head, timeoutMs);
    const syncedMs = performance.now() - t0;
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 4 });
    return {
      indexer,
      readyMs,
      syncedMs,
      pool,
      stop: async () => {
        await pool.end();
        await indexer.stop();
      },
    };
  } catch (error) {
    await indexer.stop();
    throw error;
  } finally {
    if (ticker) clearInterval(ticker);
  }
}
