import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import path from "node:path";
import { parseKey32 } from "../../config/env";
import { readPrivateFile } from "./privateFile";
import { writeFileOnce } from "./writeOnce";

export const WALLET_KEY_FILE = "wallet-encryption.key";

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The AES-256-GCM key managed-wallet private keys are sealed with, and its public fingerprint. */
export type WalletKey = { key: Buffer; version: string };

export type SealedKey = { ciphertext: Buffer; iv: Buffer; tag: Buffer; version: string };

export class WalletKeyError extends Error {
  override name = "WalletKeyError";
}

/** A short, non-reversible name for a key: stored beside each sealed key to tell keys apart. */
export function keyVersion(key: Buffer): string {
  return createHash("sha256")
    .update("dimo-console:wallet-key-version:")
    .update(key)
    .digest("hex")
    .slice(0, 16);
}

/**
 * `WALLET_ENCRYPTION_KEY` when set; else the file `WALLET_ENCRYPTION_KEY_FILE` names (kept outside
 * DATA_DIR and its backups); otherwise a random key generated once into
 * `${dataDir}/wallet-encryption.key` (mode 0600), the embedded default. A key file that is
 * missing (when named), unreadable, malformed or readable by others stops the API: silently making
 * a new key would orphan every managed wallet sealed under the old one.
 */
export function loadWalletKey(opts: {
  fromEnv: Buffer | null;
  fromFile: string | null;
  dataDir: string;
}): WalletKey {
  if (opts.fromEnv) return { key: opts.fromEnv, version: keyVersion(opts.fromEnv) };
  if (opts.fromFile) {
    const key = readKeyFile(path.resolve(opts.fromFile));
    if (!key) throw new WalletKeyError(`WALLET_ENCRYPTION_KEY_FILE: ${opts.fromFile} does not exist`);
    return { key, version: keyVersion(key) };
  }
  const file = path.resolve(opts.dataDir, WALLET_KEY_FILE);
  const existing = readKeyFile(file);
  if (existing) return { key: existing, version: keyVersion(existing) };
  writeFileOnce(file, `${randomBytes(32).toString("hex")}\n`);
  const created = readKeyFile(file);
  if (!created) throw new WalletKeyError(`${file}: could not be created`);
  return { key: created, version: keyVersion(created) };
}

function readKeyFile(file: string): Buffer | null {
  let text: string | null;
  try {
    text = readPrivateFile(file);
  } catch (error) {
    throw new WalletKeyError((error as Error).message);
  }
  if (text === null) return null;
  const key = parseKey32(text.trim());
  if (!key) throw new WalletKeyError(`${file}: malformed; it must hold 32 bytes as 64 hex digits`);
  return key;
}

/**
 * AES-256-GCM with a fresh 96-bit IV per key. `aad` (the wallet address) is authenticated, so a
 * sealed key copied onto another wallet row does not open.
 */
export function sealPrivateKey(walletKey: WalletKey, privateKey: Buffer, aad: string): SealedKey {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", walletKey.key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(privateKey), cipher.final()]);
  return { ciphertext, iv, tag: cipher.getAuthTag(), version: walletKey.version };
}

export function openPrivateKey(walletKey: WalletKey, sealed: SealedKey, aad: string): Buffer {
  if (sealed.version !== walletKey.version) {
    throw new WalletKeyError(
      `managed wallet key was sealed under encryption key ${sealed.version}, but the configured key is ${walletKey.version}`,
    );
  }
  if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES)
    throw new WalletKeyError("sealed key malformed");
  const decipher = createDecipheriv("aes-256-gcm", walletKey.key, sealed.iv);
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(sealed.tag);
  try {
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch (error) {
    throw new WalletKeyError("managed wallet key does not open (altered, or sealed for another wallet)", {
      cause: error,
    });
  }
}
