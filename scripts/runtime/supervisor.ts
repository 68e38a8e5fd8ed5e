import type { IndexerProcess } from "./indexer";

// Keeps one indexer process running. Ponder retries a lost database for about a minute, then exits
// (code 75); it also dies on anything fatal we cannot foresee. Either way the supervisor starts it
// again on the same schema — Ponder's crash recovery resumes from its checkpoint — with a backoff
// that grows while starts keep failing (the database may still be down) and resets once a process
// has stayed up for a while.

export type SupervisorEvents = {
  /** A running indexer exited without being asked to. */
  onExit?: (code: number | null) => void;
  /** A start attempt failed; the next is in `retryInMs`. */
  onStartFailed?: (error: unknown, retryInMs: number) => void;
  /** An indexer is running again after an exit or failed starts (not called for the first start). */
  onRestarted?: (attempt: number) => void;
};

export type Supervisor = {
  /** The running indexer; null while restarting. */
  current(): IndexerProcess | null;
  /** Resolves with the running indexer (waits through restarts). */
  running(): Promise<IndexerProcess>;
  /** Unexpected exits so far. */
  readonly exits: number;
  /** Stops supervising and stops the current process. */
  stop(): Promise<void>;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (p: IndexerProcess) => p.child.exitCode === null && p.child.signalCode === null;

/**
 * Starts the first indexer (a failure there is the caller's: bad configuration should stop
 * `npm start`, not loop) and restarts it whenever it exits on its own. `beforeRestart` runs after an
 * exit and before each new start (e.g. releasing the dead process's schema lock); its errors are
 * ignored, the start is tried anyway.
 */
export async function superviseIndexer(
  opts: {
    start: () => Promise<IndexerProcess>;
    beforeRestart?: (exited: { diedAt: number }) => Promise<unknown>;
    initialBackoffMs?: number;
    maxBackoffMs?: number;
    /** Up this long, a process counts as healthy and the backoff starts over. */
    healthyAfterMs?: number;
  } & SupervisorEvents,
): Promise<Supervisor> {
  const initial = opts.initialBackoffMs ?? 500;
  const max = opts.maxBackoffMs ?? 15_000;
  const healthyAfter = opts.healthyAfterMs ?? 60_000;
  let stopped = false;
  let exits = 0;
  let proc: IndexerProcess | null = await opts.start();
  let waiters: Array<{ resolve: (p: IndexerProcess) => void; reject: (e: Error) => void }> = [];
  let loop: Promise<void> = Promise.resolve();

  const watch = (p: IndexerProcess) => {
    const startedAt = Date.now();
    loop = p.exited.then(async (code) => {
      if (stopped) return;
      exits++;
      proc = null;
      const diedAt = Date.now();
      opts.onExit?.(code);
      let backoff = Date.now() - startedAt > healthyAfter ? initial : Math.min(initial * 2, max);
      for (let attempt = 1; !stopped; attempt++) {
        await sleep(backoff);
        if (stopped) return;
        await opts.beforeRestart?.({ diedAt }).catch(() => {});
        try {
          const next = await opts.start();
          if (stopped) {
            await next.stop();
            return;
          }
          proc = next;
          opts.onRestarted?.(attempt);
          for (const w of waiters) w.resolve(next);
          waiters = [];
          watch(next);
          return;
        } catch (error) {
          backoff = Math.min(backoff * 2, max);
          opts.onStartFailed?.(error, backoff);
        }
      }
    });
  };
  watch(proc);

  return {
    current: () => (proc && alive(proc) ? proc : null),
    running: () => {
      if (stopped) return Promise.reject(new Error("the indexer supervisor was stopped"));
      // `exited` settles a tick after the child's exit: a process that just died is not running.
      if (proc && proc.child.exitCode === null && proc.child.signalCode === null)
        return Promise.resolve(proc);
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    get exits() {
      return exits;
    },
    async stop() {
      stopped = true;
      for (const w of waiters) w.reject(new Error("the indexer supervisor was stopped"));
      waiters = [];
      await proc?.stop();
      await loop;
    },
  };
}

/**
 * Runs `task` on the running indexer, again on the next one if the process it used exits meanwhile
 * (e.g. waiting for /ready while the supervisor restarts a crashed indexer).
 */
export async function onRunning<T>(
  supervisor: Supervisor,
  task: (p: IndexerProcess) => Promise<T>,
): Promise<T> {
  for (;;) {
    const p = await supervisor.running();
    try {
      return await task(p);
    } catch (error) {
      if (p.child.exitCode === null && p.child.signalCode === null) throw error;
    }
  }
}
