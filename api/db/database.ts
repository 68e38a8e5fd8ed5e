import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from "kysely";
import pg from "pg";
import type { Logger } from "pino";
import { loggable } from "../lib/loggable";
import type { ConsoleDatabase } from "./console";
import type { IndexedDatabase } from "./indexed";

export type Database = IndexedDatabase & ConsoleDatabase;

export type DatabaseOptions = {
  poolMax: number;
  /** Server-side cap on every statement of every pooled connection. */
  statementTimeoutMs: number;
  /** How long a request waits for a pooled connection (or a new one) before failing with 503. */
  connectTimeoutMs?: number;
  /**
   * Run parameterized statements as named prepared statements (default true), so Postgres parses
   * and plans each query shape once per connection instead of on every request. Turn off behind
   * a transaction-pooling proxy that cannot keep them.
   */
  preparedStatements?: boolean;
  logger?: Logger;
};

/** A pg pool and the same pool as Kysely's dialect sees it (prepared statements when asked). */
export type DatabasePool = { pg: pg.Pool; dialect: PostgresPool };

/**
 * A pg Pool whose connections start with `statement_timeout`, so no query outlives its request by
 * much. A broken connection is dropped by the pool and the next query dials again, so the API
 * recovers by itself when Postgres comes back; nothing here remembers a failure.
 */
export function createPool(url: string, opts: DatabaseOptions & { applicationName?: string }): DatabasePool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolMax,
    options: `-c statement_timeout=${opts.statementTimeoutMs}`,
    // A client-side guard too, for a peer that vanished without closing the socket.
    query_timeout: opts.statementTimeoutMs + 2_000,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: opts.applicationName ?? "dimo-console-api",
  });
  // An idle connection dying (Postgres restarted) must not crash the process; the pool replaces it.
  pool.on("error", (error) => opts.logger?.warn({ error: loggable(error) }, "idle database connection lost"));
  keepClientErrors(pool);
  return { pg: pool, dialect: opts.preparedStatements === false ? pool : withPreparedStatements(pool) };
}

/**
 * pg-pool listens for errors only on idle clients. A server that goes away (a standby stopped, a
 * fast shutdown) sends its FATAL to every connection, and one that is checked out between two
 * statements would emit an unheard 'error' and end the process. Every client gets a listener for
 * its whole life; the broken client then fails its next query (handled) and is not reused.
 */
export function keepClientErrors(pool: pg.Pool): void {
  pool.on("connect", (client) => client.on("error", () => {}));
}

/** Kysely over a dialect pool (a plain one, or api/db/replicas.ts's router). */
export function databaseOver(pool: PostgresPool): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Kysely over a new pool on `url` (see createPool). */
export function createDatabase(url: string, opts: DatabaseOptions): Kysely<Database> {
  return databaseOver(createPool(url, opts).dialect);
}

/** Distinct statement texts that get a name; past this, queries run unnamed (bounds server memory). */
const MAX_PREPARED = 256;

/**
 * Names every parameterized query by its SQL text (Kysely compiles the same text for the same
 * query shape), which makes pg prepare it once per connection and only bind afterwards.
 */
function withPreparedStatements(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_PREPARED) {
      name = `api_${names.size}`;
      names.set(text, name);
    }
    return name;
  };
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let destroy = false;
    const query = async (text: string, values: readonly unknown[]) => {
      const name = values.length > 0 ? nameOf(text) : undefined;
      if (name === undefined) return client.query(text, values as unknown[]);
      try {
        return await client.query({ name, text, values: values as unknown[] });
      } catch (error) {
        // A view recreated with other column types invalidates the cached plan for good on this
        // connection: answer unnamed now and let the pool replace the connection on release.
        if ((error as { code?: string }).code !== "0A000") throw error;
        destroy = true;
        return client.query(text, values as unknown[]);
      }
    };
    return {
      get processID() {
        return (client as unknown as { processID?: number }).processID;
      },
      query: ((textOrCursor: unknown, values?: readonly unknown[]) =>
        typeof textOrCursor === "string"
          ? query(textOrCursor, values ?? [])
          : client.query(textOrCursor as pg.Submittable)) as unknown as PostgresPoolClient["query"],
      release: (discard?: boolean) => client.release(discard || destroy ? true : undefined),
    };
  };
  return {
    Client: pg.Client,
    options: pool.options,
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = wrap(client);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}
