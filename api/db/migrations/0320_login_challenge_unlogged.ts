import { type Kysely, sql } from "kysely";

/**
 * Login challenges skip the WAL, like the rate-limit counters: each lives for minutes, and a
 * login writes two of them (issue, consume), whose commit flushes were the largest share of the
 * database's time per login. After a database crash the table comes back empty, so an issued
 * challenge is simply unknown (the client asks for a new one) and none can be replayed.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations see the database as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE console.login_challenge SET UNLOGGED`.execute(db);
}
