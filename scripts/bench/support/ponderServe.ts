import { spawn } from "node:child_process";
import readline from "node:readline";
import { node22, PONDER_BIN, ROOT } from "../../runtime/paths";
import { freePort } from "../../runtime/ports";

/**
 * `ponder serve` of this project's indexer app (its schema, its /graphql and /sql) over the tables
 * in `schema` of `databaseUrl`, without indexing anything: the peer the public API is compared
 * with, answering from the same rows. Spawned directly on Node 22, never through npm.
 */
export async function startPonderServe(opts: {
  databaseUrl: string;
  schema: string;
}): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    node22(),
    [
      PONDER_BIN,
      "--root",
      "indexer",
      "--log-format",
      "json",
      "serve",
      "--schema",
      opts.schema,
      "-H",
      "127.0.0.1",
    ],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TMPDIR: process.env.TMPDIR,
        DATABASE_URL: opts.databaseUrl,
        DIMO_NETWORK: "local",
        RPC_URL: "http://127.0.0.1:9", // serve never asks the chain
        PONDER_LOG_LEVEL: "warn",
        PORT: String(port),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const recent: string[] = [];
  const keep = (line: string) => {
    recent.push(line);
    if (recent.length > 20) recent.shift();
  };
  readline.createInterface({ input: child.stdout! }).on("line", keep);
  readline.createInterface({ input: child.stderr! }).on("line", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`ponder serve exited ${child.exitCode}:\n${recent.join("\n")}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`ponder serve did not answer in 240 s:\n${recent.join("\n")}`);
    }
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, pid: child.pid!, stop };
}
