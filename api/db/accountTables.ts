import type { ColumnType, Generated } from "kysely";

// Row types of the console-accounts tables (migration 0100_console_accounts).

type Timestamp = ColumnType<Date, Date, Date>;
type NullableTimestamp = ColumnType<Date | null, Date | null | undefined, Date | null>;

interface AccountTable {
  id: Generated<string>;
  /** Normalized: NFC, trimmed, lowercase. */
  email: string;
  created_at: Timestamp;
}

interface IdentityTable {
  id: Generated<string>;
  account_id: string;
  /** "google" | "apple" | "github" | … (whatever the sign-in method names itself). */
  provider: string;
  subject: string;
  /** The provider's verified email when linked, normalized. */
  email: string;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
}

interface SessionTable {
  id: Generated<string>;
  /** SHA-256 of the cookie token; the token itself is never stored. */
  token_hash: Buffer;
  account_id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  /** Absolute expiry; the idle expiry is last_seen_at + SESSION_IDLE_SECONDS. */
  expires_at: Timestamp;
  user_agent: string | null;
  ip: string | null;
  revoked_at: NullableTimestamp;
}

interface EmailCodeTable {
  id: Generated<string>;
  email: string;
  /** HMAC-SHA256(key derived from the API secret, email ‖ code). */
  code_hash: Buffer;
  created_at: Timestamp;
  expires_at: Timestamp;
  attempts: Generated<number>;
  consumed_at: NullableTimestamp;
}

interface WalletTable {
  /** Lowercase 0x address. */
  address: string;
  account_id: string;
  kind: "managed" | "external";
  /** AES-256-GCM parts of a managed wallet's private key; null for external wallets. */
  key_ciphertext: Buffer | null;
  key_iv: Buffer | null;
  key_tag: Buffer | null;
  /** Fingerprint of the encryption key the private key was sealed under. */
  key_version: string | null;
  created_at: Timestamp;
}

interface SiweNonceTable {
  nonce: string;
  account_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  consumed_at: NullableTimestamp;
}

interface ApiKeyLabelTable {
  token_id: ColumnType<string, string | bigint, string | bigint>;
  /** Lowercase 0x address of the signer. */
  signer: string;
  label: string;
  created_at: Timestamp;
}

export interface AccountTables {
  "console.accounts": AccountTable;
  "console.identities": IdentityTable;
  "console.sessions": SessionTable;
  "console.email_codes": EmailCodeTable;
  "console.wallets": WalletTable;
  "console.siwe_nonces": SiweNonceTable;
  "console.api_key_labels": ApiKeyLabelTable;
}
