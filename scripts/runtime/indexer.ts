import { type ChildProcess, spawn } from "node:child_process";
import readline from "node:readline";
import { node22, PONDER_BIN, ROOT } from "./paths";
import { freePort } from "./ports";

export type PonderLog = { level: number | string; msg: string; [key: string]: unknown };

export type IndexerProcess = {
  url: string;
  port: number;
  child: ChildProcess;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** 200 from Ponder's /ready: the historical backfill is done (realtime may still lag). */
  waitForReady(timeoutMs?: number): Promise<void>;
  /** Until Ponder's /status shows the chain indexed at or past `block`. */
  waitForBlock(block: bigint | number, timeoutMs?: number): Promise<void>;
  indexedBlock(): Promise<bigint | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
};

export type StartIndexerOptions = {
  /** Full environment for the process (config/ reads it): DATABASE_URL, RPC_URL, DIMO_NETWORK, … */
  env: Record<string, string | undefined>;
  /** Ponder's deployment schema (≤ 45 chars); reused on restart for crash recovery. */
  schema: string;
  /** Stable schema of views over the deployment's tables, what the API reads. */
  viewsSchema?: string;
  /** Omitted: a free loopback port, and another one if something takes it before Ponder listens. */
  port?: number;
  onLog?: (entry: PonderLog) => void;
  startTimeoutMs?: number;
  /** Ponder root relative to the repository (default "indexer"); benchmarks run a bare app too. */
  root?: string;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ponder found its port taken (it would silently serve on port+1); the process is stopped. */
export class IndexerPortTakenError extends Error {}

const PORT_ATTEMPTS = 5;

/**
 * Spawns `ponder start` directly on Node 22 (never through `npm run`, whose death orphans Ponder),
 * bound to 127.0.0.1, with JSON logs. Resolves once its HTTP server is up on exactly `port`.
 */
export async function startIndexer(opts: StartIndexerOptions): Promise<IndexerProcess> {
  if (opts.port !== undefined) return startIndexerOn({ ...opts, port: opts.port });
  // A port found free can be taken by a parallel suite's server before Ponder binds it.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startIndexerOn({ ...opts, port: await freePort() });
    } catch (error) {
      if (!(error instanceof IndexerPortTakenError) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

async function startIndexerOn(opts: StartIndexerOptions & { port: number }): Promise<IndexerProcess> {
  const args = [
    PONDER_BIN,
    "--root",
    opts.root ?? "indexer",
    "--log-format",
    "json",
    "start",
    "--schema",
    opts.schema,
  ];
  if (opts.viewsSchema) args.push("--views-schema", opts.viewsSchema);
  args.push("-H", "127.0.0.1", "-p", String(opts.port));
  const { PORT: _apiPort, ...env } = opts.env; // Ponder reads PORT and would override -p
  const child = spawn(node22(), args, {
    cwd: ROOT,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const recent: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  let announcedPort: number | null = null;
  const onLine = (line: string) => {
    recent.push(line);
    if (recent.length > 40) recent.shift();
    let entry: PonderLog;
    try {
      entry = JSON.parse(line);
    } catch {
      entry = { level: "info", msg: line };
    }
    if (entry.msg === "Created HTTP server" && typeof entry.port === "number") announcedPort = entry.port;
    opts.onLog?.(entry);
  };
  readline.createInterface({ input: child.stdout! }).on("line", onLine);
  readline.createInterface({ input: child.stderr! }).on("line", onLine);

  const url = `http://127.0.0.1:${opts.port}`;
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(killer);
  };
  const failure = (why: string) =>
    new Error(`indexer ${why}\n--- last Ponder output ---\n${recent.slice(-15).join("\n")}`);

  // Ponder builds its app with vite at start: seconds on an idle machine, minutes on a starved one.
  const deadline = Date.now() + (opts.startTimeoutMs ?? 240_000);
  while (announcedPort === null) {
    if (child.exitCode !== null) throw failure(`exited with code ${child.exitCode} before serving HTTP`);
    if (Date.now() > deadline) {
      await stop("SIGKILL");
      throw failure("did not start its HTTP server in time");
    }
    await sleep(50);
  }
  if (announcedPort !== opts.port) {
    await stop();
    throw new IndexerPortTakenError(
      `indexer port ${opts.port} was taken (Ponder moved to ${announcedPort}); choose another INDEXER_PORT`,
    );
  }

  const poll = async (what: string, ok: () => Promise<boolean>, timeoutMs: number) => {
    const until = Date.now() + timeoutMs;
    while (!(await ok().catch(() => false))) {
      if (child.exitCode !== null)
        throw failure(`exited with code ${child.exitCode} while waiting for ${what}`);
      if (Date.now() > until) throw failure(`did not reach ${what} within ${timeoutMs} ms`);
      await sleep(100);
    }
  };
  const indexedBlock = async (): Promise<bigint | null> => {
    const res = await fetch(`${url}/status`);
    if (!res.ok) return null;
    const status = (await res.json()) as Record<string, { block?: { number: number } }>;
    const numbers = Object.values(status).map((c) => c.block?.number);
    return numbers.length && numbers.every((n) => typeof n === "number")
      ? BigInt(Math.min(...(numbers as number[])))
      : null;
  };

  return {
    url,
    port: opts.port,
    child,
    exited,
    stop,
    indexedBlock,
    waitForReady: (timeoutMs = 120_000) =>
      poll("/ready", async () => (await fetch(`${url}/ready`)).status === 200, timeoutMs),
    waitForBlock: (block, timeoutMs = 60_000) =>
      poll(`block ${block}`, async () => ((await indexedBlock()) ?? -1n) >= BigInt(block), timeoutMs),
  };
}

export { ROOT };
