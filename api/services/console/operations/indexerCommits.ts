import pg from "pg";
import type { Logger } from "pino";
import { INDEXED_SCHEMA } from "../../../db/indexed";
import { loggable } from "../../../lib/loggable";

/**
 * Ponder NOTIFYs `<views schema>_live_query` (here `dimo_live_query`) each time a realtime block
 * is committed. Listening to it lets the follower look the moment the indexer has written, rather
 * than on its next poll. One connection per process; it reconnects with a backoff and, while
 * down, the follower simply keeps polling.
 */
export function listenIndexerCommits(opts: { databaseUrl: string; onCommit: () => void; logger: Logger }): {
  stop(): Promise<void>;
} {
  const channel = `${INDEXED_SCHEMA}_live_query`;
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | null = null;
  let delay = 500;

  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client({
      connectionString: opts.databaseUrl,
      application_name: "dimo-console-follower",
    });
    client = c;
    c.on("notification", () => opts.onCommit());
    c.on("error", () => reconnect());
    c.on("end", () => reconnect());
    try {
      await c.connect();
      await c.query(`LISTEN "${channel}"`);
      delay = 500;
    } catch (error) {
      opts.logger.debug({ error: loggable(error) }, "indexer commit listener not connected; polling only");
      reconnect();
    }
  };

  const reconnect = () => {
    if (stopped || retry) return;
    const old = client;
    client = null;
    old?.removeAllListeners();
    void old?.end().catch(() => undefined);
    retry = setTimeout(() => {
      retry = null;
      void connect();
    }, delay);
    delay = Math.min(delay * 2, 30_000);
  };

  void connect();
  return {
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      c?.removeAllListeners();
      await c?.end().catch(() => undefined);
    },
  };
}
