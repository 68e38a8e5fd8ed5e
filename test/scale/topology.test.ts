import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import pino from "pino";
import type { Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi } from "../../api/server";
import { decodeCheckpoint } from "../../api/services/system/indexerStatus";
import { loadConfig } from "../../config/env";
import { type AnvilInstance, startAnvil } from "../../devnet/anvil";
import { cassetteChain } from "../../devnet/demoChain";
import { type Deployment, deployDimo } from "../../devnet/deploy";
import { createChain, DEV_ACCOUNTS, type ScenarioChain } from "../../devnet/scenario";
import { Client } from "../../scripts/lib/consoleClient";
import { indexerEnv } from "../../scripts/replay/syncRun";
import {
  type AppRoles,
  embeddedAppRoles,
  provisionAppRoles,
  withLogin,
} from "../../scripts/runtime/databaseRoles";
import { freePort } from "../../scripts/runtime/ports";
import { servedSchema } from "../../scripts/runtime/views";
import { type ApiProcess, spawnApi } from "../faults/support/apiProcess";
import { type Replicated, startReplicated } from "../support/standby";
import { eventually, type IndexerRoleProcess, readLoad, spawnIndexerRole, type Tally } from "./support";

// Beyond one machine (docs/deploy.md), for real: a primary and a hot standby streaming from it, one
// indexer (`npm run start:indexer`), two API processes (`npm run start:api`) reading public data from
// the standby. Login and operations cross replicas; access decisions stay on the primary while the
// standby lags; an operation is `indexed` only once the standby shows it; the standby stops under
// load and comes back; and a second indexer version takes over under load, with every request
// counted. Standby lag is sampled from /status throughout and printed at the end.

const [, OWNER, , SIGNER, SIGNER_2] = DEV_ACCOUNTS as typeof DEV_ACCOUNTS &
  Record<number, (typeof DEV_ACCOUNTS)[number]>;
const API_SECRET = "scale-tests-secret-0123456789abcdef0123456789";
const WALLET_KEY = "ab".repeat(32);

let root: string;
let dataDir: string;
let topo: Replicated;
let anvil: AnvilInstance;
let deployment: Deployment;
let chain: ScenarioChain;
let primary: pg.Pool;
let indexer: IndexerRoleProcess;
let a: ApiProcess;
let b: ApiProcess;
let apiEnv: Record<string, string>;
let baseEnv: Record<string, string>;
let tokenId: bigint;
let clientId: Address;

/** /status lag samples of replica A, by phase. */
const lag: Record<string, number[]> = {};
let phase = "start";
let sampler: NodeJS.Timeout | undefined;
const counts: Record<string, Tally> = {};

/** Each part logs in as its own role, as npm start and docs/security.md set them up. */
let roles: AppRoles;
const standbyUrl = () => topo.standby.url("dimo");
const asApi = (url: string) => withLogin(url, roles.api);
const asIndexer = (url: string) => withLogin(url, roles.indexer);

async function indexedBlock(pool: pg.Pool): Promise<bigint> {
  const { rows } = await pool.query<{ latest_checkpoint: string }>(
    "SELECT latest_checkpoint FROM dimo._ponder_checkpoint",
  );
  let best = -1n;
  for (const r of rows) {
    const block = decodeCheckpoint(r.latest_checkpoint)?.blockNumber ?? -1n;
    if (block > best) best = block;
  }
  return best;
}

