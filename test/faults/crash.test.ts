import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cassetteChain, type PinnedChain, startPinnedAnvil } from "../../devnet/demoChain";
import { deployDimo } from "../../devnet/deploy";
import { rng } from "../../devnet/prng";
import type { CassetteChain } from "../../scripts/replay/cassette";
import { type StateDigest, stateDigest } from "../../scripts/replay/digest";
import { indexerEnv } from "../../scripts/replay/syncRun";
import { generateHistory, SYNTHETIC_SECONDS_PER_BLOCK } from "../../scripts/replay/syntheticHistory";
import { VIEWS_SCHEMA } from "../../scripts/runtime/deploymentSchema";
import { type IndexerProcess, type PonderLog, startIndexer } from "../../scripts/runtime/indexer";
import { releaseDeadIndexerLock } from "../../scripts/runtime/indexerLock";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { BASE_SEED, caseSeed, FULL, reproduce, withRepro } from "./support/seeds";

// SQD's kill-loop on our indexer: SIGKILL Ponder at seeded random moments of a backfill of a
// synthetic history, restart it on the SAME schema each time (Ponder's crash recovery), and the
// final state equals an uninterrupted run's, table by table.

const SUITE = "crash";
const KILLS = Number(process.env.KILLS ?? (FULL ? 10 : 2));
const EVENTS = FULL ? 40_000 : 10_000;

let pinned: PinnedChain;
let chain: CassetteChain;
let head: bigint;
const dbs: TestDatabase[] = [];

type Run = {
  indexer: IndexerProcess;
  /** Blocks this run backfills (after crash recovery: from its checkpoint on). */
  range: () => [number, number] | null;
  /** ms since spawn when Ponder began the backfill, and when /ready turned 200. */
  backfillAt: () => number | null;
  readyAt: () => number | null;
  recovered: () => boolean;
  spawnedAt: number;
};

async function spawn(databaseUrl: string, schema: string): Promise<Run> {
  const spawnedAt = performance.now();
  let backfillAt: number | null = null;
  let readyAt: number | null = null;
  let recovered = false;
  let range: [number, number] | null = null;
  const onLog = (e: PonderLog) => {
    const at = performance.now() - spawnedAt;
    if (e.msg === "Started backfill indexing" && backfillAt === null) {
      backfillAt = at;
      const m = /\[(\d+),(\d+)\]/.exec(String(e.block_range));
      if (m) range = [Number(m[1]), Number(m[2])];
    }
    if (e.msg === "Detected crash recovery") recovered = true;
    if (e.msg === "Started returning 200 responses" && e.endpoint === "/ready") readyAt = at;
  };
  const indexer = await startIndexer({
    env: indexerEnv(chain, pinned.rpcUrl, databaseUrl),
    schema,
    viewsSchema: VIEWS_SCHEMA,
    onLog,
  });
  return {
    indexer,
    spawnedAt,
    range: () => range,
    backfillAt: () => backfillAt,
    readyAt: () => readyAt,
    recovered: () => recovered,
  };
}

async function digestOf(url: string): Promise<StateDigest> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    return await stateDigest(pool);
  } finally {
    await pool.end();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freshDb(): Promise<TestDatabase> {
  const db = await createTestDatabase("crash");
  dbs.push(db);
  return db;
}

beforeAll(async () => {
  pinned = await startPinnedAnvil({
    secondsPerBlock: SYNTHETIC_SECONDS_PER_BLOCK,
    extraArgs: ["--gas-limit", "100000000000"],
  });
  const deployment = await deployDimo(pinned.rpcUrl);
  chain = cassetteChain(deployment);
  await generateHistory(pinned.rpcUrl, deployment, EVENTS);
  // 31 empty blocks: the whole history is final to Ponder (30 on chain 31337), i.e. backfilled.
  await fetch(pinned.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "anvil_mine", params: ["0x1f"] }),
  });
  const res = await fetch(pinned.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
  });
  head = BigInt(((await res.json()) as { result: string }).result);
}, 300_000);

afterAll(async () => {
  for (const db of dbs) await db.drop().catch(() => {});
  await pinned?.stop();
});

describe(`indexer crash recovery under kill -9 (seed ${BASE_SEED})`, () => {
  it(`${KILLS} SIGKILLs during a backfill of ~${EVENTS} events end in the uninterrupted state`, async () => {
    await withRepro(SUITE, undefined, async () => {
      // The uninterrupted run: its digest is the oracle, its backfill time scales the kill points.
      const baseDb = await freshDb();
      const base = await spawn(baseDb.url, "idx_crash_base");
      await base.indexer.waitForReady(300_000);
      await base.indexer.waitForBlock(head, 120_000);
      const backfillMs = (base.readyAt() ?? 0) - (base.backfillAt() ?? 0);
      await base.indexer.stop();
      const expected = await digestOf(baseDb.url);

      const r = rng(caseSeed(SUITE, 0));
      const db = await freshDb();
      const schema = "idx_crash";
      const kills: string[] = [];
      let midBackfill = 0;
      // Kill points: a seeded share of the backfill time still ahead of this run (its block range
      // after crash recovery, scaled by the uninterrupted run's time). Machine speed drifts during
      // a run, so a kill that came too late (after /ready) halves the window for the next ones.
      let window = Math.max(backfillMs, 500);
      const total = base.range();
      for (let k = 0; k < KILLS; k++) {
        const run = await spawn(db.url, schema);
        if (k > 0) expect(run.recovered() || (await waitFor(run.recovered, 30_000))).toBe(true);
        await waitFor(() => run.backfillAt() !== null || run.readyAt() !== null, 120_000);
        const mine = run.range();
        const share = total && mine ? (mine[1] - mine[0] + 1) / (total[1] - total[0] + 1) : 1;
        const delay = Math.round(r.next() * window * share);
        await sleep(delay);
        const ready = run.readyAt() !== null;
        if (ready) window /= 2;
        else midBackfill++;
        await run.indexer.stop("SIGKILL");
        await releaseDeadIndexerLock(db.url, schema, Date.now());
        kills.push(`${delay}ms${ready ? " (after ready)" : ""}`);
      }
      const final = await spawn(db.url, schema);
      await final.indexer.waitForReady(300_000);
      await final.indexer.waitForBlock(head, 120_000);
      await final.indexer.stop();
      const got = await digestOf(db.url);
      process.stdout.write(
        `[${SUITE}] ${KILLS} kills after backfill start: ${kills.join(", ")}; ${midBackfill} mid-backfill; ` +
          `uninterrupted backfill ${backfillMs.toFixed(0)} ms; digest ${got.sha256 === expected.sha256 ? "equal" : "DIFFERENT"} ` +
          `(${expected.tables.reduce((n, t) => n + t.rows, 0)} rows)\n`,
      );
      expect(got.tables, `digest differs; reproduce: ${reproduce(SUITE)}`).toEqual(expected.tables);
      expect(got.sha256).toBe(expected.sha256);
      expect(midBackfill, "no kill landed during the backfill").toBeGreaterThan(0);
    });
  }, 900_000);
});

async function waitFor(ok: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > until) return false;
    await sleep(20);
  }
  return true;
}
