import { createPrivateKey, type KeyObject } from "node:crypto";
import { SignJWT } from "jose";
import type { AppleConfig } from "../../../../config/signIn";

/** Apple accepts client secrets valid for up to 6 months; a short one limits a leaked log line. */
const LIFETIME_SECONDS = 3_600;
/** Re-mint this long before expiry, so a secret never expires between minting and Apple's check. */
const MARGIN_SECONDS = 300;

/**
 * Sign in with Apple's client secret: an ES256 JWT {iss: team id, sub: client (Services) id,
 * aud: https://appleid.apple.com, iat, exp} signed with the team's .p8 key, `kid` = key id.
 * Minted on demand and reused until shortly before it expires.
 */
export function appleClientSecret(cfg: AppleConfig, now: () => Date = () => new Date()) {
  const key: KeyObject = createPrivateKey(cfg.privateKeyPem);
  let cached: { jwt: string; exp: number } | null = null;
  return async (): Promise<string> => {
    const iat = Math.floor(now().getTime() / 1000);
    if (cached && cached.exp - MARGIN_SECONDS > iat) return cached.jwt;
    const exp = iat + LIFETIME_SECONDS;
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: cfg.keyId })
      .setIssuer(cfg.teamId)
      .setSubject(cfg.clientId)
      // https://appleid.apple.com in production; a stand-in's issuer when APPLE_ISSUER names one.
      .setAudience(cfg.issuer)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(key);
    cached = { jwt, exp };
    return jwt;
  };
}
