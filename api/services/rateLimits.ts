import type { Kysely } from "kysely";
import type { Database } from "../db/database";
import { windowCounter } from "../db/windowCounter";
import { RateLimitedError } from "../errors";
import { sha256 } from "../lib/tokens";

export const RATE_LIMIT_TABLE = "account_rate_limits" as const;

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
 * Fixed windows in `console.account_rate_limits` (migration 0100, shared by every replica,
 * api/db/windowCounter.ts). Keys are hashed, so the table holds no emails or addresses.
 */
export function postgresLimiter(
  db: Kysely<Database>,
  opts: { prefix: string; points: number; windowSeconds: number },
): Limiter {
  const count = windowCounter(db, RATE_LIMIT_TABLE);
  return {
    async consume(key, message) {
      const hashed = `${opts.prefix}:${sha256(key).toString("base64url").slice(0, 32)}`;
      const [w] = await count([hashed], opts.windowSeconds * 1000);
      if (w && w.points > opts.points) {
        throw new RetryLaterError(message, Math.max(1, Math.ceil((w.expire - Date.now()) / 1000)));
      }
    },
  };
}
