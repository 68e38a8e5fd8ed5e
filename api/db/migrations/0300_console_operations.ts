import { type Kysely, sql } from "kysely";

/**
 * Console operations: every chain write the console makes (or prepares for an external wallet),
 * followed from prepared/submitted to mined and indexed. A managed wallet's nonces come from the
 * chain's pending count and its own in-flight operations, under a per-wallet advisory lock (see
 * api/services/console/operations/sender.ts). API-key labels live in console.api_key_labels (0100).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations see the database as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema("console")
    .createTable("operations")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("account_id", "uuid", (c) => c.notNull().references("console.accounts.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('prepared', 'submitted', 'mined', 'indexed', 'failed')`),
    )
    .addColumn("wallet_address", "text", (c) => c.notNull().check(sql`wallet_address ~ '^0x[0-9a-f]{40}$'`))
    .addColumn("wallet_kind", "text", (c) => c.notNull().check(sql`wallet_kind in ('managed', 'external')`))
    .addColumn("chain_id", "bigint", (c) => c.notNull())
    .addColumn("to_address", "text", (c) => c.notNull())
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("value", sql`numeric(78)`, (c) => c.notNull().defaultTo(0))
    .addColumn("nonce", "bigint")
    .addColumn("tx_hash", "text", (c) => c.unique())
    .addColumn("block_number", "bigint")
    // {code, message, details?}: why the operation failed, decoded (e.g. AliasAlreadyInUse).
    .addColumn("error", "jsonb")
    // What was asked (tokenId, alias, uri, signer, amounts); never a secret.
    .addColumn("params", "jsonb", (c) => c.notNull())
    // What the chain answered once mined (tokenId and clientId of a new license).
    .addColumn("result", "jsonb")
    .addColumn("token_id", sql`numeric(78)`)
    // The alias an open create/rename claims; the partial unique index below reserves it.
    .addColumn("alias", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull())
    .addColumn("submitted_at", "timestamptz")
    .addColumn("mined_at", "timestamptz")
    .addColumn("indexed_at", "timestamptz")
    .execute();

  // Two open operations can never claim the same alias: the second insert fails → 409.
  await sql`CREATE UNIQUE INDEX operations_open_alias ON console.operations (alias)
    WHERE alias IS NOT NULL AND status IN ('prepared', 'submitted', 'mined')`.execute(db);
  // The follower's work list stays small whatever the history holds.
  await sql`CREATE INDEX operations_open ON console.operations (status, updated_at)
    WHERE status IN ('prepared', 'submitted', 'mined')`.execute(db);
  await db.schema
    .withSchema("console")
    .createIndex("operations_account")
    .on("operations")
    .columns(["account_id", "created_at"])
    .execute();

  // Nonces of a managed wallet's in-flight transactions: the sender takes max(chain pending, this + 1).
  await sql`CREATE INDEX operations_in_flight ON console.operations (wallet_address, nonce)
    WHERE status = 'submitted'`.execute(db);
}
