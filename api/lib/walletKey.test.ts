import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  keyVersion,
  loadWalletKey,
  openPrivateKey,
  sealPrivateKey,
  WALLET_KEY_FILE,
  WalletKeyError,
} from "./walletKey";

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "wallet-key-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("loadWalletKey", () => {
  it("generates a private key file once and reads the same key afterwards", () => {
    const dir = tmp();
    const first = loadWalletKey({ fromEnv: null, fromFile: null, dataDir: dir });
    const file = path.join(dir, WALLET_KEY_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, "utf8")).toMatch(/^[0-9a-f]{64}\n$/);
    const second = loadWalletKey({ fromEnv: null, fromFile: null, dataDir: dir });
    expect(second.key.equals(first.key)).toBe(true);
    expect(second.version).toBe(first.version);
    expect(first.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it("prefers WALLET_ENCRYPTION_KEY and writes no file", () => {
    const dir = tmp();
    const key = Buffer.alloc(32, 9);
    expect(loadWalletKey({ fromEnv: key, fromFile: null, dataDir: dir })).toEqual({
      key,
      version: keyVersion(key),
    });
    expect(fs.existsSync(path.join(dir, WALLET_KEY_FILE))).toBe(false);
  });

  it("refuses a malformed, empty or group-readable key file rather than making a new key", () => {
    const dir = tmp();
    const file = path.join(dir, WALLET_KEY_FILE);
    fs.writeFileSync(file, "not a key\n", { mode: 0o600 });
    expect(() => loadWalletKey({ fromEnv: null, fromFile: null, dataDir: dir })).toThrow(
      `${file}: malformed; it must hold 32 bytes as 64 hex digits`,
    );
    fs.writeFileSync(file, "");
    expect(() => loadWalletKey({ fromEnv: null, fromFile: null, dataDir: dir })).toThrow(WalletKeyError);
    fs.writeFileSync(file, `${"ab".repeat(32)}\n`);
    fs.chmodSync(file, 0o644);
    expect(() => loadWalletKey({ fromEnv: null, fromFile: null, dataDir: dir })).toThrow(
      `${file}: mode 0644 lets other users read it; run \`chmod 600 ${file}\``,
    );
    fs.chmodSync(file, 0o600);
    expect(loadWalletKey({ fromEnv: null, fromFile: null, dataDir: dir }).key.toString("hex")).toBe(
      "ab".repeat(32),
    );
  });

  it("reads WALLET_ENCRYPTION_KEY_FILE outside DATA_DIR, held to the same mode, and never generates it", () => {
    const dir = tmp();
    const outside = path.join(tmp(), "wallet.key");
    expect(() => loadWalletKey({ fromEnv: null, fromFile: outside, dataDir: dir })).toThrow(
      `WALLET_ENCRYPTION_KEY_FILE: ${outside} does not exist`,
    );
    fs.writeFileSync(outside, `${"cd".repeat(32)}\n`, { mode: 0o640 });
    expect(() => loadWalletKey({ fromEnv: null, fromFile: outside, dataDir: dir })).toThrow(/chmod 600/);
    fs.chmodSync(outside, 0o400);
    expect(loadWalletKey({ fromEnv: null, fromFile: outside, dataDir: dir }).key.toString("hex")).toBe(
      "cd".repeat(32),
    );
    expect(fs.existsSync(path.join(dir, WALLET_KEY_FILE))).toBe(false);
  });

  it("refuses a key path it cannot read", () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, WALLET_KEY_FILE), { mode: 0o700 });
    expect(() => loadWalletKey({ fromEnv: null, fromFile: null, dataDir: dir })).toThrow(/cannot be read/);
  });
});

describe("sealPrivateKey / openPrivateKey", () => {
  const walletKey = { key: Buffer.alloc(32, 1), version: keyVersion(Buffer.alloc(32, 1)) };
  const secret = Buffer.alloc(32, 0x42);
  const address = "0x1111111111111111111111111111111111111111";

  it("round-trips with a fresh IV each time and keeps the key out of the ciphertext", () => {
    const a = sealPrivateKey(walletKey, secret, address);
    const b = sealPrivateKey(walletKey, secret, address);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ciphertext.equals(secret)).toBe(false);
    expect(openPrivateKey(walletKey, a, address).equals(secret)).toBe(true);
  });

  it("does not open for another wallet, an altered ciphertext or another key", () => {
    const sealed = sealPrivateKey(walletKey, secret, address);
    expect(() => openPrivateKey(walletKey, sealed, "0x2222222222222222222222222222222222222222")).toThrow(
      WalletKeyError,
    );
    const altered = { ...sealed, ciphertext: Buffer.from(sealed.ciphertext) };
    altered.ciphertext[0]! ^= 1;
    expect(() => openPrivateKey(walletKey, altered, address)).toThrow(WalletKeyError);
    const other = { key: Buffer.alloc(32, 2), version: keyVersion(Buffer.alloc(32, 2)) };
    expect(() => openPrivateKey(other, sealed, address)).toThrow(
      `managed wallet key was sealed under encryption key ${walletKey.version}, but the configured key is ${other.version}`,
    );
  });
});
