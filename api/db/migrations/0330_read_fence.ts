import { type Kysely, sql } from "kysely";

/**
 * The read fence (api/db/replicas.ts): the primary's WAL position as of the last operation marked
 * `indexed`. A hot standby serves reads only once it has replayed past it, so a standby that was
 * down or lagging while an operation became `indexed` cannot answer without that change when it
 * comes back. One row; every API replica reads it with its standby checks.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations see the database as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE console.read_fence (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    lsn pg_lsn NOT NULL
  )`.execute(db);
  await sql`INSERT INTO console.read_fence (lsn) VALUES ('0/0')`.execute(db);
}
