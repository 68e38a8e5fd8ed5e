import pino from "pino";
import { type RunningApi, startApi } from "../../../api/server";
import { loadConfig } from "../../../config/env";

export type LiveApi = RunningApi & {
  /** Every log line the API wrote, parsed. */
  logs: Record<string, unknown>[];
  get(path: string, timeoutMs?: number): Promise<{ status: number; body: unknown; ms: number }>;
};

/**
 * The production API (startApi: pool, migrations, app, HTTP listener) on a free loopback port over
 * `databaseUrl`, reading `env` like `npm start` would, with its pino output captured.
 */
export async function startLiveApi(opts: {
  env: Record<string, string>;
  databaseUrl: string;
  rpcUrl: string;
}): Promise<LiveApi> {
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const api = await startApi({
    config: loadConfig({ ...opts.env, DATABASE_URL: opts.databaseUrl, RPC_URL: opts.rpcUrl }),
    databaseUrl: opts.databaseUrl,
    rpcUrl: opts.rpcUrl,
    logger,
    port: 0,
  });
  return {
    ...api,
    logs,
    async get(path, timeoutMs = 15_000) {
      const t0 = performance.now();
      const res = await fetch(`${api.url}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      return { status: res.status, body, ms: performance.now() - t0 };
    },
  };
}
