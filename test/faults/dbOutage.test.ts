import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyStep, randomStep, spreadHistory, type World } from "../../devnet/activity";
import { type AnvilInstance, startAnvil } from "../../devnet/anvil";
import { cassetteChain } from "../../devnet/demoChain";
import { deployDimo } from "../../devnet/deploy";
import { rng } from "../../devnet/prng";
import { createChain, type ScenarioChain } from "../../devnet/scenario";
import { stateDigest } from "../../scripts/replay/digest";
import { indexerEnv } from "../../scripts/replay/syncRun";
import { type EmbeddedPg, startEmbeddedPostgres } from "../../scripts/runtime/embeddedPostgres";
import { type IndexerProcess, startIndexer } from "../../scripts/runtime/indexer";
import { releaseDeadIndexerLock } from "../../scripts/runtime/indexerLock";
import { freePort } from "../../scripts/runtime/ports";
import { onRunning, type Supervisor, superviseIndexer } from "../../scripts/runtime/supervisor";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { type LiveApi, startLiveApi } from "./support/api";
import { BASE_SEED, caseSeed, selectCases, withRepro } from "./support/seeds";

// Postgres stopped and restarted under a running system (its own embedded cluster, never the
// suite's shared server): meanwhile the API answers every data route with 503 and the error envelope,
// quickly, never a 500; when Postgres is back on the same port the API recovers by itself, the
// indexer resumes — through the same supervisor `npm start` uses when Ponder gives up and exits —
// and the final state equals that of an indexer that never saw the outage.

const SUITE = "dbOutage";

type Case = { name: string; outageMs: number; killIndexer: boolean };
const CASES: Case[] = [
  { name: "short outage, Ponder retries through it", outageMs: 6_000, killIndexer: false },
  { name: "short outage, indexer killed during it", outageMs: 6_000, killIndexer: true },
  // Ponder gives up after ~64 s of failed retries and exits: the supervisor must bring it back.
  { name: "long outage, Ponder exits on its own", outageMs: 80_000, killIndexer: false },
];
const cases = selectCases([1], [0, 1, 2]);

/** No answer may take longer than this, outage or not (the pool's connect timeout is 5 s). */
const BOUND_MS = 8_000;
const DATA_ROUTES = ["/v1/licenses?status=all", "/v1/stats", "/v1/licenses/1", "/v1/vehicles/1", "/status"];

let dir: string;
let server: EmbeddedPg;
let databaseUrl: string;
let anvil: AnvilInstance;
let chain: ScenarioChain;
let world: World;
let env: Record<string, string>;
let api: LiveApi;
let supervisor: Supervisor;
let heldLock = false;
const schema = "idx_outage";
/** An indexer that never sees an outage, on the suite's shared Postgres, following the same chain. */
let clean: { indexer: IndexerProcess; db: TestDatabase };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "dimo-outage-"));
  fs.chmodSync(dir, 0o755); // Postgres runs as `postgres` when we are root
  server = await startEmbeddedPostgres({ dir: path.join(dir, "pg") });
  await server.createDatabase("outage");
  databaseUrl = server.url("outage");
  anvil = await startAnvil();
  const deployment = await deployDimo(anvil.rpcUrl);
  chain = createChain(anvil.rpcUrl, deployment);
  ({ world } = await spreadHistory(chain, { seed: caseSeed(SUITE, -1), txs: 8, maxGap: 2 }));
  env = indexerEnv(cassetteChain(deployment), anvil.rpcUrl, databaseUrl);
  const cleanDb = await createTestDatabase("outage_clean");
  const cleanIndexer = startIndexer({
    env: indexerEnv(cassetteChain(deployment), anvil.rpcUrl, cleanDb.url),
    schema: "idx_clean",
    viewsSchema: "dimo",
  });
  const port = await freePort();
  supervisor = await superviseIndexer({
    start: () =>
      startIndexer({
        env,
        schema,
        viewsSchema: "dimo",
        port,
        onLog: (e) => {
          if (["Detected crash recovery", "Created database tables"].includes(e.msg)) heldLock = true;
        },
      }),
    beforeRestart: async ({ diedAt }) => {
      if (heldLock && (await releaseDeadIndexerLock(databaseUrl, schema, diedAt))) heldLock = false;
    },
    initialBackoffMs: 250,
    maxBackoffMs: 2_000,
  });
  clean = { indexer: await cleanIndexer, db: cleanDb };
  await onRunning(supervisor, (p) => p.waitForReady(180_000));
  await onRunning(supervisor, async (p) => p.waitForBlock(await chain.blockNumber(), 60_000));
  api = await startLiveApi({ env, databaseUrl, rpcUrl: anvil.rpcUrl });
}, 300_000);

