// `npm run digest [-- --json] [--schema dimo]`: the state digest of the indexed tables (see
// scripts/lib/digest.ts) of the configured database — DATABASE_URL, or the embedded default database
// `dimo` in DATA_DIR/postgres (the one `npm start` uses; reached while it runs, started briefly if not).

import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { loadConfigOrExit } from "../config";
import { runMain } from "./lib/cli";
import { VIEWS_SCHEMA } from "./lib/deploymentSchema";
import { formatDigest, stateDigest } from "./lib/digest";
import { startEmbeddedPostgres } from "./lib/embeddedPostgres";

/** The embedded cluster's URL: its running postmaster's port, or a short-lived start of our own. */
async function embeddedDatabase(dataDir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = path.resolve(dataDir, "postgres");
  if (!fs.existsSync(path.join(dir, "PG_VERSION"))) {
    throw new Error(`no database in ${dir} yet: run \`npm start\` first, or set DATABASE_URL`);
  }
  const pidFile = path.join(dir, "postmaster.pid");
  if (fs.existsSync(pidFile)) {
    // Line 1 is the pid, line 4 the port (Postgres' documented postmaster.pid layout).
    const [pid, , , port] = fs.readFileSync(pidFile, "utf8").split("\n");
    let alive = false;
    try {
      process.kill(Number(pid), 0);
      alive = true;
    } catch {}
    if (alive) return { url: `postgresql://postgres:postgres@127.0.0.1:${port}/dimo`, stop: async () => {} };
  }
  const server = await startEmbeddedPostgres({ dir });
  return { url: server.url("dimo"), stop: () => server.stop() };
}

runMain("digest", async () => {
  const { values } = parseArgs({
    options: { json: { type: "boolean" }, schema: { type: "string", default: VIEWS_SCHEMA } },
  });
  const config = loadConfigOrExit();
  const db = config.databaseUrl
    ? { url: config.databaseUrl, stop: async () => {} }
    : await embeddedDatabase(config.dataDir);
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  try {
    const digest = await stateDigest(pool, values.schema);
    process.stdout.write(values.json ? `${JSON.stringify(digest, null, 2)}\n` : formatDigest(digest));
  } finally {
    await pool.end();
    await db.stop();
  }
});