/** Until the primary's views show the chain's current head. */
async function synced(): Promise<bigint> {
  const head = await chain.blockNumber();
  await eventually(`primary indexed block ${head}`, async () =>
    (await indexedBlock(primary)) >= head ? true : undefined,
  );
  return head;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back.
async function json(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const post = (url: string, body: unknown) =>
  json(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** Counter value from /metrics (0 when the series does not exist yet). */
async function metric(api: { url: string }, series: string): Promise<number> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
const standbyReads = (api: { url: string }) => metric(api, 'db_reads_total{target="standby-1"}');
const primaryReads = (api: { url: string }) => metric(api, 'db_reads_total{target="primary"}');
const standbyState = async (api: { url: string }) =>
  (await json(`${api.url}/status`)).body.standbys?.[0]?.state;

/** Login with DIMO's JSON flow: the challenge from one replica, the signed answer to another. */
async function login(issuer: { url: string }, taker: { url: string }, privateKey: `0x${string}`) {
  const c = await post(`${issuer.url}/auth/challenge`, { address: clientId });
  expect(c.status).toBe(200);
  const signature = await privateKeyToAccount(privateKey).signMessage({ message: c.body.challenge });
  return post(`${taker.url}/auth/token`, { nonce: c.body.nonce, signature });
}

async function standbyHas(sql: string, params: unknown[]): Promise<boolean> {
  const c = new pg.Client({ connectionString: standbyUrl() });
  await c.connect();
  try {
    return ((await c.query(sql, params)).rowCount ?? 0) > 0;
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "dimo-scale-"));
  fs.chmodSync(root, 0o755);
  dataDir = path.join(root, "data");
  topo = await startReplicated(path.join(root, "pg"));
  await topo.primary.createDatabase("dimo");
  roles = embeddedAppRoles(topo.primary.password);
  const admin = new pg.Client({ connectionString: topo.primary.url("dimo") });
  await admin.connect();
  await provisionAppRoles(admin, roles).finally(() => admin.end());
  primary = new pg.Pool({ connectionString: topo.primary.url("dimo"), max: 3 });

  anvil = await startAnvil();
  deployment = await deployDimo(anvil.rpcUrl);
  chain = createChain(anvil.rpcUrl, deployment);
  const [issued] = await chain.apply([{ kind: "issue", owner: OWNER!.address, alias: "scale-app" }]);
  tokenId = issued.tokenId;
  clientId = issued.clientId;
  await chain.apply([
    { kind: "enableSigner", tokenId, signer: SIGNER!.address },
    { kind: "enableSigner", tokenId, signer: SIGNER_2!.address },
  ]);

  baseEnv = indexerEnv(cassetteChain(deployment), anvil.rpcUrl, asIndexer(topo.primary.url("dimo")));
  indexer = spawnIndexerRole({ ...baseEnv, INDEXER_PORT: String(await freePort()) });
  await indexer.waitFor(/the dimo views read idx_/);
  await synced();

  apiEnv = {
    ...baseEnv,
    DATABASE_URL: asApi(topo.primary.url("dimo")),
    DATABASE_READ_URL: asApi(standbyUrl()),
    // Generous: the standby's replay is paused for seconds below, and must stay in rotation.
    DATABASE_READ_MAX_LAG_MS: "30000",
    DATA_DIR: dataDir,
    API_SECRET,
    WALLET_ENCRYPTION_KEY: WALLET_KEY,
    DEVNET_FUND_WALLETS: "true",
    OPERATIONS_POLL_MS: "50",
    PUBLIC_URL: "http://127.0.0.1:3996",
    LOGIN_RATE_LIMIT_PER_IP: "0",
    LOGIN_RATE_LIMIT_PER_CLIENT: "0",
    RATE_LIMIT_CODES_PER_IP: "1000",
    LOG_LEVEL: process.env.DEBUG ? "info" : "warn",
  };
  [a, b] = await Promise.all([
    freePort().then((port) => spawnApi(apiEnv, port)),
    freePort().then((port) => spawnApi(apiEnv, port)),
  ]);
  sampler = setInterval(() => {
    void json(`${a.url}/status`).then(
      ({ body }) => {
        const s = body?.standbys?.[0];
        if (s?.state !== "serving" || typeof s.lagMs !== "number") return;
        lag[phase] = [...(lag[phase] ?? []), s.lagMs];
      },
      () => {},
    );
  }, 200);
});

afterAll(async () => {
  if (sampler) clearInterval(sampler);
  const summary = Object.entries(lag).map(([p, xs]) => {
    const sorted = [...xs].sort((x, y) => x - y);
    return `${p}: ${xs.length} samples, median ${sorted[Math.floor(sorted.length / 2)] ?? "-"} ms, max ${sorted.at(-1) ?? "-"} ms`;
  });
  console.log(`standby lag (from /status, while serving):\n  ${summary.join("\n  ")}`);
  if (process.env.DEBUG) {
    console.log(`indexer:\n${indexer?.lines.filter((l) => l.startsWith("[")).join("\n")}`);
    for (const [name, p] of [
      ["A", a],
      ["B", b],
    ] as const) {
      const lines = p?.lines.filter((l) => !l.includes('"msg":"request"')) ?? [];
      console.log(`API ${name} (exit ${p?.child.exitCode}):\n${lines.slice(-60).join("\n")}`);
    }
  }
  for (const [name, t] of Object.entries(counts)) {
    console.log(`${name}: ${t.total} requests, ${t.failed} failed, by status ${JSON.stringify(t.byStatus)}`);
  }
  await a?.kill();
  await b?.kill();
  await indexer?.kill();
  await primary?.end();
  await anvil?.stop();
  await topo?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe("a primary, a hot standby, one indexer and two API replicas", { timeout: 240_000 }, () => {
  it("streams the primary to the standby, and the replicas read public data from it", async () => {
    phase = "idle";
    expect((await topo.onStandby("SELECT pg_is_in_recovery() AS r")).rows[0].r).toBe(true);
    for (const api of [a, b]) {
      await eventually("standby serving", async () =>
        (await standbyState(api)) === "serving" ? true : undefined,
      );
      const before = await standbyReads(api);
      const res = await json(`${api.url}/v1/licenses/${tokenId}`);
      expect(res.status).toBe(200);
      expect(res.body.alias).toBe("scale-app");
      expect(await standbyReads(api)).toBeGreaterThan(before);
    }
  });

  it("decides logins on the primary's state, across replicas, while the standby lags behind", async () => {
    // A challenge from A, answered on B.
    const ok = await login(a, b, SIGNER!.privateKey);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.token_type).toBe("Bearer");

    phase = "replay paused";
    await topo.onStandby("SELECT pg_wal_replay_pause()");
    try {
      const disabled = await chain.run({ kind: "disableSigner", tokenId, signer: SIGNER!.address });
      await eventually("primary shows the disabled signer", async () =>
        (await indexedBlock(primary)) >= disabled.blockNumber ? true : undefined,
      );
      // The standby has not replayed it: public reads (from the standby) still list the signer …
      const pub = await json(`${a.url}/v1/licenses/${tokenId}`);
      expect(pub.body.signers.map((s: { address: string }) => s.address)).toContain(SIGNER!.address);
      // … but a login with it is refused: the decision reads the primary.
      const refused = await login(b, a, SIGNER!.privateKey);
      expect(refused.status).toBe(401);
      expect((await login(b, a, SIGNER_2!.privateKey)).status).toBe(200);

      // An API with a tight lag bound skips the paused standby and reads the primary instead.
      const tight = await startApi({
        config: loadConfig({ ...apiEnv, DATABASE_READ_MAX_LAG_MS: "300" }),
        databaseUrl: asApi(topo.primary.url("dimo")),
        rpcUrl: anvil.rpcUrl,
        port: 0,
        logger: pino({ level: "silent" }),
      });
      try {
        await eventually("standby lagging", async () =>
          (await standbyState(tight)) === "lagging" ? true : undefined,
        );
        const fresh = await json(`${tight.url}/v1/licenses/${tokenId}`);
        expect(fresh.body.signers.map((s: { address: string }) => s.address)).not.toContain(SIGNER!.address);
        expect(await metric(tight, 'db_standby_serving{standby="standby-1",state="lagging"}')).toBe(0);
      } finally {
        // Replicas must share one lag bound: this one would not wait for the standby it skips.
        await tight.stop();
      }
    } finally {
      await topo.onStandby("SELECT pg_wal_replay_resume()");
    }
    phase = "catching up after a pause";
    await eventually("standby caught up", async () => {
      const pub = await json(`${a.url}/v1/licenses/${tokenId}`);
      return pub.body.signers.some((s: { address: string }) => s.address === SIGNER!.address)
        ? undefined
        : true;
    });
    phase = "idle";
  });

  it("marks an operation indexed only once the standby shows it, waited on through the other replica", async () => {
    const console = new Client(a.url);
    await console.signIn("scale-ops@example.com", dataDir);
    phase = "replay paused";
    await topo.onStandby("SELECT pg_wal_replay_pause()");
    let op: { id: string; status: string };
    let created: bigint;
    try {
      const res = await console.post("/console/licenses", { alias: "scale-op" });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      op = res.body.operation;
      created = await eventually("primary shows the new license", async () => {
        const { rows } = await primary.query<{ token_id: string }>(
          "SELECT token_id FROM dimo.license WHERE alias = 'scale-op'",
        );
        return rows[0] ? BigInt(rows[0].token_id) : undefined;
      });
      // The primary shows it, the standby cannot yet: not indexed, whichever replica is asked.
      console.base = b.url;
      const waiting = await console.get(`/console/operations/${op.id}?wait=indexed&timeout=2`);
      expect(waiting.status).toBe(200);
      expect(waiting.body.status).not.toBe("indexed");
      expect(await standbyHas("SELECT 1 FROM dimo.license WHERE token_id = $1", [String(created)])).toBe(
        false,
      );
    } finally {
      await topo.onStandby("SELECT pg_wal_replay_resume()");
    }
    phase = "catching up after a pause";
    let done: { status: string; result: { tokenId: number } };
    for (;;) {
      done = (await console.get(`/console/operations/${op.id}?wait=indexed&timeout=30`)).body;
      if (done.status === "indexed" || done.status === "failed") break;
    }
    expect(done.status).toBe("indexed");
    // The moment B says indexed, A reads it — from the standby.
    const before = await standbyReads(a);
    const read = await json(`${a.url}/v1/licenses/${done.result.tokenId}`);
    expect(read.status).toBe(200);
    expect(read.body.alias).toBe("scale-op");
    expect(await standbyReads(a)).toBeGreaterThan(before);
    expect(BigInt(done.result.tokenId)).toBe(created);
    const { rows } = await primary.query<{ lsn: string }>("SELECT lsn::text AS lsn FROM console.read_fence");
    expect(rows[0]!.lsn).not.toBe("0/0");
    phase = "idle";
  });

  it("keeps answering when the standby stops mid-load, and reads from it again once it is back", async () => {
    phase = "standby outage";
    const paths = [
      `/v1/licenses/${tokenId}`,
      "/v1/licenses?status=all&limit=5",
      "/v1/stats",
      "/v1/aliases/scale-app",
    ];
    const load = readLoad([a.url, b.url], paths, 8);
    await load.until(200);
    const primaryBefore = await primaryReads(a);
    await topo.stopStandby();
    for (const api of [a, b])
      await eventually("standby down", async () => ((await standbyState(api)) === "down" ? true : undefined));
    await load.until(300);
    expect(await primaryReads(a)).toBeGreaterThan(primaryBefore);
    await topo.startStandby();
    for (const api of [a, b]) {
      await eventually("standby serving again", async () =>
        (await standbyState(api)) === "serving" ? true : undefined,
      );
    }
    const standbyBefore = await standbyReads(a);
    await load.until(200);
    const tally = await load.stop();
    counts["standby outage load"] = tally;
    expect(tally.failures).toEqual([]);
    expect(tally.failed).toBe(0);
    expect(await standbyReads(a)).toBeGreaterThan(standbyBefore);
    phase = "idle";
  });

  it("upgrades the indexer under read load: the views switch, the API never restarts, no request fails", async () => {
    phase = "indexer upgrade";
    const old = (await servedSchema(primary, "dimo"))!;
    expect(old).toMatch(/^idx_/);
    const pids = [a.child.pid, b.child.pid];
    const paths = [`/v1/licenses/${tokenId}`, "/v1/licenses?status=all&limit=5", "/v1/stats", "/status"];
    const load = readLoad([a.url, b.url], paths, 8);
    await load.until(100);

    const next = spawnIndexerRole({ ...baseEnv, INDEXER_PORT: String(await freePort()) }, [
      "--schema",
      "idx_upgraded",
    ]);
    try {
      await next.waitFor(/switched the dimo views from idx_\w+ to idx_upgraded/);
      expect(await indexer.exited).toBe(0);
      expect(indexer.lines.some((l) => /superseded by idx_upgraded/.test(l))).toBe(true);
      expect(await servedSchema(primary, "dimo")).toBe("idx_upgraded");
      // The new deployment indexes live: a license issued now is served by both replicas.
      const [issued] = await chain.apply([{ kind: "issue", owner: OWNER!.address, alias: "after-upgrade" }]);
      for (const api of [a, b]) {
        await eventually("new license served", async () =>
          (await json(`${api.url}/v1/licenses/${issued.tokenId}`)).status === 200 ? true : undefined,
        );
      }
      await next.waitFor(new RegExp(`dropped the superseded indexer schema ${old}`), 60_000);
      await load.until(100);
    } catch (error) {
      const diag = await primary.query(
        `SELECT pid, state, wait_event_type, wait_event, left(query, 120) AS query, backend_type
           FROM pg_stat_activity WHERE datname = 'dimo'`,
      );
      console.log(JSON.stringify(diag.rows, null, 1));
      for (const { nspname } of (
        await primary.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'idx_%'`)
      ).rows) {
        const m = await primary
          .query(`SELECT value FROM "${nspname}"._ponder_meta`)
          .catch((e) => ({ rows: [String(e)] }));
        console.log(nspname, JSON.stringify(m.rows));
      }
      console.log(
        `new indexer:\n${next.lines.slice(-30).join("\n")}\nold indexer:\n${indexer.lines.slice(-15).join("\n")}`,
      );
      throw error;
    } finally {
      const tally = await load.stop();
      counts["indexer upgrade load"] = tally;
      indexer = next;
    }
    const tally = counts["indexer upgrade load"]!;
    expect(tally.failures).toEqual([]);
    expect(tally.failed).toBe(0);
    expect([a.child.pid, b.child.pid]).toEqual(pids);
    expect([a.child.exitCode, b.child.exitCode]).toEqual([null, null]);
    phase = "idle";
  });
});
