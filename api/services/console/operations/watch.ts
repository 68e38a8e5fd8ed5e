import { EventEmitter } from "node:events";

/**
 * Wakes waiters (long-polls, SSE streams) in this process the moment an operation changes here.
 * Changes made by another replica are caught by the waiters' own short re-reads.
 */
export function operationWatch() {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    changed(id: string): void {
      emitter.emit(id);
    },

    /** Resolves on the next change of `id`, or after `ms` (whichever comes first). */
    next(id: string, ms: number, signal?: AbortSignal): Promise<void> {
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          emitter.off(id, done);
          signal?.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        emitter.once(id, done);
        signal?.addEventListener("abort", done, { once: true });
      });
    },
  };
}

export type OperationWatch = ReturnType<typeof operationWatch>;
