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
