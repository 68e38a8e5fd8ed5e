import { CompiledQuery, type Kysely } from "kysely";
import type { Database } from "./database";

// Fixed-window counters in Postgres, shared by every replica: one row per key (key, points,
// expire in epoch ms; rate-limiter-flexible's layout, which the tables kept), UNLOGGED since the
// counts are ephemeral. A request's keys are all counted in ONE upsert: on the login hot path a
// statement per counter cost more than the challenge itself.

export type WindowCount = { key: string; points: number; expire: number };

/** Tables with this layout (migrations 0100 and 0200). */
export type CounterTable = "account_rate_limits" | "login_rate_limit";

/** Every this many counts, one replica deletes windows that ended. */
const PRUNE_EVERY = 1_000;

/**
 * Returns `count(keys, windowMs)`: one more hit on each key, in the key's current window (a window
 * that ended restarts at 1), answering each key's hits so far and when its window ends.
 */
export function windowCounter(db: Kysely<Database>, table: CounterTable) {
  const upsert = `INSERT INTO console.${table} AS r (key, points, expire)
  SELECT k, 1, $3::bigint FROM unnest($1::text[]) AS k
  ON CONFLICT (key) DO UPDATE SET
    points = CASE WHEN r.expire > $2::bigint THEN r.points + 1 ELSE 1 END,
    expire = CASE WHEN r.expire > $2::bigint THEN r.expire ELSE excluded.expire END
  RETURNING key, points, expire::text AS expire`;
  const prune = `DELETE FROM console.${table} WHERE expire < $1::bigint`;
  let counts = 0;

  return async (keys: string[], windowMs: number): Promise<WindowCount[]> => {
    const now = Date.now();
    const { rows } = await db.executeQuery<{ key: string; points: number; expire: string }>(
      CompiledQuery.raw(upsert, [keys, now, now + windowMs]),
    );
    if (++counts % PRUNE_EVERY === 0) {
      // Housekeeping off the request path; a failure only delays it to the next round.
      db.executeQuery(CompiledQuery.raw(prune, [now])).catch(() => {});
    }
    return rows.map((r) => ({ key: r.key, points: r.points, expire: Number(r.expire) }));
  };
}
