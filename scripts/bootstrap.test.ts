import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

// scripts/bootstrap.mjs (prestart/pretest) run as npm runs it, in throwaway package folders; a fake
// npm stands in for the real one so no install happens.

const SCRIPT = path.resolve(import.meta.dirname, "bootstrap.mjs");
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

type Packages = Record<string, { version: string; integrity?: string; optional?: boolean }>;
const LOCK: Packages = {
  "": { version: "1.0.0" },
  "node_modules/a": { version: "1.0.0", integrity: "sha512-a" },
  "node_modules/b": { version: "2.0.0", integrity: "sha512-b" },
  "node_modules/@esbuild/darwin-arm64": { version: "0.25.0", optional: true },
};
const INSTALLED: Packages = {
  "node_modules/a": { version: "1.0.0", integrity: "sha512-a" },
  "node_modules/b": { version: "2.0.0", integrity: "sha512-b" },
};

function project(installed?: Packages | "no-record"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bootstrap-"));
  dirs.push(dir);
  const lockfile = (packages: Packages) => JSON.stringify({ lockfileVersion: 3, packages });
  fs.writeFileSync(path.join(dir, "package-lock.json"), lockfile(LOCK));
  if (installed) {
    fs.mkdirSync(path.join(dir, "node_modules"));
    if (installed !== "no-record") {
      fs.writeFileSync(path.join(dir, "node_modules/.package-lock.json"), lockfile(installed));
    }
  }
  return dir;
}

function run(dir: string, args: string[], fakeNpm?: string) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  if (fakeNpm) env.npm_execpath = fakeNpm;
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: dir, env, encoding: "utf8" });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe("bootstrap --check: does node_modules match package-lock.json?", () => {
  it("yes when every locked package is installed at its version (optional ones may be absent)", () => {
    expect(run(project(INSTALLED), ["--check"])).toEqual({
      status: 0,
      out: "node_modules matches package-lock.json\n",
    });
  });

  it("no when node_modules is missing, or has no record of its install", () => {
    expect(run(project(), ["--check"])).toEqual({ status: 1, out: "node_modules is missing\n" });
    const noRecord = run(project("no-record"), ["--check"]);
    expect(noRecord.status).toBe(1);
    expect(noRecord.out).toContain("no record of its install");
  });

  it("no when the lockfile moved on: another version, a new package, a removed package", () => {
    const older = run(project({ ...INSTALLED, "node_modules/b": { version: "1.9.0", integrity: "x" } }), [
      "--check",
    ]);
    expect(older).toEqual({
      status: 1,
      out: "node_modules/b is 1.9.0, package-lock.json wants 2.0.0\n",
    });
    const { "node_modules/b": _, ...withoutB } = INSTALLED;
    expect(run(project(withoutB), ["--check"])).toEqual({ status: 1, out: "node_modules/b is missing\n" });
    const extra = run(project({ ...INSTALLED, "node_modules/c": { version: "1.0.0" } }), ["--check"]);
    expect(extra).toEqual({
      status: 1,
      out: "node_modules/c is installed but no longer in package-lock.json\n",
    });
  });

  it("no when the same version was locked with other contents (integrity)", () => {
    const r = run(project({ ...INSTALLED, "node_modules/a": { version: "1.0.0", integrity: "sha512-z" } }), [
      "--check",
    ]);
    expect(r.status).toBe(1);
    expect(r.out).toContain("node_modules/a");
  });
});

describe("bootstrap as prestart/pretest", () => {
  function fakeNpm(dir: string, exitCode: number): string {
    const file = path.join(dir, "fake-npm.cjs");
    fs.writeFileSync(
      file,
      `require("fs").writeFileSync(${JSON.stringify(path.join(dir, "npm-args"))}, JSON.stringify(process.argv.slice(2)));\n` +
        `console.log("fake npm ran");\nprocess.exit(${exitCode});\n`,
    );
    return file;
  }

  it("runs npm ci, showing its output, when node_modules is missing", () => {
    const dir = project();
    const r = run(dir, [], fakeNpm(dir, 0));
    expect(r.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "npm-args"), "utf8"))).toEqual(["ci"]);
    expect(r.out).toMatch(
      /^node_modules is missing: installing with npm ci.*\nfake npm ran\ninstalled in \d+ s\n$/,
    );
  });

  it("does nothing when node_modules is current", () => {
    const dir = project(INSTALLED);
    expect(run(dir, [], fakeNpm(dir, 0))).toEqual({ status: 0, out: "" });
    expect(fs.existsSync(path.join(dir, "npm-args"))).toBe(false);
  });

  it("stops npm start/test with npm ci's exit code when the install fails", () => {
    const dir = project();
    const r = run(dir, [], fakeNpm(dir, 7));
    expect(r.status).toBe(7);
    expect(r.out).toContain("npm ci failed (exit 7)");
  });
});
