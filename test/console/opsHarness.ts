import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createDatabase } from "../../api/db/database";
import { type RunningApi, startApi } from "../../api/server";
import { type Config, loadConfig } from "../../config/env";
import type { ScenarioChain } from "../../devnet/scenario";
import { type Stack, startStack } from "../support/stack";
import { Client } from "./harness";

// anvil + the DIMO test contracts + the real Ponder indexer + the real API over HTTP, for console
// writes: sign-in codes come from the dev mailbox, managed wallets are funded devnet-style, and
// every log line the API writes is kept raw (the secrets test reads them).

export type OpsHarness = {
  stack: Stack;
  api: RunningApi;
  config: Config;
  dataDir: string;
  logs: string[];
  db: ReturnType<typeof createDatabase>;
  /** A signed-in browser-like client for a new account (email derived from `name`). */
  signIn(name: string): Promise<{ client: Client; accountId: string; managed: `0x${string}`; email: string }>;
  /** Links a DEV_ACCOUNTS key as an external wallet of the client's account (SIWE). */
  linkWallet(client: Client, privateKey: Hex): Promise<void>;
  /** A second API process on the same database and chain (a replica), stopped by close(). */
  replica(): Promise<RunningApi>;
  /** Waits (no sleep: long-poll) until the operation is indexed; returns it. */
  indexed(client: Client, id: string): Promise<OperationJson>;
  close(): Promise<void>;
};

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back.
type OperationJson = any;

export async function opsHarness(
  opts: {
    before?: (chain: ScenarioChain) => Promise<void>;
    env?: Record<string, string>;
    blockTime?: number;
    /** A fixed port for the first API (browser tests: PUBLIC_URL must name it); default any free one. */
    port?: number;
    /** Serve the built web app at `/` (test/web). */
    webDir?: string;
  } = {},
): Promise<OpsHarness> {
  const stack = await startStack({
    ...(opts.before ? { before: opts.before } : {}),
    ...(opts.blockTime ? { blockTime: opts.blockTime } : {}),
  });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ops-data-"));
  const logs: string[] = [];
  const config = loadConfig({
    ...stack.env,
    DATA_DIR: dataDir,
    API_SECRET: "ops-tests-secret-0123456789abcdef0123456789",
    DEVNET_FUND_WALLETS: "true",
    OPERATIONS_POLL_MS: "50",
    PUBLIC_URL: "http://127.0.0.1:3998",
    LOGIN_RATE_LIMIT_PER_IP: "0",
    LOGIN_RATE_LIMIT_PER_CLIENT: "0",
    RATE_LIMIT_CODES_PER_IP: "1000",
    RATE_LIMIT_VERIFY_PER_IP: "1000",
    ...opts.env,
  });
  const apis: RunningApi[] = [];
  const launch = async () => {
    const running = await startApi({
      config,
      databaseUrl: stack.db.apiUrl,
      rpcUrl: stack.anvil.rpcUrl,
      port: apis.length === 0 ? (opts.port ?? 0) : 0,
      ...(opts.webDir ? { webDir: opts.webDir } : {}),
      logger: pino({ level: "debug" }, { write: (line: string) => void logs.push(line) }),
      chain: { headBlock: () => stack.chain.blockNumber() },
    });
    apis.push(running);
    return running;
  };
  const api = await launch();
  const db = createDatabase(stack.db.url, { poolMax: 2, statementTimeoutMs: 10_000 });
  let n = 0;
  const h: OpsHarness = {
    stack,
    api,
    config,
    dataDir,
    logs,
    db,
    async signIn(name) {
      const client = new Client(api.url);
      const email = `${name}-${++n}@example.com`;
      const me = await client.signIn(email, dataDir);
      const managed = me.wallets.find((w) => w.kind === "managed")!.address as `0x${string}`;
      return { client, accountId: me.id, managed, email };
    },
    async linkWallet(client, privateKey) {
      const account = privateKeyToAccount(privateKey);
      const nonce = await client.post("/console/wallets/siwe/nonce", { address: account.address });
      if (nonce.status !== 201) throw new Error(`nonce: ${nonce.status} ${JSON.stringify(nonce.body)}`);
      const signature = await account.signMessage({ message: nonce.body.message });
      const linked = await client.post("/console/wallets/link", { message: nonce.body.message, signature });
      if (linked.status !== 200) throw new Error(`link: ${linked.status} ${JSON.stringify(linked.body)}`);
    },
    replica: launch,
    async indexed(client, id) {
      for (;;) {
        const res = await client.get(`/console/operations/${id}?wait=indexed&timeout=30`);
        if (res.status !== 200) throw new Error(`operation ${id}: ${res.status} ${JSON.stringify(res.body)}`);
        if (res.body.status === "indexed" || res.body.status === "failed") return res.body;
      }
    },
    async close() {
      for (const a of apis) await a.stop().catch(() => {});
      await db.destroy();
      await stack.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}
