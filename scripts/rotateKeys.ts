// `npm run rotate-keys`: makes a new current token signing key and retires the current one. The
// retired key stays published at /keys (and accepted) until every token it may have signed has
// expired; keys retired longer ago than that are deleted. Running APIs pick the new key up within
// 30 s (and at once when they meet a token signed with it). Prints kids only, never key material.

import fs from "node:fs";
import path from "node:path";
import pino from "pino";
import { createDatabase } from "../api/db/database";
import { migrateToLatest } from "../api/db/migrate";
import { loadSecret } from "../api/lib/secret";
import { signingKeys } from "../api/services/loginWithDimo/signingKeys";
import { loadConfigOrExit } from "../config";
import { startEmbeddedPostgres } from "./runtime/embeddedPostgres";

/** The embedded Postgres of `npm start` (DATA_DIR/postgres): the running one, or started for this run. */
async function embeddedDatabase(dataDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = path.join(dataDir, "postgres");
  const pidFile = path.join(dir, "postmaster.pid");
  if (fs.existsSync(pidFile)) {
    const [pid, , , port] = fs.readFileSync(pidFile, "utf8").split("\n");
    try {
      process.kill(Number(pid), 0);
      // Same credentials as scripts/runtime/embeddedPostgres.ts; `npm start` names its database dimo.
      return { url: `postgresql://postgres:postgres@127.0.0.1:${Number(port)}/dimo`, stop: async () => {} };
    } catch {
      // Not running: start it below.
    }
  }
  if (!fs.existsSync(dir))
    throw new Error(`no database: set DATABASE_URL, or run npm start once (no ${dir})`);
  const server = await startEmbeddedPostgres({ dir });
  return { url: server.url("dimo"), stop: () => server.stop() };
}

async function main() {
  const config = loadConfigOrExit();
  const database = config.databaseUrl
    ? { url: config.databaseUrl, stop: async () => {} }
    : await embeddedDatabase(config.dataDir);
  const db = createDatabase(database.url, { poolMax: 2, statementTimeoutMs: 30_000 });
  try {
    await migrateToLatest(db);
    const keys = signingKeys({
      db,
      secret: loadSecret({ fromEnv: config.api.secret, dataDir: config.dataDir }),
      clock: () => new Date(),
      alg: config.login.jwtAlg,
      maxTokenLifetimeSeconds: Math.max(config.login.jwtTtlSeconds, config.login.exchangeTtlSeconds),
      logger: pino({ level: "warn" }),
    });
    await keys.ensure();
    const result = await keys.rotate();
    process.stdout.write(
      `new signing key ${result.kid} (${result.alg}); retired ${result.retired.join(", ") || "none"}; ` +
        `deleted ${result.deleted.join(", ") || "none"}\n`,
    );
  } finally {
    await db.destroy();
    await database.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`rotate-keys failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
