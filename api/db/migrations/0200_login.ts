import { type Kysely, sql } from "kysely";

/**
 * Login with DIMO: signing keys, one-time challenges and the challenge rate-limit counters.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations see the database as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  // Token signing keys. The private JWK is sealed (AES-256-GCM, key derived from the API secret);
  // the public JWK is published while the key is current or its tokens may still be alive.
  await db.schema
    .withSchema("console")
    .createTable("signing_key")
    .addColumn("kid", "text", (c) => c.primaryKey())
    .addColumn("alg", "text", (c) => c.notNull())
    .addColumn("public_jwk", "jsonb", (c) => c.notNull())
    .addColumn("private_jwk_sealed", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("retired_at", "timestamptz")
    .execute();
  // At most one current key, so replicas starting together cannot both create one.
  await sql`CREATE UNIQUE INDEX signing_key_one_current ON console.signing_key ((true)) WHERE retired_at IS NULL`.execute(
    db,
  );

  // One row per issued challenge: `flow` web3 (Dex form flow, key = state) or siwe (JSON flow,
  // key = nonce). Consumed atomically by the first submission, whatever its outcome.
  await db.schema
    .withSchema("console")
    .createTable("login_challenge")
    .addColumn("flow", "text", (c) => c.notNull().check(sql`flow in ('web3', 'siwe')`))
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("client_id", "text", (c) => c.notNull())
    .addColumn("domain", "text")
    .addColumn("audience", "jsonb")
    .addColumn("oidc_nonce", "text")
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("consumed_at", "timestamptz")
    .addPrimaryKeyConstraint("login_challenge_pk", ["flow", "key"])
    .execute();
  await db.schema
    .withSchema("console")
    .createIndex("login_challenge_expires")
    .on("login_challenge")
    .column("expires_at")
    .execute();

  // rate-limiter-flexible's RateLimiterPostgres table (its own DDL). Unlogged: counters are
  // ephemeral, and skipping the WAL keeps every challenge request one cheap write.
  await sql`CREATE UNLOGGED TABLE console.login_rate_limit (
    key varchar(255) PRIMARY KEY,
    points integer NOT NULL DEFAULT 0,
    expire bigint
  )`.execute(db);
}
