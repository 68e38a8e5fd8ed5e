import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { type HttpTimeouts, type RunningApi, startApi } from "../../api/server";
import { type Config, loadConfig } from "../../config/env";

// Real-HTTP harness for the console: startApi on a free port (one per replica), a clock that
// tests move forward, captured raw log lines, and a cookie-keeping client. Sign-in codes are read
// from the dev mailbox in DATA_DIR, exactly as a developer would on the embedded default.

export type ConsoleApi = {
  url: string;
  api: RunningApi;
  config: Config;
  dataDir: string;
  /** Every log line, raw, as written. */
  logs: string[];
  stop(): Promise<void>;
};

/** Shared by the replicas of one test: same clock offset. */
export type TestClock = { now: () => Date; advance(seconds: number): void };

export function testClock(): TestClock {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance: (seconds) => {
      offsetMs += seconds * 1000;
    },
  };
}

export async function startConsoleApi(opts: {
  databaseUrl: string;
  env?: Record<string, string>;
  dataDir?: string;
  clock?: TestClock;
  http?: Partial<HttpTimeouts>;
}): Promise<ConsoleApi> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "console-data-"));
  const logs: string[] = [];
  const config = loadConfig({ DATA_DIR: dataDir, API_SECRET: "s".repeat(40), ...opts.env });
  const api = await startApi({
    config,
    databaseUrl: opts.databaseUrl,
    rpcUrl: "http://127.0.0.1:9",
    port: 0,
    logger: pino({ level: "debug" }, { write: (line: string) => void logs.push(line) }),
    chain: { headBlock: async () => 1n },
    ...(opts.clock ? { clock: opts.clock.now } : {}),
    ...(opts.http ? { http: opts.http } : {}),
  });
  return {
    url: api.url,
    api,
    config,
    dataDir,
    logs,
    stop: async () => {
      await api.stop();
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export { Client, codeFromMailbox } from "../../scripts/lib/consoleClient";
