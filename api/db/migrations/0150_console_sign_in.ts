import { type Kysely, sql } from "kysely";

/**
 * Google / Apple / GitHub sign-in and passkeys: the pending provider sign-ins (state, PKCE verifier,
 * nonce), WebAuthn challenges and passkey credentials. Pending state lives in Postgres, not in
 * process memory, so a sign-in started on one replica finishes on another.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations see the database as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  const s = db.schema.withSchema("console");

  // One row per started provider sign-in, keyed by SHA-256 of `state` (the row cannot be found
  // from a database dump without the browser's URL) and bound to the browser by a cookie hash.
  // A row with link_account_id links the provider to that account instead of signing in.
  await s
    .createTable("oauth_states")
    .addColumn("state_hash", "bytea", (c) => c.primaryKey())
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("browser_hash", "bytea", (c) => c.notNull())
    .addColumn("code_verifier", "text", (c) => c.notNull())
    .addColumn("nonce", "text")
    .addColumn("return_to", "text", (c) => c.notNull())
    .addColumn("link_account_id", "uuid", (c) => c.references("console.accounts.id").onDelete("cascade"))
    .addColumn("link_session_id", "uuid", (c) => c.references("console.sessions.id").onDelete("cascade"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("consumed_at", "timestamptz")
    .addCheckConstraint("oauth_states_link_pair", sql`(link_account_id IS NULL) = (link_session_id IS NULL)`)
    .execute();
  await s.createIndex("oauth_states_expires").on("oauth_states").column("expires_at").execute();

  // WebAuthn challenges: single use, short-lived; a registration challenge belongs to the account
  // that asked, a sign-in challenge to nobody yet (discoverable credentials).
  await s
    .createTable("webauthn_challenges")
    .addColumn("challenge", "text", (c) => c.primaryKey())
    .addColumn("purpose", "text", (c) => c.notNull().check(sql`purpose in ('register', 'authenticate')`))
    .addColumn("account_id", "uuid", (c) => c.references("console.accounts.id").onDelete("cascade"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("consumed_at", "timestamptz")
    .addCheckConstraint("webauthn_challenges_owner", sql`(purpose = 'register') = (account_id IS NOT NULL)`)
    .execute();
  await s.createIndex("webauthn_challenges_expires").on("webauthn_challenges").column("expires_at").execute();

  // Passkeys by credential id (base64url, as WebAuthn JSON carries it). Only the public key is
  // kept; the signature counter detects a cloned authenticator.
  await s
    .createTable("passkeys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "uuid", (c) => c.notNull().references("console.accounts.id").onDelete("cascade"))
    .addColumn("public_key", "bytea", (c) => c.notNull())
    .addColumn("counter", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("transports", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn("device_type", "text", (c) =>
      c.notNull().check(sql`device_type in ('singleDevice', 'multiDevice')`),
    )
    .addColumn("backed_up", "boolean", (c) => c.notNull())
    .addColumn("aaguid", "text")
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("last_used_at", "timestamptz")
    .execute();
  await s.createIndex("passkeys_account").on("passkeys").column("account_id").execute();
}
