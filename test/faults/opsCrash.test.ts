import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { type Address, createPublicClient, createTestClient, type Hex, http, toFunctionSelector } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AnvilInstance, startAnvil } from "../../devnet/anvil";
import { cassetteChain } from "../../devnet/demoChain";
import { type Deployment, deployDimo } from "../../devnet/deploy";
import { NO_FAULTS, startFaultyRpc } from "../../scripts/replay/faultyRpc";
import type { RpcAnswer, RpcRequest } from "../../scripts/replay/jsonRpcServer";
import { indexerEnv } from "../../scripts/replay/syncRun";
import { type IndexerProcess, startIndexer } from "../../scripts/runtime/indexer";
import { freePort } from "../../scripts/runtime/ports";
import { Client } from "../console/harness";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { type ApiProcess, spawnApi } from "./support/apiProcess";
import { BASE_SEED, selectCases, withRepro } from "./support/seeds";

// The API process killed (SIGKILL) in the middle of a console operation, then started again: the
// operation still ends `indexed`, once, and the chain holds exactly one transaction for it. The
// API reaches the chain through a tapping proxy that kills it at the precise moment:
//   0 after signing, as the transaction is handed to the node — the node never gets it;
//   1 after the node accepted the transaction, before the API hears back;
//   2 after the operation is recorded `submitted`, before it is mined (mining paused).

const SUITE = "opsCrash";
const KILL_POINTS = ["signed, never sent", "sent, answer lost", "submitted, not mined"] as const;
const cases = selectCases([0, 1, 2], [0, 1, 2]);

let database: TestDatabase;
let anvil: AnvilInstance;
let deployment: Deployment;
let indexer: IndexerProcess;
let tap: Awaited<ReturnType<typeof startFaultyRpc>>;
let hook: ((req: RpcRequest, forward: () => Promise<RpcAnswer>) => Promise<RpcAnswer | null>) | null = null;
let api: ApiProcess;
let env: Record<string, string>;
let port: number;
let dataDir: string;
let client: Client;
let tokenId: number;
let wallet: Address;
let pool: pg.Pool;

const rpc = () => createPublicClient({ transport: http(anvil.rpcUrl), cacheTime: 0 });
const SET_REDIRECT_URI = toFunctionSelector("setRedirectUri(uint256,bool,string)");

