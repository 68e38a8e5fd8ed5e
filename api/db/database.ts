import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Logger } from "pino";
import type { ConsoleDatabase } from "./console";
import type { IndexedDatabase } from "./indexed";

export type Database = IndexedDatabase & ConsoleDatabase;

export type DatabaseOptions = {
  poolMax: number;
  /** Server-side cap on every statement of every pooled connection. */
  statementTimeoutMs: number;
  /** How long a request waits for a pooled connection (or a new one) before failing with 503. */
  connectTimeoutMs?: number;
  logger?: Logger;
};

/**
 * Kysely over a pg Pool. Each connection starts with `statement_timeout`, so no query outlives its
 * request by much. A broken connection is dropped by the pool and the next query dials again, so
 * the API recovers by itself when Postgres comes back; nothing here remembers a failure.
 */
export function createDatabase(url: string, opts: DatabaseOptions): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolMax,
    options: `-c statement_timeout=${opts.statementTimeoutMs}`,
    // A client-side guard too, for a peer that vanished without closing the socket.
    query_timeout: opts.statementTimeoutMs + 2_000,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: "dimo-console-api",
  });
  // An idle connection dying (Postgres restarted) must not crash the process; the pool replaces it.
  pool.on("error", (error) => opts.logger?.warn({ err: error }, "idle database connection lost"));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
