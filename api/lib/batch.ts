/**
 * Coalesces point lookups into few queries (the DataLoader pattern): keys requested during one
 * turn of the event loop — under concurrent load, every request whose bytes arrived in the same
 * I/O poll — are fetched with a single statement when the turn ends (setImmediate). At most
 * `maxInFlight` statements run at once; keys arriving meanwhile wait for the next one, so batches
 * grow with load instead of queueing more statements behind the pool. Every lookup still reads
 * data committed no earlier than its own arrival.
 */
export function batchLoader<V>(
  fetchMany: (keys: string[]) => Promise<Map<string, V>>,
  opts: { maxBatch?: number; maxInFlight?: number } = {},
): (key: string) => Promise<V | undefined> {
  type Waiter = { key: string; resolve: (v: V | undefined) => void; reject: (e: unknown) => void };
  const maxBatch = opts.maxBatch ?? 100;
  const maxInFlight = opts.maxInFlight ?? Number.POSITIVE_INFINITY;
  let pending: Waiter[] = [];
  let scheduled = false;
  let inFlight = 0;

  const run = async (waiters: Waiter[]) => {
    inFlight++;
    try {
      const found = await fetchMany([...new Set(waiters.map((w) => w.key))]);
      for (const w of waiters) w.resolve(found.get(w.key));
    } catch (error) {
      for (const w of waiters) w.reject(error);
    } finally {
      inFlight--;
      if (pending.length > 0) schedule();
    }
  };
  const flush = () => {
    scheduled = false;
    while (pending.length > 0 && inFlight < maxInFlight) {
      const batch = pending.length <= maxBatch ? pending : pending.slice(0, maxBatch);
      pending = pending.length <= maxBatch ? [] : pending.slice(maxBatch);
      void run(batch);
    }
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  return (key) =>
    new Promise<V | undefined>((resolve, reject) => {
      pending.push({ key, resolve, reject });
      schedule();
    });
}
