import type { Kysely } from "kysely";
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
