import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { type App, createApp } from "../../api/app";
import { createDatabase } from "../../api/db/database";
import { loadConfig } from "../../config/env";

/**
 * The real app built with inert dependencies (nothing connects, nothing listens), for answers that
 * need no database: the OpenAPI document, the web app's files. `fn` gets it; it is torn down after.
 */
export async function withInertApp<T>(
  fn: (app: App) => Promise<T>,
  opts: { webDir?: string } = {},
): Promise<T> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "inert-app-"));
  // Nothing listens on port 1: any query would fail, and none is made.
  const db = createDatabase("postgresql://127.0.0.1:1/none", { poolMax: 1, statementTimeoutMs: 1_000 });
  try {
    const app = createApp({
      db,
      clock: () => new Date(),
      logger: pino({ level: "silent" }),
      config: loadConfig({ DATA_DIR: dataDir, API_SECRET: "inert-app-only-0123456789abcdef0123456789" }),
      chain: { headBlock: async () => 0n },
      secret: Buffer.alloc(32, 1),
      mailer: { kind: "mailbox", send: async () => {} },
      rpcUrl: "http://127.0.0.1:1",
      ...(opts.webDir ? { webDir: opts.webDir } : {}),
    });
    return await fn(app);
  } finally {
    await db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
