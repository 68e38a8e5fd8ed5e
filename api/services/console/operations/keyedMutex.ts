/**
 * One-at-a-time sections per key inside this process. The cross-replica lock is Postgres's; this
 * one keeps concurrent requests for the same wallet from each holding a pooled connection while
 * they wait for it.
 */
export function keyedMutex() {
  const tails = new Map<string, Promise<unknown>>();
  return async function run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const current = previous.then(fn, fn);
    const tail = current.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
