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
    expect(loadSecret({ fromEnv: "x".repeat(32), fromFile: null, dataDir: dir }).toString()).toBe(
      "x".repeat(32),
    );
    expect(fs.existsSync(path.join(dir, SECRET_FILE))).toBe(false);
  });

  it("generates a private secret file once and reuses it", () => {
    const dir = path.join(tempDir(), "nested");
    const first = loadSecret({ fromEnv: null, fromFile: null, dataDir: dir });
    const file = path.join(dir, SECRET_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(first.length).toBe(64);
    expect(loadSecret({ fromEnv: null, fromFile: null, dataDir: dir }).equals(first)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([SECRET_FILE]);
  });
});

describe("loadSecret refuses a secret other users can read", () => {
  it("stops on an api-secret with mode 0644, naming the chmod to run, and works once it is 0600", () => {
    const dir = tempDir();
    const file = path.join(dir, SECRET_FILE);
    fs.writeFileSync(file, `${"s".repeat(64)}\n`, { mode: 0o644 });
    fs.chmodSync(file, 0o644); // the umask may have narrowed it
    expect(() => loadSecret({ fromEnv: null, fromFile: null, dataDir: dir })).toThrow(
      `${file}: mode 0644 lets other users read it; run \`chmod 600 ${file}\``,
    );
    fs.chmodSync(file, 0o600);
    expect(loadSecret({ fromEnv: null, fromFile: null, dataDir: dir }).toString()).toBe("s".repeat(64));
  });

  it("reads API_SECRET_FILE from outside DATA_DIR under the same rule, and never writes one", () => {
    const dir = tempDir();
    const outside = path.join(tempDir(), "api-secret");
    expect(() => loadSecret({ fromEnv: null, fromFile: outside, dataDir: dir })).toThrow(
      `API_SECRET_FILE: ${outside} does not exist`,
    );
    fs.writeFileSync(outside, "short\n", { mode: 0o600 });
    expect(() => loadSecret({ fromEnv: null, fromFile: outside, dataDir: dir })).toThrow(/at least 32/);
    fs.writeFileSync(outside, `${"f".repeat(40)}\n`);
    fs.chmodSync(outside, 0o604);
    expect(() => loadSecret({ fromEnv: null, fromFile: outside, dataDir: dir })).toThrow(/chmod 600/);
    fs.chmodSync(outside, 0o400);
    expect(loadSecret({ fromEnv: null, fromFile: outside, dataDir: dir }).toString()).toBe("f".repeat(40));
    expect(fs.existsSync(path.join(dir, SECRET_FILE))).toBe(false);
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
