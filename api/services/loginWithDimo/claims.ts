import { createHash, randomUUID } from "node:crypto";
import type { JWTPayload } from "jose";
import { getAddress } from "viem";

// Claims of the developer JWTs (docs/login-with-dimo.md).

/** The connector id Dex's DIMO fork gives web3 logins; part of the Dex-style subject. */
const DEX_CONNECTOR_ID = "web3";

function protoString(field: number, value: string): Buffer {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length > 127) throw new Error("subject part too long for a one-byte length");
  return Buffer.concat([Buffer.from([(field << 3) | 2, bytes.length]), bytes]);
}

/**
 * Dex's subject: base64url (no padding) of the protobuf IDTokenSubject {user_id: 1, conn_id: 2},
 * with user_id = the checksummed clientId. DIMO services that decode `sub` to find the user id
 * (token-exchange-api does) read the same value from our tokens as from auth.dimo.zone's.
 */
export function dexSubject(clientId: string): string {
  return Buffer.concat([protoString(1, getAddress(clientId)), protoString(2, DEX_CONNECTOR_ID)]).toString(
    "base64url",
  );
}

/** Reverses dexSubject: the user id, or null when `sub` is not a Dex subject. */
export function userIdOfDexSubject(sub: string): string | null {
  const raw = Buffer.from(sub, "base64url");
  if (raw.length < 2 || raw[0] !== 0x0a) return null;
  const len = raw[1]!;
  if (raw.length < 2 + len) return null;
  return raw.subarray(2, 2 + len).toString("utf8");
}

export type DeveloperClaimsInput = {
  issuer: string;
  clientId: string;
  /** `aud`: the client_id as the client sent it (Dex echoes its client id), or a list. */
  audience: string | string[];
  /** The license signer (API key) whose signature earned the token. */
  signer: string;
  issuedAt: number;
  expiresAt: number;
};

export type DeveloperClaims = JWTPayload & { ethereum_address: string; signer: string };

/**
 * Claims every developer JWT carries: iss, sub, aud, iat, exp, ethereum_address, and `signer`,
 * the API key that earned it: the token lives only as long as that key stays an enabled,
 * unexpired signer of an active license (developers.ts checks it on every use).
 */
export function developerClaims(input: DeveloperClaimsInput): DeveloperClaims {
  return {
    iss: input.issuer,
    sub: dexSubject(input.clientId),
    aud: input.audience,
    iat: input.issuedAt,
    exp: input.expiresAt,
    ethereum_address: getAddress(input.clientId),
    signer: getAddress(input.signer),
  };
}

/** OIDC at_hash for ES256/RS256 (both SHA-256): base64url of the left half of the hash. */
export function accessTokenHash(accessToken: string): string {
  return createHash("sha256").update(accessToken, "ascii").digest().subarray(0, 16).toString("base64url");
}

export const newJti = (): string => randomUUID();
