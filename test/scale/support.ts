import { type ChildProcess, spawn } from "node:child_process";
import readline from "node:readline";
import { node22, ROOT } from "../../scripts/runtime/paths";

// The processes of the scale topology, each its own OS process as in a deployment: the indexer role
// (`npm run start:indexer`) and, from test/faults/support/apiProcess.ts, API replicas
// (`npm run start:api`); plus a read load that counts every answer.

export type IndexerRoleProcess = {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  /** Until a line matching `re` is printed (or the process exits, or `timeoutMs`). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  kill(): Promise<void>;
};

/** `npm run start:indexer` (Node 22 + tsx, so signals reach it), `args` after `--`. */
export function spawnIndexerRole(env: Record<string, string>, args: string[] = []): IndexerRoleProcess {
  const child = spawn(node22(), ["--import", "tsx", "scripts/indexer.ts", ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on("line", (l) => lines.push(l));
  }
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return {
    child,
    lines,
    exited,
    async waitFor(re, timeoutMs = 240_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = lines.find((l) => re.test(l));
        if (hit) return hit;
        if (child.exitCode !== null) {
          throw new Error(`indexer exited (${child.exitCode}) before ${re}:\n${lines.slice(-20).join("\n")}`);
        }
        if (Date.now() > deadline)
          throw new Error(`no ${re} in ${timeoutMs} ms:\n${lines.slice(-20).join("\n")}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    /** SIGTERM (the role stops its Ponder, which a SIGKILL would orphan), SIGKILL after 20 s. */
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

export type Tally = {
  total: number;
  /** Answers that were not 200, and requests that got no answer at all. */
  failed: number;
  byStatus: Record<string, number>;
  failures: string[];
};

/**
 * `concurrency` clients reading `paths` round robin over `urls` (every request must answer 200)
 * until stop(), each pausing `pauseMs` between requests (a steady load that leaves the machine to
 * the processes under test); `until(n)` resolves once n more requests have been answered.
 */
export function readLoad(urls: string[], paths: string[], concurrency = 8, pauseMs = 5) {
  const tally: Tally = { total: 0, failed: 0, byStatus: {}, failures: [] };
  let stopped = false;
  let i = 0;
  const waiters: Array<{ at: number; resolve: () => void }> = [];
  const count = (key: string, failure: string | null) => {
    tally.total++;
    tally.byStatus[key] = (tally.byStatus[key] ?? 0) + 1;
    if (failure) {
      tally.failed++;
      if (tally.failures.length < 20) tally.failures.push(failure);
    }
    for (const w of waiters.filter((w) => tally.total >= w.at)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const worker = async () => {
    while (!stopped) {
      const n = i++;
      const url = `${urls[n % urls.length]}${paths[Math.floor(n / urls.length) % paths.length]}`;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
        const body = await res.text();
        count(String(res.status), res.status === 200 ? null : `${res.status} ${url} ${body.slice(0, 200)}`);
      } catch (error) {
        count("error", `${url}: ${error instanceof Error ? error.message : String(error)}`);
      }
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    tally,
    until: (more: number) =>
      new Promise<void>((resolve) => waiters.push({ at: tally.total + more, resolve })),
    async stop(): Promise<Tally> {
      stopped = true;
      await Promise.all(workers);
      for (const w of waiters) w.resolve();
      return tally;
    },
  };
}

/** Polls `check` every 100 ms until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${String(last)})` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
