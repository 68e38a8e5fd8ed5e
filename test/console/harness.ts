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

/** Subjects of the messages to `email` in a DATA_DIR's dev mailbox, oldest first. */
export function subjectsInMailbox(dataDir: string, email: string): string[] {
  const dir = path.join(dataDir, "mailbox");
  if (!fs.existsSync(dir)) return [];
  const to = new RegExp(`^To: ${email.toLowerCase().replace(/[.+]/g, "\\$&")}$`, "mi");
  return fs
    .readdirSync(dir)
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), "utf8").replace(/\r?\n[ \t]+/g, " "))
    .filter((eml) => to.test(eml))
    .map((eml) => /^Subject: (.*)$/m.exec(eml)?.[1] ?? "");
}

/** Waits (briefly: notices are sent after the answer) until `email` has a message whose subject matches. */
export async function mailInMailbox(dataDir: string, email: string, subject: RegExp): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const found = subjectsInMailbox(dataDir, email).find((s) => subject.test(s));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no mail to ${email} matching ${subject} in ${dataDir}/mailbox`);
}
