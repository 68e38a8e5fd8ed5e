import type { Kysely } from "kysely";
import type { Database } from "../db/database";
import { type CounterTable, type CountKey, windowCounter } from "../db/windowCounter";
import { RateLimitedError } from "../errors";
import { sha256 } from "../lib/tokens";

/** One key to count, refused past `points` hits in its window (0 = unlimited). */
type LimitCheck = {
  key: string;
  points: number;
  /** Default: the limiter's window. */
  windowSeconds?: number;
  /** The refusal's message when this check is the one over; default: the call's message. */
  message?: string;
  /**
   * A limit shared by many callers (per email, per client id): counted only when every other check
   * of the call passed, so a caller over its own limits cannot use it up for everyone else.
   */
  ceiling?: boolean;
};

export type RateLimiter = {
  /** Counts one hit on `key`; throws RateLimitedError (with its Retry-After) past the limit. */
  consume(key: string, message: string): Promise<void>;
  /**
   * Counts one hit on each key in ONE statement (the login hot path), each with its own limit and
   * window; refuses with the message of the first check (in order) that is over.
   */
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
  const hashed = (key: string) => `${opts.prefix}:${sha256(key).toString("base64url").slice(0, 32)}`;

  const consumeAll = async (checks: LimitCheck[], message: string) => {
    const byKey = new Map<string, LimitCheck & { order: number }>();
    checks.forEach((c, order) => {
      if (c.points > 0) byKey.set(hashed(c.key), { ...c, order });
    });
    if (byKey.size === 0) return;
    const own: CountKey[] = [];
    const ceilings: CountKey[] = [];
    for (const [key, c] of byKey) {
      const k = { key, windowMs: (c.windowSeconds ?? opts.windowSeconds) * 1000, limit: c.points };
      (c.ceiling ? ceilings : own).push(k);
    }
    const now = Date.now();
    const over = (await count(own, ceilings))
      .map((w) => ({ w, check: byKey.get(w.key)! }))
      .filter(({ w, check }) => w.points > check.points)
      .sort((a, b) => a.check.order - b.check.order);
    if (over.length === 0) return;
    const retryMs = Math.max(...over.map(({ w }) => w.expire - now));
    throw new RateLimitedError(over[0]!.check.message ?? message, Math.max(1, Math.ceil(retryMs / 1000)));
  };

  return {
    consume: (key, message) => consumeAll([{ key, points: opts.points }], message),
    consumeAll,
  };
}
