import type { Context } from "hono";
import { CompiledQuery, type Kysely } from "kysely";
import type { Database } from "../db/database";
import { RateLimitedError } from "../errors";
import { clientIp } from "./clientIp";

// Fixed-window limits (per minute) on the login challenge endpoints, shared by every replica: the
// counters live in Postgres (console.login_rate_limit, created by migration 0200_login, in
// rate-limiter-flexible's layout). Both counters of a request, per IP and per client, are counted
// in ONE upsert: on the login hot path a statement per counter cost more than the challenge itself.

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

const WINDOW_MS = 60_000;
/** Every this many checks, one replica deletes windows that ended (the table is UNLOGGED, small). */
const PRUNE_EVERY = 1_000;

type CounterRow = { key: string; points: number; expire: string };

const COUNT_SQL = `INSERT INTO console.login_rate_limit AS r (key, points, expire)
  SELECT k, 1, $3::bigint FROM unnest($1::text[]) AS k
  ON CONFLICT (key) DO UPDATE SET
    points = CASE WHEN r.expire > $2::bigint THEN r.points + 1 ELSE 1 END,
    expire = CASE WHEN r.expire > $2::bigint THEN r.expire ELSE excluded.expire END
  RETURNING key, points, expire::text AS expire`;

/**
 * Returns a check to await in a handler once the client key is known: it counts one request for
 * the caller's IP and for `clientKey`, and throws RateLimitedError (429, Retry-After set) when
 * either is over its limit.
 */
export function rateLimit(opts: RateLimitOptions) {
  // One window per key: a row still inside its window counts up, an ended one restarts at 1.
  const count = async (keys: string[], now: number): Promise<CounterRow[]> =>
    (await opts.db.executeQuery<CounterRow>(CompiledQuery.raw(COUNT_SQL, [keys, now, now + WINDOW_MS]))).rows;
  let checks = 0;
  const ipPrefix = `${opts.name}_ip:`;
  const clientPrefix = `${opts.name}_client:`;

  return async (c: Context, clientKey: string | null): Promise<void> => {
    const keys: string[] = [];
    if (opts.perIp > 0) keys.push(ipPrefix + clientIp(c, opts.trustProxyHops));
    if (opts.perClient > 0 && clientKey) keys.push(clientPrefix + clientKey.toLowerCase());
    if (keys.length === 0) return;
    const now = Date.now();
    const rows = await count(keys, now);
    if (++checks % PRUNE_EVERY === 0) {
      // Housekeeping off the request path; a failure only delays it to the next round.
      opts.db
        .deleteFrom("console.login_rate_limit")
        .where("expire", "<", String(now))
        .execute()
        .catch(() => {});
    }
    let retryMs = 0;
    for (const row of rows) {
      const limit = row.key.startsWith(ipPrefix) ? opts.perIp : opts.perClient;
      if (row.points > limit) retryMs = Math.max(retryMs, Number(row.expire) - now);
    }
    if (retryMs > 0) {
      const retryAfter = Math.max(1, Math.ceil(retryMs / 1000));
      c.header("Retry-After", String(retryAfter));
      throw new RateLimitedError(`Too many requests; retry in ${retryAfter} s`);
    }
  };
}

export type RateLimitCheck = ReturnType<typeof rateLimit>;
