import { type Kysely, sql } from "kysely";

/**
 * Console accounts: accounts, sign-in identities, sessions, one-time email codes, wallets, SIWE
 * nonces, the rate-limit counters of sign-in, and API-key labels. Every time is written by the
 * API from its own clock (not `now()`), so tests that pin the clock see consistent expiries.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations see the database as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  const s = db.schema.withSchema("console");

  // One account per normalized email (NFC, trimmed, lowercase); the check keeps writers honest.
  await s
    .createTable("accounts")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("email", "text", (c) =>
      c.notNull().unique().check(sql`email = lower(btrim(email)) AND email <> ''`),
    )
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .execute();

  // A way to sign in (provider + the provider's stable subject), e.g. google/1234. `email` is the
  // provider's verified email when linked: it must be the account's (checked by the service).
  await s
    .createTable("identities")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("account_id", "uuid", (c) => c.notNull().references("console.accounts.id").onDelete("cascade"))
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("last_used_at", "timestamptz")
    .addUniqueConstraint("identities_provider_subject", ["provider", "subject"])
    .execute();
  await s.createIndex("identities_account").on("identities").column("account_id").execute();

  // Only the SHA-256 of a session token is kept: a database leak yields no usable cookie.
  await s
    .createTable("sessions")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("token_hash", "bytea", (c) => c.notNull().unique())
    .addColumn("account_id", "uuid", (c) => c.notNull().references("console.accounts.id").onDelete("cascade"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("last_seen_at", "timestamptz", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("user_agent", "text")
    .addColumn("ip", "text")
    .addColumn("revoked_at", "timestamptz")
    .execute();
  await s.createIndex("sessions_account").on("sessions").column("account_id").execute();

  // A code is stored as HMAC(key derived from the API secret, email ‖ code): a 6-digit code is
  // trivially brute-forced from a plain hash, not from a keyed one.
  await s
    .createTable("email_codes")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("code_hash", "bytea", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("consumed_at", "timestamptz")
    .execute();
  await s.createIndex("email_codes_email").on("email_codes").columns(["email", "id"]).execute();

  // Wallets by lowercase address (as the indexer stores owners). A managed wallet carries its
  // secp256k1 key sealed with AES-256-GCM; `key_version` names the encryption key it was sealed
  // under (a fingerprint), so a wrong key is reported as such and keys can be rotated.
  await s
    .createTable("wallets")
    .addColumn("address", "text", (c) => c.primaryKey().check(sql`address ~ '^0x[0-9a-f]{40}$'`))
    .addColumn("account_id", "uuid", (c) => c.notNull().references("console.accounts.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('managed', 'external')`))
    .addColumn("key_ciphertext", "bytea")
    .addColumn("key_iv", "bytea")
    .addColumn("key_tag", "bytea")
    .addColumn("key_version", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addCheckConstraint(
      "wallets_key_iff_managed",
      sql`(kind = 'managed') = (key_ciphertext IS NOT NULL AND key_iv IS NOT NULL AND key_tag IS NOT NULL AND key_version IS NOT NULL)`,
    )
    .addCheckConstraint(
      "wallets_external_has_no_key",
      sql`kind = 'managed' OR (key_ciphertext IS NULL AND key_iv IS NULL AND key_tag IS NULL AND key_version IS NULL)`,
    )
    .execute();
  await s.createIndex("wallets_account").on("wallets").column("account_id").execute();
  await sql`CREATE UNIQUE INDEX wallets_one_managed ON console.wallets (account_id) WHERE kind = 'managed'`.execute(
    db,
  );

  // SIWE nonces for linking an external wallet: bound to the account that asked, single use.
  await s
    .createTable("siwe_nonces")
    .addColumn("nonce", "text", (c) => c.primaryKey())
    .addColumn("account_id", "uuid", (c) => c.notNull().references("console.accounts.id").onDelete("cascade"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("consumed_at", "timestamptz")
    .execute();
  await s.createIndex("siwe_nonces_expires").on("siwe_nonces").column("expires_at").execute();

  // rate-limiter-flexible's RateLimiterPostgres table (its own DDL, created here so the API's role
  // needs no CREATE privilege). Shared by every replica; unlogged: counters are ephemeral.
  await sql`CREATE UNLOGGED TABLE console.account_rate_limits (
    key varchar(255) PRIMARY KEY,
    points integer NOT NULL DEFAULT 0,
    expire bigint
  )`.execute(db);

  // Labels of a license's API-key signers, set by the console when it creates a key.
  await s
    .createTable("api_key_labels")
    .addColumn("token_id", sql`numeric(78)`, (c) => c.notNull())
    .addColumn("signer", "text", (c) => c.notNull().check(sql`signer ~ '^0x[0-9a-f]{40}$'`))
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("api_key_labels_pk", ["token_id", "signer"])
    .execute();
}
