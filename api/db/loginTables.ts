import type { ColumnType, Generated } from "kysely";

// Row types of the login tables (migration 0200_login).

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface SigningKeyTable {
  kid: string;
  /** "ES256" | "RS256" */
  alg: string;
  public_jwk: ColumnType<Record<string, unknown>, string, string>;
  /** AES-256-GCM sealed private JWK (api/lib/sealed.ts). */
  private_jwk_sealed: string;
  created_at: Timestamp;
  /** When a newer key replaced it; null for the current key. */
  retired_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
}

export interface LoginChallengeTable {
  /** "web3" (form flow, key = state) | "siwe" (JSON flow, key = nonce) */
  flow: string;
  key: string;
  /** The license's clientId, lowercase. */
  client_id: string;
  /** The redirect URI the web3 flow was started for; null for the JSON flow. */
  domain: string | null;
  /** Extra audiences asked for by the JSON flow (JSON array of strings). */
  audience: ColumnType<string[] | null, string | null, string | null>;
  oidc_nonce: string | null;
  message: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  consumed_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
}

export interface LoginRateLimitTable {
  key: string;
  points: Generated<number>;
  expire: ColumnType<string | null, number | null, number | null>;
}
