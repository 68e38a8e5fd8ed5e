import { type ChildProcess, spawn } from "node:child_process";
import readline from "node:readline";
import { node22, ROOT } from "../../../scripts/runtime/paths";

export type ApiProcess = {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Output lines so far (pino JSON and anything else). */
  lines: string[];
  kill(): Promise<void>;
};

/**
 * `npm run start:api` as its own process (Node 22 + tsx, no npm or tsx wrapper in between, so a
 * SIGKILL reaches the API itself), on a fixed port so a restart serves the same URL.
 */
export async function spawnApi(env: Record<string, string>, port: number): Promise<ApiProcess> {
  const child = spawn(node22(), ["--import", "tsx", "api/server.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on("line", (l) => lines.push(l));
  }
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`API exited (${child.exitCode}):\n${lines.slice(-20).join("\n")}`);
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`API not up within 180 s:\n${lines.slice(-20).join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    exited,
    lines,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
