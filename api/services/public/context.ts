import { type Kysely, type SelectQueryBuilder, type StringReference, sql } from "kysely";
import type { Database } from "../../db/database";
import type { CursorCodec } from "../../lib/cursor";

/** What every query service needs; built once per app from its dependencies. */
export type ServiceContext = {
  db: Kysely<Database>;
  clock: () => Date;
  cursors: CursorCodec;
  /** The configured DevLicenseDimo, lowercase as the indexer stores addresses. */
  devLicense: string;
};

export const DEFAULT_LIMIT = 20;

/**
 * A window of a list ordered by a key, as identity-api's GraphQL connections ask for one (the
 * arguments already checked): rows after and/or before a key (in list order), at most `limit` of
 * them, from the end of that range when `fromEnd` (`last`). For token-id lists the keys are
 * decimal token ids.
 */
export type Window = { limit: number; after: string | null; before: string | null; fromEnd: boolean };

/** A window's rows in list order, the total the filters match, and whether a row lay past `limit`. */
export type WindowPage<T> = { totalCount: number; items: T[]; more: boolean };

/**
 * Reads one window of a list ordered by a descending token-id key (licenses, vehicles): the rows
 * past the window's cursors, one extra to tell whether more follow, and the count of the whole
 * filtered list, both at once. `base` is the filtered list; `key` its token-id column.
 */
export async function readWindow<DB, TB extends keyof DB, O, T>(
  db: Kysely<Database>,
  base: SelectQueryBuilder<DB, TB, O>,
  key: StringReference<DB, TB>,
  w: Window,
  shape: (row: O) => T,
): Promise<WindowPage<T>> {
  const ref = sql.ref(key);
  let query = base;
  if (w.after !== null) query = query.where(sql<boolean>`${ref} < ${w.after}`);
  if (w.before !== null) query = query.where(sql<boolean>`${ref} > ${w.before}`);
  const [counted, rows] = await Promise.all([
    db
      .selectFrom(base.as("f"))
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow(),
    query
      .orderBy(ref, w.fromEnd ? "asc" : "desc")
      .limit(w.limit + 1)
      .execute(),
  ]);
  const items = rows.slice(0, w.limit).map(shape);
  if (w.fromEnd) items.reverse();
  return { totalCount: Number(counted.n), items, more: rows.length > w.limit };
}
