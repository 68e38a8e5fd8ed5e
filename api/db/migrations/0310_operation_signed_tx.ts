import { type Kysely, sql } from "kysely";

/**
 * A managed-wallet operation's signed transaction, written (committed) before it is handed to the
 * node. An API killed after that moment leaves an operation whose exact transaction is known: the
 * follower sends the same bytes again if the node never got them (same nonce, same hash: at most
 * one can ever be mined), instead of an operation sent but never recorded, or recorded but never
 * sent (found by test/faults/opsCrash.test.ts).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations see the database as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE console.operations ADD COLUMN raw_tx text`.execute(db);
}
