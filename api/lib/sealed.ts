import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

// Authenticated encryption at rest (AES-256-GCM) for secrets the API must keep, such as token
// signing keys. The key comes from api/lib/secret.ts deriveKey; `context` is bound as associated
// data, so a sealed value copied into another row (another kid, another purpose) fails to open.

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SealError extends Error {
  override name = "SealError";
}

export function seal(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url")}`;
}

/** Throws SealError when the value was not sealed with this key and context (or was altered). */
export function open(key: Buffer, sealed: string, context: string): string {
  const [version, data] = sealed.split(".");
  if (version !== VERSION || !data) throw new SealError("unknown sealed value format");
  const raw = Buffer.from(data, "base64url");
  if (raw.length < IV_BYTES + TAG_BYTES) throw new SealError("sealed value too short");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(context, "utf8"));
  decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
      decipher.final(),
    ]).toString("utf8");
  } catch (error) {
    throw new SealError("sealed value does not open with this key (wrong API secret, or altered)", {
      cause: error,
    });
  }
}
