import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { serve } from "@hono/node-server";
import pino from "pino";
import { createApp } from "../../api/app";
import { createDatabase } from "../../api/db/database";
import { migrateToLatest } from "../../api/db/migrate";
import type { Mail, Mailer } from "../../api/services/console/mailer";
import { type Config, loadConfig } from "../../config/env";
import { freePort } from "../../scripts/runtime/ports";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { Browser } from "./browser";

export type SignInHarness = {
  /** http://localhost:PORT — PUBLIC_URL, and where the API listens. */
  url: string;
  port: number;
  config: Config;
  db: ReturnType<typeof createDatabase>;
  mails: Mail[];
  logs: string[];
  /** Signs a fresh browser in by email code (the other engineer's flow), returning it and its CSRF token. */
  signInByEmail(email: string): Promise<{ browser: Browser; csrf: string; accountId: string }>;
  /** Another API process-alike (own app, pool and port) on the same database and config. */
  replica(): Promise<string>;
  close(): Promise<void>;
};

/**
 * The real API (createApp) over real HTTP on localhost, on a fresh database with the console
 * migrations; no chain (sign-in needs none). `env` is applied on top of test defaults; PUBLIC_URL
 * is fixed to the listening port before the app is built, so redirect URIs and the passkey RP
 * id/origin are the real ones. Mail is captured.
 */
export async function signInHarness(
  env: (publicUrl: string) => Record<string, string>,
): Promise<SignInHarness> {
  const database: TestDatabase = await createTestDatabase("signin");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "dimo-signin-"));
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const config = loadConfig({
    PUBLIC_URL: url,
    DATA_DIR: dataDir,
    API_SECRET: randomBytes(24).toString("hex"),
    WALLET_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    LOG_LEVEL: "silent",
    ...env(url),
  });
  const db = createDatabase(database.url, { poolMax: 6, statementTimeoutMs: 10_000 });
  await migrateToLatest(db);
  const mails: Mail[] = [];
  const mailer: Mailer = { kind: "smtp", send: async (m) => void mails.push(m) };
  const logs: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(line) });
  const listen = async (on: number, pool: ReturnType<typeof createDatabase>) => {
    const app = createApp({
      db: pool,
      clock: () => new Date(),
      logger,
      config,
      chain: { headBlock: async () => 0n },
      secret: Buffer.from(config.api.secret!, "utf8"),
      mailer,
    });
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: on }, () => resolve(s));
    });
    return () =>
      new Promise<void>((resolve) => {
        const http = server as import("node:http").Server;
        http.close(() => resolve());
        http.closeAllConnections();
      });
  };
  const stops = [await listen(port, db)];
  const pools = [db];

  return {
    url,
    port,
    config,
    db,
    mails,
    logs,
    async signInByEmail(email) {
      const browser = new Browser();
      const started = await browser.post(`${url}/console/auth/email/start`, { email });
      if (started.status !== 202) throw new Error(`email start: ${started.status} ${await started.text()}`);
      const mail = mails.findLast((m) => m.to === email);
      const code = /\b(\d{6})\b/.exec(mail?.subject ?? "")?.[1];
      if (!code) throw new Error(`no code mailed to ${email}`);
      const verified = await browser.post(`${url}/console/auth/email/verify`, { email, code });
      if (verified.status !== 200)
        throw new Error(`email verify: ${verified.status} ${await verified.text()}`);
      const me = (await verified.json()) as { id: string; csrfToken: string };
      return { browser, csrf: me.csrfToken, accountId: me.id };
    },
    async replica() {
      const pool = createDatabase(database.url, { poolMax: 4, statementTimeoutMs: 10_000 });
      const replicaPort = await freePort();
      pools.push(pool);
      stops.push(await listen(replicaPort, pool));
      return `http://localhost:${replicaPort}`;
    },
    async close() {
      for (const stop of stops) await stop();
      for (const pool of pools) await pool.destroy();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
