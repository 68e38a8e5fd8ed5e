import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../scripts/runtime/paths";
import { freePort } from "../scripts/runtime/ports";

// `npm start` with no configuration but ports and a data folder: embedded Postgres, devnet with the
// demo history, indexer and API — ready, serving the demo, stopping cleanly on SIGINT, and resuming
// from the same data folder on a second start.

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "dimo-start-"));
fs.chmodSync(dataDir, 0o755);
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function start(env: Record<string, string>) {
  const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["scripts/start.ts"], {
    cwd: ROOT,
    env: {
      PATH: `${path.join(ROOT, "node_modules/.bin")}:${process.env.PATH}`,
      HOME: process.env.HOME,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const began = Date.now();
  while (!/\] ready: indexed through block (\d+)/.test(output)) {
    if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${output}`);
    if (Date.now() - began > 120_000) throw new Error(`npm start not ready in 120 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return {
    readyMs: Date.now() - began,
    output: () => output,
    stop: async () => {
      child.kill("SIGINT");
      return exited;
    },
  };
}

describe("npm start on the embedded defaults", () => {
  it("runs, serves the demo history, stops cleanly, and resumes from its data folder", async () => {
    const env = {
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      INDEXER_PORT: String(await freePort()),
      DEVNET_PORT: String(await freePort()),
      LOG_LEVEL: "warn",
    };
    const api = `http://127.0.0.1:${env.PORT}`;

    const first = await start(env);
    expect(first.output()).toContain("devnet: deploying the DIMO test contracts");
    const licenses = (await (await fetch(`${api}/v1/licenses?status=all`)).json()) as {
      items: { alias: string | null; status: string }[];
    };
    expect(licenses.items.map((l) => [l.alias, l.status])).toEqual([
      [null, "revoked"],
      ["legacy-demo", "active"],
      ["fleet-dash", "active"],
      ["weather-app", "active"],
    ]);
    expect((await fetch(`${api}/ready`)).status).toBe(200);
    expect(await first.stop()).toBe(0);
    expect(first.output()).toContain("stopped");

    const second = await start(env);
    expect(second.output()).toContain("devnet: resumed at block");
    expect(second.output()).not.toContain("deploying");
    const again = (await (await fetch(`${api}/v1/licenses?status=all`)).json()) as typeof licenses;
    expect(again).toEqual(licenses);
    expect(await second.stop()).toBe(0);
  }, 300_000);
});
