import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { deriveKey, loadSecret, SECRET_FILE } from "./secret";

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "api-secret-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("loadSecret", () => {
  it("uses API_SECRET when given and writes nothing", () => {
    const dir = tempDir();
    expect(loadSecret({ fromEnv: "x".repeat(32), dataDir: dir }).toString()).toBe("x".repeat(32));
    expect(fs.existsSync(path.join(dir, SECRET_FILE))).toBe(false);
  });

  it("generates a private secret file once and reuses it", () => {
    const dir = path.join(tempDir(), "nested");
    const first = loadSecret({ fromEnv: null, dataDir: dir });
    const file = path.join(dir, SECRET_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(first.length).toBe(64);
    expect(loadSecret({ fromEnv: null, dataDir: dir }).equals(first)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([SECRET_FILE]);
  });
});

describe("deriveKey", () => {
  it("derives distinct stable 32-byte keys per purpose", () => {
    const secret = Buffer.from("s".repeat(32));
    const a = deriveKey(secret, "cursor");
    expect(a.length).toBe(32);
    expect(deriveKey(secret, "cursor").equals(a)).toBe(true);
    expect(deriveKey(secret, "session").equals(a)).toBe(false);
  });
});
