import fs from "node:fs";
import path from "node:path";
import type { Config } from "../../config";
import { startEmbeddedPostgres } from "./embeddedPostgres";

/**
 * The database the configuration points at: DATABASE_URL, or the embedded default database `dimo`
 * in DATA_DIR/postgres (the one `npm start` uses) — reached on its running server, or started for
 * the occasion and stopped by `stop()`.
 */
export async function configuredDatabase(config: Config): Promise<{ url: string; stop(): Promise<void> }> {
  if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => {} };
  const dir = path.resolve(config.dataDir, "postgres");
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
