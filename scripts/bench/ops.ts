import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { createPublicClient, type Hex, http } from "viem";
import { startApi } from "../../api/server";
import { loadConfig } from "../../config/env";
import { startAnvil } from "../../devnet/anvil";
import { cassetteChain } from "../../devnet/demoChain";
import { deployDimo } from "../../devnet/deploy";
import { Client } from "../lib/consoleClient";
import { indexerEnv } from "../replay/syncRun";
import { VIEWS_SCHEMA } from "../runtime/deploymentSchema";
import { startIndexer } from "../runtime/indexer";
import { freePort } from "../runtime/ports";
import type { BenchFigures, BenchSection } from "./support/benchRegistry";

// ops.*: how long after a console write is mined the API shows it. A devnet mining one block per
// second, the real Ponder indexer and the API as `npm start` runs them; N API-key generations
// (enableSigner from a managed wallet) a few at a time. For each, the clock starts when the
// receipt is first observable over RPC (the block has been mined) and stops when
// GET /v1/licenses/{tokenId} first lists the new signer; the operation's own long-poll
// (?wait=indexed) is timed from the same start.

const N = Number(process.env.BENCH_OPS_COUNT ?? 40);
const CONCURRENCY = Number(process.env.BENCH_OPS_CONCURRENCY ?? 4);
const POLL_MS = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Nearest-rank percentile of a sample, in whole ms. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);
}

export const opsSection: BenchSection = {
  key: "ops",
  title: "Console operations (devnet, 1-second blocks)",
  describe: {
    "writeToIndexedMs.p50": "receipt observable → GET /v1/licenses/{id} shows the change, median ms",
    "writeToIndexedMs.p99": "… p99 ms (target ≤ 2000)",
    "waitIndexedMs.p50": "receipt observable → the operation's ?wait=indexed long-poll answers, median ms",
    "waitIndexedMs.p99": "… p99 ms",
    "submitMs.p50": "POST /console/licenses/{id}/keys answer time (estimate, sign, send), median ms",
    count: "operations measured",
  },
  async run(ctx) {
    const database = await ctx.freshDatabase("ops");
    ctx.onCleanup(() => database.drop());
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-ops-"));
    ctx.onCleanup(() => fs.rmSync(dataDir, { recursive: true, force: true }));

    ctx.log("devnet: anvil + DIMO test contracts, then one block per second…");
    const anvil = await startAnvil();
    ctx.onCleanup(() => anvil.stop());
    const deployment = await deployDimo(anvil.rpcUrl);
    const rpc = createPublicClient({ transport: http(anvil.rpcUrl), cacheTime: 0 });
    await rpc.request({ method: "evm_setIntervalMining", params: [1] } as never);

    const env = indexerEnv(cassetteChain(deployment), anvil.rpcUrl, database.url);
    ctx.log("indexer: starting Ponder…");
    const indexer = await startIndexer({
      env,
      schema: "bench_ops",
      viewsSchema: VIEWS_SCHEMA,
      startTimeoutMs: 180_000,
    });
    ctx.onCleanup(() => indexer.stop());
    await indexer.waitForReady(180_000);

    const config = loadConfig({
      ...env,
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      DEVNET_FUND_WALLETS: "true",
      RATE_LIMIT_CODES_PER_IP: "1000",
      // One session waits on every worker's operation at once.
      OPERATIONS_MAX_WAITERS_PER_SESSION: String(Math.max(4, CONCURRENCY)),
    });
    const api = await startApi({
      config,
      databaseUrl: database.url,
      rpcUrl: anvil.rpcUrl,
      port: await freePort(),
      logger: pino({ level: "warn" }, pino.destination({ dest: 2, sync: false })),
    });
    ctx.onCleanup(() => api.stop());

    const client = new Client(api.url);
    await client.signIn("bench@example.com", dataDir);
    const created = await client.post("/console/licenses", { alias: "bench-ops" });
    if (created.status !== 202)
      throw new Error(`create license: ${created.status} ${JSON.stringify(created.body)}`);
    const license = await waitIndexed(client, created.body.operation.id);
    const tokenId = license.result.tokenId as number;
    ctx.log(`license ${tokenId} ready; ${N} key generations, ${CONCURRENCY} at a time…`);

    const toApi: number[] = [];
    const toWait: number[] = [];
    const submit: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < N) {
        next++;
        const t0 = performance.now();
        const res = await client.post(`/console/licenses/${tokenId}/keys`, {});
        if (res.status !== 202) throw new Error(`generate key: ${res.status} ${JSON.stringify(res.body)}`);
        submit.push(performance.now() - t0);
        const { operation, apiKey } = res.body as {
          operation: { id: string; txHash: Hex };
          apiKey: { address: string };
        };
        const mined = pollUntil(
          async () =>
            (await rpc.getTransactionReceipt({ hash: operation.txHash }).catch(() => null)) !== null,
        );
        const shown = pollUntil(async () => {
          const r = await fetch(`${api.url}/v1/licenses/${tokenId}`);
          const body = (await r.json()) as { signers: { address: string }[] };
          return body.signers.some((s) => s.address === apiKey.address);
        });
        const waited = waitIndexed(client, operation.id).then(() => performance.now());
        const [minedAt, shownAt, waitedAt] = await Promise.all([mined, shown, waited]);
        toApi.push(shownAt - minedAt);
        toWait.push(waitedAt - minedAt);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return {
      "ops.writeToIndexedMs.p50": percentile(toApi, 50),
      "ops.writeToIndexedMs.p99": percentile(toApi, 99),
      "ops.waitIndexedMs.p50": percentile(toWait, 50),
      "ops.waitIndexedMs.p99": percentile(toWait, 99),
      "ops.submitMs.p50": percentile(submit, 50),
      "ops.count": toApi.length,
    } satisfies BenchFigures;
  },
};

/** performance.now() of the first poll (every POLL_MS: the resolution of the figures) at which `check` is true. */
async function pollUntil(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return performance.now();
    if (performance.now() > deadline) throw new Error("bench: change not observed within 60 s");
    await sleep(POLL_MS);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the operation JSON as the API answers it.
async function waitIndexed(client: Client, id: string): Promise<any> {
  for (;;) {
    const res = await client.get(`/console/operations/${id}?wait=indexed&timeout=30`);
    if (res.status !== 200) throw new Error(`operation ${id}: ${res.status}`);
    if (res.body.status === "failed")
      throw new Error(`operation ${id} failed: ${JSON.stringify(res.body.error)}`);
    if (res.body.status === "indexed") return res.body;
  }
}
