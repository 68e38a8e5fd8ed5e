import type { Context } from "hono";
import { CompiledQuery, type Kysely } from "kysely";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import type { Database } from "../db/database";
import { RateLimitedError } from "../errors";
import { clientIp } from "./clientIp";

// Fixed-window limits (per minute) shared by every replica: the counters live in Postgres
// (console.login_rate_limit, created by migration 0200_login) through rate-limiter-flexible.

export type RateLimitOptions = {
  db: Kysely<Database>;
  /** Bucket name, e.g. "login"; keys are `${name}_ip:<ip>` and `${name}_client:<id>`. */
  name: string;
  /** Requests per minute per client IP; 0 = unlimited. */
  perIp: number;
  /** Requests per minute per client (client_id / address); 0 = unlimited. */
  perClient: number;
  trustProxyHops: number;
};

/** rate-limiter-flexible speaks to a pg pool (`query({text, values})`); this one runs on Kysely's. */
function kyselyStore(db: Kysely<Database>) {
  return {
    query: (q: { text: string; values?: unknown[] }) =>
      db.executeQuery(CompiledQuery.raw(q.text, q.values ?? [])),
  };
}

function limiter(db: Kysely<Database>, keyPrefix: string, points: number) {
  if (points <= 0) return null;
  return new RateLimiterPostgres({
    storeClient: kyselyStore(db),
    storeType: "pool",
    schemaName: "console",
    tableName: "login_rate_limit",
    tableCreated: true,
    keyPrefix,
    points,
    duration: 60,
  });
}

/**
 * Returns a check to await in a handler once the client key is known: it counts one request for
 * the caller's IP and for `clientKey`, and throws RateLimitedError (429, Retry-After set) when
 * either is over its limit.
 */
export function rateLimit(opts: RateLimitOptions) {
  const perIp = limiter(opts.db, `${opts.name}_ip`, opts.perIp);
  const perClient = limiter(opts.db, `${opts.name}_client`, opts.perClient);
  return async (c: Context, clientKey: string | null): Promise<void> => {
    try {
      if (perIp) await perIp.consume(clientIp(c, opts.trustProxyHops));
      if (perClient && clientKey) await perClient.consume(clientKey.toLowerCase());
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const retryAfter = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      c.header("Retry-After", String(retryAfter));
      throw new RateLimitedError(`Too many requests; retry in ${retryAfter} s`);
    }
  };
}

export type RateLimitCheck = ReturnType<typeof rateLimit>;
