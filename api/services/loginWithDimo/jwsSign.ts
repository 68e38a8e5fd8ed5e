import { createPrivateKey, type JsonWebKey, type KeyObject, sign } from "node:crypto";
import type { JWK, JWTPayload } from "jose";

// Compact JWS signing on node:crypto, synchronously. jose's signing goes through WebCrypto, whose
// per-call job dispatch cost more than the ES256 signature itself on the login hot path (two
// tokens per login). The output is the same RFC 7515 compact serialization; jose still generates
// keys and verifies every token.

export type JwtAlg = "ES256" | "RS256";

export type JwsSigner = (claims: JWTPayload) => string;

export function jwsSigner(privateJwk: JWK, alg: JwtAlg, kid: string): JwsSigner {
  const key: KeyObject = createPrivateKey({ key: privateJwk as JsonWebKey, format: "jwk" });
  const header = Buffer.from(JSON.stringify({ alg, kid, typ: "JWT" })).toString("base64url");
  // ES256 signatures are r‖s (IEEE P1363) in JWS, not DER.
  const signWith = alg === "ES256" ? { key, dsaEncoding: "ieee-p1363" as const } : key;
  return (claims) => {
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
    return `${input}.${sign("sha256", Buffer.from(input), signWith).toString("base64url")}`;
  };
}
