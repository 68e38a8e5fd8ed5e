import type { Kysely } from "kysely";

/** The API's own schema; the indexer owns `dimo` and Ponder's deployment schemas. */
// biome-ignore lint/suspicious/noExplicitAny: migrations see the database as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createSchema("console").ifNotExists().execute();
}
