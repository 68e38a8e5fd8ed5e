import type { ColumnType } from "kysely";

// Row types of provider sign-in and passkey tables (migration 0150_console_sign_in).

type Timestamp = ColumnType<Date, Date, Date>;
type NullableTimestamp = ColumnType<Date | null, Date | null | undefined, Date | null>;

interface OAuthStateTable {
  /** SHA-256 of the `state` parameter. */
  state_hash: Buffer;
  provider: string;
  /** SHA-256 of the browser-binding cookie set at start. */
  browser_hash: Buffer;
  code_verifier: string;
  /** OIDC nonce; null for GitHub (plain OAuth 2). */
  nonce: string | null;
  return_to: string;
  link_account_id: string | null;
  link_session_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  consumed_at: NullableTimestamp;
}

interface WebAuthnChallengeTable {
  challenge: string;
  purpose: "register" | "authenticate";
  account_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  consumed_at: NullableTimestamp;
}

interface PasskeyTable {
  /** Credential id, base64url. */
  id: string;
  account_id: string;
  /** COSE public key. */
  public_key: Buffer;
  /** Signature counter (bigint in Postgres: pg returns it as a string). */
  counter: ColumnType<string, number | string | undefined, number | string>;
  transports: ColumnType<string[], string[] | undefined, string[]>;
  device_type: "singleDevice" | "multiDevice";
  backed_up: boolean;
  aaguid: string | null;
  label: string;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
}

export interface SignInTables {
  "console.oauth_states": OAuthStateTable;
  "console.webauthn_challenges": WebAuthnChallengeTable;
  "console.passkeys": PasskeyTable;
}
