import fs from "node:fs";
import path from "node:path";
import type { Config } from "../../config";
import { embeddedAppRoles, type RoleLogin } from "./databaseRoles";
import { EMBEDDED_DATABASE, startEmbeddedDatabase } from "./embeddedDatabase";
import { embeddedUrl, SUPERUSER, superuserPassword } from "./embeddedPostgres";

/** Who a tool logs in as: the superuser (role admin), or the login of the part whose data it uses. */
export type DatabaseLogin = "admin" | "api" | "indexer";

/**
 * The database the configuration points at, logged in as `as`: DATABASE_URL (INDEXER_DATABASE_URL
 * for the indexer's login, when set), or the embedded default database `dimo` in DATA_DIR/postgres
 * (the one `npm start` uses) — reached on its running server, or started for the occasion and
 * stopped by `stop()`. Tools use the narrowest login that does their job: objects a tool creates
 * belong to the login it used, and the API cannot use console tables the superuser owns.
 */
export async function configuredDatabase(
  config: Config,
  as: DatabaseLogin,
): Promise<{ url: string; stop(): Promise<void> }> {
  if (config.databaseUrl) {
    const url = as === "indexer" ? (config.indexerDatabaseUrl ?? config.databaseUrl) : config.databaseUrl;
    return { url, stop: async () => {} };
  }
  const dir = path.resolve(config.dataDir, "postgres");
  if (!fs.existsSync(path.join(dir, "PG_VERSION"))) {
    throw new Error(`no database in ${dir} yet: run \`npm start\` first, or set DATABASE_URL`);
  }
  const password = superuserPassword(dir);
  const login: { user: string; password: string } =
    as === "admin" ? { user: SUPERUSER, password } : asUser(embeddedAppRoles(password)[as]);
  const pidFile = path.join(dir, "postmaster.pid");
  if (fs.existsSync(pidFile)) {
    // Line 1 is the pid, line 4 the port (Postgres' documented postmaster.pid layout).
    const [pid, , , port] = fs.readFileSync(pidFile, "utf8").split("\n");
    let alive = false;
    try {
      process.kill(Number(pid), 0);
      alive = true;
    } catch {}
    if (alive) return { url: embeddedUrl(Number(port), login, EMBEDDED_DATABASE), stop: async () => {} };
  }
  const { server } = await startEmbeddedDatabase({ dir });
  return { url: embeddedUrl(server.port, login, EMBEDDED_DATABASE), stop: () => server.stop() };
}

const asUser = (login: RoleLogin) => ({ user: login.role, password: login.password });