afterAll(async () => {
  await clean?.indexer.stop();
  await clean?.db.drop();
  await api?.stop();
  await supervisor?.stop();
  await server?.stop();
  await anvil?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function digestOf(url: string) {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    return await stateDigest(pool);
  } finally {
    await pool.end();
  }
}

type Answer = { at: number; path: string; status: number; code: string | null; ms: number };

/** Requests every route in turn until stopped; a request that fails outright is recorded as status 0. */
function pollApi(paths: string[]) {
  const answers: Answer[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const p = paths[i % paths.length]!;
      const at = Date.now();
      try {
        const res = await api.get(p, BOUND_MS + 5_000);
        const code = (res.body as { error?: { code?: unknown } })?.error?.code;
        answers.push({
          at,
          path: p,
          status: res.status,
          code: typeof code === "string" ? code : null,
          ms: res.ms,
        });
      } catch {
        answers.push({ at, path: p, status: 0, code: null, ms: Date.now() - at });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    answers,
    async stop() {
      running = false;
      await loop;
    },
  };
}

describe(`database outage (seed ${BASE_SEED})`, () => {
  it.each(cases)(
    "case %i: 503 envelope meanwhile, recovery by itself, nothing lost",
    async (index) => {
      const c = CASES[index]!;
      await withRepro(SUITE, index, async () => {
        const r = rng(caseSeed(SUITE, index));
        const exitsBefore = supervisor.exits;
        const poller = pollApi([...DATA_ROUTES, "/health", "/ready"]);
        await new Promise((res) => setTimeout(res, 500));

        await server.stop();
        const down = Date.now();
        // The chain moves on while the database is away: the indexer must catch up afterwards.
        const txs = (async () => {
          for (let i = 0; i < 3; i++) {
            await applyStep(chain, world, randomStep(r, world, await chain.now()));
            await new Promise((res) => setTimeout(res, c.outageMs / 4));
          }
        })();
        if (c.killIndexer) {
          await new Promise((res) => setTimeout(res, 1_000));
          await supervisor.current()?.stop("SIGKILL");
        }
        await txs;
        await new Promise((res) => setTimeout(res, Math.max(0, c.outageMs - (Date.now() - down))));
        // "During" ends as the restart begins: Postgres serves before startEmbeddedPostgres returns.
        const restarting = Date.now();
        server = await startEmbeddedPostgres({ dir: path.join(dir, "pg"), port: server.port });
        const back = Date.now();

        // The API recovers by itself: no restart, no request of ours but the polling.
        let recoveredAt: number | null = null;
        while (recoveredAt === null && Date.now() - back < 30_000) {
          const hit = poller.answers.find(
            (a) => a.at > back && a.path === DATA_ROUTES[0] && a.status === 200,
          );
          if (hit) recoveredAt = hit.at;
          else await new Promise((res) => setTimeout(res, 100));
        }
        const head = await chain.blockNumber();
        await onRunning(supervisor, (p) => p.waitForBlock(head, 180_000));
        await poller.stop();

        const during = poller.answers.filter((a) => a.at > down + 200 && a.at + a.ms < restarting);
        const data = during.filter((a) => DATA_ROUTES.includes(a.path));
        const slow = poller.answers.filter((a) => a.ms > BOUND_MS || a.status === 0);
        const fivehundred = poller.answers.filter((a) => a.status >= 500 && a.status !== 503);
        process.stdout.write(
          `[${SUITE}] case ${index} (${c.name}): down ${back - down} ms, ${during.length} answers meanwhile ` +
            `(${data.filter((a) => a.status === 503).length}/${data.length} data answers 503 unavailable), ` +
            `max ${Math.max(...poller.answers.map((a) => a.ms)).toFixed(0)} ms, API back ${recoveredAt ? recoveredAt - back : "never"} ms after Postgres, ` +
            `indexer exits ${supervisor.exits - exitsBefore}\n`,
        );
        expect(fivehundred, "5xx other than 503").toEqual([]);
        expect(slow, `answers slower than ${BOUND_MS} ms or failed`).toEqual([]);
        expect(data.length).toBeGreaterThan(0);
        for (const a of data)
          expect(a, "a data route during the outage").toMatchObject({ status: 503, code: "unavailable" });
        for (const a of during.filter((x) => x.path === "/ready")) expect(a.status).toBe(503);
        for (const a of poller.answers.filter((x) => x.path === "/health")) expect(a.status).toBe(200);
        expect(recoveredAt, "the API did not recover within 30 s of Postgres").not.toBeNull();
        if (c.killIndexer || c.outageMs > 70_000) expect(supervisor.exits).toBeGreaterThan(exitsBefore);

        await clean.indexer.waitForBlock(head, 120_000);
        const [got, expected] = await Promise.all([digestOf(databaseUrl), digestOf(clean.db.url)]);
        expect(got.tables).toEqual(expected.tables);
        expect(got.sha256).toBe(expected.sha256);
      });
    },
    600_000,
  );
});
