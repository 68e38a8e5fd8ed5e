import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { ROOT } from "../../runtime/paths";
import { freePort } from "../../runtime/ports";

/** Shared by every API process of a run: one seals the signing key, the others open it. */
const BENCH_SECRET = randomBytes(32).toString("hex");

export type ApiProcess = { url: string; pid: number; stop(): Promise<void> };

/**
 * One API process (`api/server.ts`, as `npm run start:api` runs it: production middleware,
 * per-request JSON logs, here to /dev/null), ready when /health answers. Its CPU and memory are
 * its own, read from /proc by its pid.
 */
export async function startApiProcess(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "api/server.ts")], {
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DIMO_NETWORK: "local",
      RPC_URL: "http://127.0.0.1:9", // only /ready and /status ask the chain
      HOST: "127.0.0.1",
      PORT: String(port),
      PUBLIC_URL: "http://127.0.0.1",
      API_SECRET: BENCH_SECRET,
      LOG_LEVEL: "info",
      // No chain here to measure the indexer's lag against (its check is one cached read a second).
      LOGIN_MAX_INDEXER_LAG_BLOCKS: "off",
      ...env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`API process exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error("API process did not start in 120 s");
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
