import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { passwordFileOf, superuserPassword } from "./embeddedPostgres";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("superuserPassword", () => {
  it("is made once, random, beside the data folder with mode 0600, and read back after", () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), "pg-password-"));
    dirs.push(parent);
    const dir = path.join(parent, "postgres");
    const first = superuserPassword(dir);
    expect(passwordFileOf(dir)).toBe(path.join(parent, "postgres-password"));
    expect(fs.statSync(passwordFileOf(dir)).mode & 0o777).toBe(0o600);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(superuserPassword(dir)).toBe(first);
    expect(fs.existsSync(dir)).toBe(false); // never inside the data folder
  });

  it("refuses a password file other users can read, naming the chmod", () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), "pg-password-"));
    dirs.push(parent);
    const dir = path.join(parent, "postgres");
    superuserPassword(dir);
    fs.chmodSync(passwordFileOf(dir), 0o640);
    expect(() => superuserPassword(dir)).toThrow(`run \`chmod 600 ${passwordFileOf(dir)}\``);
  });
});
