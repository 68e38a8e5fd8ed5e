import { type Kysely, sql } from "kysely";

/**
 * The API's own schema; the indexer owns `dimo` and Ponder's deployment schemas. Where the API runs
 * as a role without CREATE on the database, an administrator makes the schema for it (`npm start`
 * does, docs/security.md shows how): then there is nothing to do, and CREATE SCHEMA IF NOT EXISTS
 * would still be refused, since Postgres checks the privilege before looking.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations see the database as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  const { rows } = await sql`SELECT 1 FROM pg_namespace WHERE nspname = 'console'`.execute(db);
  if (rows.length === 0) await db.schema.createSchema("console").ifNotExists().execute();
}