/** Waits until the operation is indexed or failed (long-polls through API restarts). */
async function settle(id: string): Promise<{ status: string; error?: unknown }> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const res = await client.get(`/console/operations/${id}?wait=indexed&timeout=20`).catch(() => null);
    if (res?.status === 200 && ["indexed", "failed"].includes(res.body.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`operation ${id} not settled: ${JSON.stringify(res?.body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Transactions `wallet` sent in blocks after `from`. */
async function walletTxs(from: bigint): Promise<Array<{ hash: Hex; input: Hex; to: Address | null }>> {
  const head = await rpc().getBlockNumber();
  const out: Array<{ hash: Hex; input: Hex; to: Address | null }> = [];
  for (let b = from + 1n; b <= head; b++) {
    const block = await rpc().getBlock({ blockNumber: b, includeTransactions: true });
    for (const tx of block.transactions) {
      if (tx.from.toLowerCase() === wallet.toLowerCase())
        out.push({ hash: tx.hash, input: tx.input, to: tx.to });
    }
  }
  return out;
}

beforeAll(async () => {
  database = await createTestDatabase("opscrash");
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  anvil = await startAnvil();
  deployment = await deployDimo(anvil.rpcUrl);
  const chain = cassetteChain(deployment);
  indexer = await startIndexer({
    env: indexerEnv(chain, anvil.rpcUrl, database.url),
    schema: "idx_opscrash",
    viewsSchema: "dimo",
  });
  await indexer.waitForReady();
  tap = await startFaultyRpc({
    upstream: anvil.rpcUrl,
    seed: 0,
    faults: NO_FAULTS,
    intercept: (req, forward) => hook?.(req, forward) ?? Promise.resolve(null),
  });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "dimo-opscrash-"));
  env = {
    ...indexerEnv(chain, tap.rpcUrl, database.url),
    DATA_DIR: dataDir,
    // Fixed secrets: the restarted API must accept the same session and open the same wallet.
    API_SECRET: randomBytes(24).toString("hex"),
    WALLET_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    DEVNET_FUND_WALLETS: "true",
    LOG_LEVEL: "info",
  };
  port = await freePort();
  api = await spawnApi(env, port);
  client = new Client(api.url);
  const me = await client.signIn("crash@example.com", dataDir);
  wallet = me.wallets[0]!.address as Address;
  const created = await client.post("/console/licenses", { alias: "crash-app" });
  if (created.status !== 202)
    throw new Error(`create license: ${created.status} ${JSON.stringify(created.body)}`);
  const done = await settle(created.body.operation.id);
  if (done.status !== "indexed") throw new Error(`create license: ${JSON.stringify(done)}`);
  tokenId = (done as unknown as { result: { tokenId: number } }).result.tokenId;
}, 600_000);

afterAll(async () => {
  hook = null;
  await api?.kill();
  await tap?.stop();
  await indexer?.stop();
  await anvil?.stop();
  await pool?.end();
  await database?.drop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe(`the API killed mid-operation (seed ${BASE_SEED})`, () => {
  it.each(cases)(
    "kill point %i: the operation ends indexed once, one transaction on chain",
    async (point) => {
      await withRepro(SUITE, point, async () => {
        const uri = `https://crash-${point}.example/callback`;
        const before = await rpc().getBlockNumber();
        const test = createTestClient({ mode: "anvil", transport: http(anvil.rpcUrl) });
        let sentRaw = 0;
        if (point === 0 || point === 1) {
          hook = async (req, forward) => {
            if (req.method !== "eth_sendRawTransaction") return null;
            sentRaw++;
            hook = null;
            const answer = point === 1 ? await forward() : null;
            await api.kill();
            return (
              answer ?? { error: { code: -32603, message: "the API died before this reached the node" } }
            );
          };
        } else {
          await test.setAutomine(false);
        }
        const posted = await client
          .post(`/console/licenses/${tokenId}/redirect-uris`, { uri })
          .catch(() => null);
        if (point === 2) {
          expect(posted?.status, JSON.stringify(posted?.body)).toBe(202);
          await api.kill();
          await test.mine({ blocks: 1 });
          await test.setAutomine(true);
        }
        await api.exited;
        expect(sentRaw).toBe(point === 2 ? 0 : 1);

        const { rows } = await pool.query<{ id: string; status: string }>(
          `SELECT id, status FROM console.operations WHERE kind = 'add_redirect_uri' AND params->>'uri' = $1`,
          [uri],
        );
        expect(rows, "exactly one operation was recorded").toHaveLength(1);
        api = await spawnApi(env, port);
        const done = await settle(rows[0]!.id);
        const txs = await walletTxs(before);
        process.stdout.write(
          `[${SUITE}] kill point ${point} (${KILL_POINTS[point]}): operation ${done.status}; ${txs.length} transaction(s) from the wallet\n`,
        );
        expect(done, "the operation did not end indexed").toMatchObject({ status: "indexed" });
        expect(txs.map((t) => [t.to?.toLowerCase(), t.input.slice(0, 10)])).toEqual([
          [deployment.devLicense.toLowerCase(), SET_REDIRECT_URI],
        ]);
        const license = (await (await fetch(`${api.url}/v1/licenses/${tokenId}`)).json()) as {
          redirectUris: { uri: string }[];
        };
        expect(license.redirectUris.filter((u) => u.uri === uri)).toHaveLength(1);
        const again = await pool.query(
          `SELECT count(*)::int AS n FROM console.operations WHERE params->>'uri' = $1`,
          [uri],
        );
        expect(again.rows[0].n).toBe(1);
      });
    },
    300_000,
  );
});
