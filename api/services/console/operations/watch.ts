import { EventEmitter } from "node:events";
import { RateLimitedError, UnavailableError } from "../../../errors";

/**
 * Waiters (long-polls, event streams) of an operation in this process. However many wait on one
 * operation, ONE loop re-reads its row — at once when it changes here, else every `rereadMs` for
 * changes made by another replica's follower — and hands each read to all of them. The loop ends
 * with its last waiter.
 */
export function operationWatch<Row>(opts: { read(id: string): Promise<Row | null>; rereadMs: number }) {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const polls = new Map<string, Set<(row: Row) => void>>();
  const stats = { reads: 0 };

  /** Resolves on the next local change of `id`, or after `ms`. */
  const next = (id: string, ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        emitter.off(id, done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      emitter.once(id, done);
    });

  async function poll(id: string, listeners: Set<(row: Row) => void>) {
    while (listeners.size > 0) {
      await next(id, opts.rereadMs);
      if (listeners.size === 0) break;
      let row: Row | null;
      try {
        row = await opts.read(id);
        stats.reads++;
      } catch {
        continue; // the database blinked: the next round reads again
      }
      if (row) for (const listener of [...listeners]) listener(row);
    }
    // Checked and removed in one synchronous step: a new waiter either kept this loop going or
    // starts the next one.
    polls.delete(id);
  }

  return {
    /** Wakes the loop of `id` in this process now (it changed here). */
    changed(id: string): void {
      emitter.emit(id);
    },

    /** Calls `onRow` with each fresh read of `id` until the returned function is called. */
    subscribe(id: string, onRow: (row: Row) => void): () => void {
      const existing = polls.get(id);
      const mine = existing ?? new Set<(row: Row) => void>();
      mine.add(onRow);
      if (!existing) {
        polls.set(id, mine);
        void poll(id, mine);
      }
      return () => {
        mine.delete(onRow);
      };
    },

    /** Operations being polled now (one loop each) and row reads so far: /metrics shows them. */
    pollers: () => polls.size,
    stats,
  };
}

export type OperationWatch<Row> = ReturnType<typeof operationWatch<Row>>;

/**
 * Places for requests that wait (long-polls and event streams): each holds a connection and a
 * share of the polling for as long as it waits, so a session holds at most `perHolder` at once and
 * the process at most `total`. Counted per API process: a load balancer spreading one session over
 * n replicas allows it n × perHolder.
 */
export function waiterPlaces(opts: { perHolder: number; total: number }) {
  const held = new Map<string, number>();
  let total = 0;
  return {
    /** Takes a place for `holder` (a session), or refuses: 429 past its own cap, 503 past the process's. */
    take(holder: string): () => void {
      const mine = held.get(holder) ?? 0;
      if (mine >= opts.perHolder) {
        throw new RateLimitedError(
          `At most ${opts.perHolder} long-polls and event streams per session at once: close one, or ask without wait`,
          1,
        );
      }
      if (total >= opts.total) {
        throw new UnavailableError(
          `This server is holding its maximum of ${opts.total} waiting requests; retry shortly`,
        );
      }
      held.set(holder, mine + 1);
      total++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total--;
        const left = (held.get(holder) ?? 1) - 1;
        if (left > 0) held.set(holder, left);
        else held.delete(holder);
      };
    },
    /** Places taken now. */
    count: () => total,
  };
}

export type WaiterPlaces = ReturnType<typeof waiterPlaces>;
