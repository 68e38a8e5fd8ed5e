import { CompiledQuery, type Kysely } from "kysely";
import type { Database } from "./database";

// Fixed-window counters in Postgres, shared by every replica: one row per key (key, points,
// expire in epoch ms; rate-limiter-flexible's layout, which the tables kept), UNLOGGED since the
// counts are ephemeral. A request's keys are all counted in ONE statement: on the login hot path a
// statement per counter cost more than the challenge itself.

export type WindowCount = { key: string; points: number; expire: number };

/** One key to count, in its own window; `limit` decides whether the ceilings are counted. */
export type CountKey = { key: string; windowMs: number; limit: number };

/** Tables with this layout (migrations 0100 and 0200). */
export type CounterTable = "account_rate_limits" | "login_rate_limit";

/** Every this many counts, one replica deletes windows that ended. */
const PRUNE_EVERY = 1_000;

const upsert = (
  table: CounterTable,
  keys: string,
  windows: string,
) => `INSERT INTO console.${table} AS r (key, points, expire)
  SELECT k, 1, $1::bigint + w FROM unnest(${keys}::text[], ${windows}::bigint[]) AS t(k, w)
  ON CONFLICT (key) DO UPDATE SET
    points = CASE WHEN r.expire > $1::bigint THEN r.points + 1 ELSE 1 END,
    expire = CASE WHEN r.expire > $1::bigint THEN r.expire ELSE excluded.expire END
  RETURNING key, points, expire::text AS expire`;

/**
 * Returns `count(keys, ceilings)`: one more hit on each key, in the key's current window (a window
 * that ended restarts at 1), answering each key's hits so far and when its window ends. The
 * `ceilings` are counted in the same statement only when no key of `keys` went over its limit:
 * a caller refused by its own limits never spends a limit it shares with everyone else.
 */
export function windowCounter(db: Kysely<Database>, table: CounterTable) {
  const plain = upsert(table, "$2", "$3");
  const staged = `WITH first AS (${upsert(table, "$2", "$3")}),
  second AS (${upsert(table, "$5", "$6").replace(
    "AS t(k, w)",
    `AS t(k, w) WHERE NOT EXISTS (
      SELECT 1 FROM first f JOIN unnest($2::text[], $4::bigint[]) AS l(k, lim) ON l.k = f.key
      WHERE f.points > l.lim)`,
  )})
  SELECT * FROM first UNION ALL SELECT * FROM second`;
  const prune = `DELETE FROM console.${table} WHERE expire < $1::bigint`;
  let counts = 0;

  return async (keys: CountKey[], ceilings: CountKey[] = []): Promise<WindowCount[]> => {
    const now = Date.now();
    const query =
      ceilings.length === 0
        ? CompiledQuery.raw(plain, [now, keys.map((k) => k.key), keys.map((k) => k.windowMs)])
        : CompiledQuery.raw(staged, [
            now,
            keys.map((k) => k.key),
            keys.map((k) => k.windowMs),
            keys.map((k) => k.limit),
            ceilings.map((k) => k.key),
            ceilings.map((k) => k.windowMs),
          ]);
    const { rows } = await db.executeQuery<{ key: string; points: number; expire: string }>(query);
    if (++counts % PRUNE_EVERY === 0) {
      // Housekeeping off the request path; a failure only delays it to the next round.
      db.executeQuery(CompiledQuery.raw(prune, [now])).catch(() => {});
    }
    return rows.map((r) => ({ key: r.key, points: r.points, expire: Number(r.expire) }));
  };
}
