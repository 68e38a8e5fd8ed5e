// Starts a local anvil (Foundry 1.7, from the @foundry-rs/anvil npm package) for tests and the devnet.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

export interface AnvilOptions {
  /** TCP port; 0 (default) lets the OS pick a free one, read back from anvil's "Listening on" line. */
  port?: number;
  /** Interval mining every N seconds (--block-time). Default: automine, one block per transaction. */
  blockTime?: number;
  /** Load state from this file if it exists and dump it there on exit (--state), so a devnet survives restarts. */
  statePath?: string;
  /**
   * With statePath: also keep per-block states in the dump (--preserve-historical-states), so eth_call /
   * eth_getBalance at old block numbers still work after a restart (blocks, receipts and logs survive either way).
   * Default true.
   */
  preserveHistoricalStates?: boolean;
  /** Default 31337. */
  chainId?: number;
  /** Extra raw CLI arguments, appended last. */
  extraArgs?: string[];
  /** Milliseconds to wait for "Listening on"; default 15000. */
  startTimeoutMs?: number;
}

export interface AnvilInstance {
  rpcUrl: string;
  port: number;
  chainId: number;
  pid: number;
  /** SIGTERM, then SIGKILL after 5 s. Resolves once the process has exited (the --state file is then written). */
  stop(): Promise<void>;
}

/** Absolute path of the anvil binary shipped by @foundry-rs/anvil-linux-amd64 (or $ANVIL_BIN). */
function anvilBinary(): string {
  const fromEnv = process.env["ANVIL_BIN"];
  if (fromEnv) return fromEnv;
  const require = createRequire(import.meta.url);
  let path: string;
  try {
    path = require.resolve("@foundry-rs/anvil-linux-amd64/bin/anvil");
  } catch (err) {
    throw new Error(
      "anvil binary not found: @foundry-rs/anvil-linux-amd64 is not installed (it is an optional dependency of " +
        "@foundry-rs/anvil for linux x64; run `npm ci`, or set ANVIL_BIN).",
      { cause: err },
    );
  }
  if (!existsSync(path)) throw new Error(`anvil binary not found at ${path}`);
  return path;
}

const LISTENING = /Listening on (\S+):(\d+)/;

/**
 * Spawns anvil on 127.0.0.1. anvil's `--silent` also hides the "Listening on" line, so stdout is read until that
 * line and then discarded (printed to stderr when DEBUG is set). `--order fifo` makes a manually mined block
 * keep the order in which its transactions were sent.
 */
export async function startAnvil(opts: AnvilOptions = {}): Promise<AnvilInstance> {
  const bin = anvilBinary();
  const chainId = opts.chainId ?? 31337;
  const args = ["--host", "127.0.0.1", "--port", String(opts.port ?? 0), "--chain-id", String(chainId)];
  args.push("--order", "fifo");
  if (opts.blockTime !== undefined) args.push("--block-time", String(opts.blockTime));
  if (opts.statePath) {
    args.push("--state", opts.statePath);
    if (opts.preserveHistoricalStates ?? true) args.push("--preserve-historical-states");
  }
  if (opts.extraArgs) args.push(...opts.extraArgs);
  const debug = Boolean(process.env["DEBUG"]);

  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let stdout = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    if (stderr.length < 64_000) stderr += chunk;
    if (debug) process.stderr.write(`[anvil] ${chunk}`);
  });

  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const port = await new Promise<number>((resolve, reject) => {
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      reject(
        new Error(
          `anvil failed to start: ${reason}\n  command: ${bin} ${args.join(" ")}` +
            (stderr.trim() ? `\n  stderr: ${stderr.trim()}` : "") +
            (stdout.trim() ? `\n  stdout: ${stdout.trim().slice(-2000)}` : ""),
        ),
      );
    };
    const timer = setTimeout(
      () => fail(`no "Listening on" line within ${opts.startTimeoutMs ?? 15_000} ms`),
      opts.startTimeoutMs ?? 15_000,
    );
    child.once("error", (err) => fail(err.message));
    child.once("exit", (code, signal) => fail(`exited early with ${signal ?? `code ${code}`}`));
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      if (debug) process.stderr.write(`[anvil] ${chunk}`);
      if (settled) return;
      stdout += chunk;
      const m = LISTENING.exec(stdout);
      if (m) {
        settled = true;
        clearTimeout(timer);
        stdout = "";
        resolve(Number(m[2]));
      }
    });
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };

  return { rpcUrl: `http://127.0.0.1:${port}`, port, chainId, pid: child.pid!, stop };
}
