/**
 * Coalesces point lookups that arrive together into one query (the DataLoader pattern): keys
 * requested during one turn of the event loop — under concurrent load, every request whose bytes
 * arrived in the same I/O poll — are fetched with a single statement when the turn ends
 * (setImmediate). Each lookup still reads committed data no older than its own arrival; one
 * round trip and one statement's overhead are shared by the whole batch.
 */
export function batchLoader<V>(
  fetchMany: (keys: string[]) => Promise<Map<string, V>>,
  maxBatch = 100,
): (key: string) => Promise<V | undefined> {
  type Waiter = { key: string; resolve: (v: V | undefined) => void; reject: (e: unknown) => void };
  let pending: Waiter[] = [];
  let scheduled = false;

  const run = async (waiters: Waiter[]) => {
    try {
      const found = await fetchMany([...new Set(waiters.map((w) => w.key))]);
      for (const w of waiters) w.resolve(found.get(w.key));
    } catch (error) {
      for (const w of waiters) w.reject(error);
    }
  };
  const flush = () => {
    scheduled = false;
    const waiters = pending;
    pending = [];
    for (let i = 0; i < waiters.length; i += maxBatch) void run(waiters.slice(i, i + maxBatch));
  };

  return (key) =>
    new Promise<V | undefined>((resolve, reject) => {
      pending.push({ key, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
