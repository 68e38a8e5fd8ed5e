import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** `bytes` of CSPRNG output as base64url (32 bytes → 43 characters). */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString("base64url");

export const sha256 = (data: string | Buffer): Buffer => createHash("sha256").update(data).digest();

export const hmacSha256 = (key: Buffer, ...parts: string[]): Buffer => {
  const h = createHmac("sha256", key);
  // Length-prefixed parts: ("ab","c") and ("a","bc") never collide.
  for (const p of parts) h.update(`${Buffer.byteLength(p)}:${p}`);
  return h.digest();
};

/** Constant-time comparison of two byte strings (false on different lengths). */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
