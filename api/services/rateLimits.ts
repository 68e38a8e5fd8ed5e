import { CompiledQuery, type Kysely } from "kysely";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import type { Database } from "../db/database";
import { RateLimitedError } from "../errors";
import { sha256 } from "../lib/tokens";

export const RATE_LIMIT_TABLE = "account_rate_limits";

/** A 429 that knows when to come back (routes turn it into `Retry-After`). */
export class RetryLaterError extends RateLimitedError {
  override name = "RetryLaterError";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, { retryAfterSeconds });
  }
}

export type Limiter = {
  /** Counts one event for `key`; throws RetryLaterError once the window's points are spent. */
  consume(key: string, message: string): Promise<void>;
};

/**
 * RateLimiterPostgres over the API's own pool (through Kysely, so no second pool per replica):
 * counters live in `console.account_rate_limits`, created by migration 0100, shared by every
 * replica. Keys are hashed, so the table holds no emails or addresses.
 */
export function postgresLimiter(
  db: Kysely<Database>,
  opts: { prefix: string; points: number; windowSeconds: number },
): Limiter {
  const storeClient = {
    // The only client method the limiter calls: pg's query({text, values}) → {rows, rowCount}.
    async query(q: { text: string; values?: unknown[] }) {
      const result = await db.executeQuery(CompiledQuery.raw(q.text, q.values ?? []));
      return { rows: result.rows, rowCount: result.rows.length || Number(result.numAffectedRows ?? 0) };
    },
  };
  const limiter = new RateLimiterPostgres({
    storeClient,
    storeType: "pool",
    schemaName: "console",
    tableName: RATE_LIMIT_TABLE,
    tableCreated: true,
    // Expired rows are overwritten on the next hit; a sweep per replica keeps the table small.
    clearExpiredByTimeout: true,
    keyPrefix: opts.prefix,
    points: opts.points,
    duration: opts.windowSeconds,
  });
  return {
    async consume(key, message) {
      try {
        await limiter.consume(sha256(key).toString("base64url").slice(0, 32));
      } catch (error) {
        if (error instanceof RateLimiterRes) {
          throw new RetryLaterError(message, Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
        }
        throw error;
      }
    },
  };
}
