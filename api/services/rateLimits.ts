import type { Kysely } from "kysely";
import type { Database } from "../db/database";
import { type CounterTable, windowCounter } from "../db/windowCounter";
import { RateLimitedError } from "../errors";
import { sha256 } from "../lib/tokens";

/** One key to count, refused past `points` hits in the window (0 = unlimited). */
type LimitCheck = { key: string; points: number };

export type RateLimiter = {
  /** Counts one hit on `key`; throws RateLimitedError (with its Retry-After) past the limit. */
  consume(key: string, message: string): Promise<void>;
  /** Counts one hit on each key in ONE statement (the login hot path), each with its own limit. */
  consumeAll(checks: LimitCheck[], message: string): Promise<void>;
};

export type RateLimiterOptions = {
  /** Fixed-window counters shared by every replica (api/db/windowCounter.ts). */
  table: CounterTable;
  /** Namespace of this limiter's keys within the table. */
  prefix: string;
  /** The limit `consume` applies; 0 = unlimited. */
  points: number;
  windowSeconds: number;
};

/**
 * The API's one rate limiter: fixed windows in Postgres, so every replica sees the same counts.
 * Keys are hashed, so the tables hold no emails, addresses or IPs.
 */
export function rateLimiter(db: Kysely<Database>, opts: RateLimiterOptions): RateLimiter {
  const count = windowCounter(db, opts.table);
  const windowMs = opts.windowSeconds * 1000;
  const hashed = (key: string) => `${opts.prefix}:${sha256(key).toString("base64url").slice(0, 32)}`;

  const consumeAll = async (checks: LimitCheck[], message: string) => {
    const limits = new Map<string, number>();
    for (const c of checks) if (c.points > 0) limits.set(hashed(c.key), c.points);
    if (limits.size === 0) return;
    const now = Date.now();
    let retryMs = 0;
    for (const w of await count([...limits.keys()], windowMs)) {
      if (w.points > limits.get(w.key)!) retryMs = Math.max(retryMs, w.expire - now);
    }
    if (retryMs > 0) throw new RateLimitedError(message, Math.max(1, Math.ceil(retryMs / 1000)));
  };

  return {
    consume: (key, message) => consumeAll([{ key, points: opts.points }], message),
    consumeAll,
  };
}
