import pino from "pino";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createDatabase } from "../../api/db/database";
import type { ChainHead } from "../../api/lib/chainHead";
import { type RunningApi, startApi } from "../../api/server";
import { type SigningKeys, signingKeys } from "../../api/services/loginWithDimo/signingKeys";
import { type Config, loadConfig } from "../../config/env";
import type { ScenarioChain } from "../../devnet/scenario";
import { type Stack, startStack } from "../support/stack";

export const API_SECRET = "login-tests-secret-0123456789abcdef0123456789";

export type LoginHarness = {
  stack: Stack;
  api: RunningApi;
  config: Config;
  /** Server logs, parsed. */
  logs: string[];
  /** A key service on the same database and secret as the server: signs "our" tokens in tests. */
  keys: SigningKeys;
  db: ReturnType<typeof createDatabase>;
  /** The app clock (unix seconds) every expiry is compared with; starts at the chain's time. */
  now(): number;
  setNow(seconds: number): void;
  /** POST with a form body (as DIMO's SDKs send it), to the main API or `api`. */
  form(
    path: string,
    fields: Record<string, string>,
    query?: Record<string, string>,
    api?: { url: string },
  ): Promise<Response>;
  postJson(
    path: string,
    body: unknown,
    headers?: Record<string, string>,
    api?: { url: string },
  ): Promise<Response>;
  /** Starts another API on the same stack with extra env (e.g. low rate limits), and maybe another idea of the chain head. */
  extraApi(env: Record<string, string>, chain?: ChainHead): Promise<RunningApi>;
  close(): Promise<void>;
};

/**
 * anvil + DIMO test contracts + the real indexer (test/support/stack.ts) and the real API over HTTP
 * on a free port, with a pinned clock and captured logs. `before` sets up the chain before indexing.
 */
export async function loginHarness(before: (chain: ScenarioChain) => Promise<void>): Promise<LoginHarness> {
  const stack = await startStack({ before });
  let now = Number(await stack.chain.now());
  const clock = () => new Date(now * 1000);
  const logs: string[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void logs.push(line) });
  const baseEnv = {
    ...stack.env,
    API_SECRET,
    LOGIN_RATE_LIMIT_PER_IP: "0",
    LOGIN_RATE_LIMIT_PER_CLIENT: "0",
  };
  const apis: RunningApi[] = [];
  const start = async (env: Record<string, string>, head?: ChainHead) => {
    const config = loadConfig({ ...baseEnv, ...env });
    const api = await startApi({
      config,
      databaseUrl: stack.db.apiUrl,
      rpcUrl: stack.anvil.rpcUrl,
      logger,
      port: 0,
      clock,
      chain: head ?? { headBlock: () => stack.chain.blockNumber() },
    });
    apis.push(api);
    return { api, config };
  };
  // PUBLIC_URL must be known before listening; a fixed loopback name is as good as the real port.
  const { api, config } = await start({ PUBLIC_URL: "http://127.0.0.1:3999" });
  const db = createDatabase(stack.db.url, { poolMax: 2, statementTimeoutMs: 5_000 });
  const keys = signingKeys({
    db,
    secret: Buffer.from(API_SECRET, "utf8"),
    clock,
    alg: config.login.jwtAlg,
    maxTokenLifetimeSeconds: Math.max(config.login.jwtTtlSeconds, config.login.exchangeTtlSeconds),
  });
  const url = (path: string, query?: Record<string, string>, to: { url: string } = api) =>
    `${to.url}${path}${query ? `?${new URLSearchParams(query)}` : ""}`;
  return {
    stack,
    api,
    config,
    logs,
    keys,
    db,
    now: () => now,
    setNow: (s) => {
      now = s;
    },
    form: (path, fields, query, to) =>
      fetch(url(path, query, to), {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields),
      }),
    postJson: (path, body, headers = {}, to = api) =>
      fetch(url(path, undefined, to), {
        method: "POST",
        headers: { "Content-Type": "application/json", ...headers },
        body: JSON.stringify(body),
      }),
    extraApi: async (env, head) => (await start({ PUBLIC_URL: "http://127.0.0.1:3999", ...env }, head)).api,
    async close() {
      for (const a of apis) await a.stop().catch(() => {});
      await db.destroy();
      await stack.stop();
    },
  };
}

/** personal_sign of a challenge with a dev key; `v` rewritten to 0/1 when asked. */
export async function signChallenge(privateKey: Hex, message: string, v: "27" | "01" = "27"): Promise<Hex> {
  const sig = await privateKeyToAccount(privateKey).signMessage({ message });
  if (v === "27") return sig;
  const last = Number.parseInt(sig.slice(-2), 16) - 27;
  return `${sig.slice(0, -2)}0${last}` as Hex;
}

type ErrorBody = { error: { code: string; message: string; details?: unknown } };

export async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await res.json()) as ErrorBody;
  return { status: res.status, code: body.error.code, message: body.error.message };
}
