import pg from "pg";
import { type IndexerProcess, type PonderLog, startIndexer } from "./indexer";
import { releaseDeadIndexerLock } from "./indexerLock";
import { type Supervisor, superviseIndexer } from "./supervisor";
import { abandonedSchemas, servedSchema, switchViews } from "./views";

// The indexer role (docs/deploy.md): one supervised Ponder on this code's deployment schema, and
// the handover of the `dimo` views between deployments. Whoever starts last takes over:
//
// - no views yet, or they already read our schema: Ponder gets `--views-schema` and creates (or
//   re-creates) them itself once its backfill is done;
// - they read another deployment (an upgrade next to a running indexer, or a restart of npm start
//   after a code change): Ponder backfills without touching them while the old deployment keeps
//   serving, and we switch them (views.ts) once ours is ready and at least as far along;
// - once we have served and the views move to another schema, a newer indexer took over: ours
//   stops (superseded) and is not restarted.
//
// Deployment schemas nobody indexes any more (their lock released or long dead) are dropped.

export type IndexerRoleOptions = {
  databaseUrl: string;
  /** Full environment for Ponder (DATABASE_URL, RPC_URL, DIMO_NETWORK, …). */
  env: Record<string, string | undefined>;
  schema: string;
  viewsSchema: string;
  /** Prefix of every deployment schema (abandoned ones with it are dropped). */
  schemaPrefix: string;
  port?: number;
  say: (line: string) => void;
  onLog?: (entry: PonderLog) => void;
  /** How often the views are looked at (handover, supersession); default 500 ms. */
  checkMs?: number;
};

export type IndexerRole = {
  schema: string;
  supervisor: Supervisor;
  /** Resolves once the views read this deployment. */
  serving: Promise<void>;
  /** Resolves with the schema that took the views over; our indexer has then been stopped. */
  superseded: Promise<string>;
  stop(): Promise<void>;
};

const LOCK_HELD = ["Detected crash recovery", "Created database tables", "Started backfill indexing"];
const DROP_EVERY_MS = 5_000;

export async function runIndexerRole(opts: IndexerRoleOptions): Promise<IndexerRole> {
  const { schema, viewsSchema, say } = opts;
  const admin = new pg.Pool({
    connectionString: opts.databaseUrl,
    max: 2,
    application_name: "dimo-indexer-role",
  });
  admin.on("error", () => {});

  let served = false;
  let supersededBy: string | null = null;
  let resolveServing!: () => void;
  let resolveSuperseded!: (by: string) => void;
  const serving = new Promise<void>((r) => {
    resolveServing = r;
  });
  const superseded = new Promise<string>((r) => {
    resolveSuperseded = r;
  });

  let heldLock = false;
  const supervisor = await superviseIndexer({
    start: async () => {
      const current = await servedSchema(admin, viewsSchema);
      if (served && current !== schema && current !== null) {
        throw new Error(`superseded by ${current}; not restarting`);
      }
      const takeover = current !== null && current !== schema;
      if (takeover) say(`indexer: ${current} serves the views; backfilling ${schema} beside it`);
      return startIndexer({
        env: opts.env,
        schema,
        ...(takeover ? {} : { viewsSchema }),
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        onLog: (entry) => {
          if (LOCK_HELD.includes(entry.msg)) heldLock = true;
          opts.onLog?.(entry);
        },
      });
    },
    // Our indexer died holding the schema lock: release it rather than wait out its 25 s expiry.
    beforeRestart: async ({ diedAt }) => {
      if (heldLock) {
        await releaseDeadIndexerLock(opts.databaseUrl, schema, diedAt);
        heldLock = false;
      }
    },
    onExit: (code) => say(`indexer exited unexpectedly (code ${code}); restarting it`),
    onStartFailed: (error, retryInMs) =>
      say(
        `indexer did not start (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); retrying in ${retryInMs} ms`,
      ),
    onRestarted: () => say("indexer: restarted; Ponder resumes from its checkpoint"),
  });

  let lastDrop = 0;
  const kept = new Set<string>();
  let lastWait = "";
  async function step(): Promise<void> {
    const current = await servedSchema(admin, viewsSchema);
    if (current === schema) {
      if (!served) {
        served = true;
        say(`indexer: the ${viewsSchema} views read ${schema}`);
        resolveServing();
      }
      if (Date.now() - lastDrop > DROP_EVERY_MS) {
        lastDrop = Date.now();
        for (const old of await abandonedSchemas(admin, {
          prefix: opts.schemaPrefix,
          keep: schema,
          viewsSchema,
        })) {
          if (kept.has(old)) continue;
          try {
            await admin.query(`DROP SCHEMA ${pg.escapeIdentifier(old)} CASCADE`);
            say(`postgres: dropped the superseded indexer schema ${old}`);
          } catch (error) {
            // Another login's schema (a database shared with something else): leave it to its owner.
            if ((error as { code?: string }).code !== "42501") throw error;
            kept.add(old);
            say(`postgres: kept ${old} (owned by another login)`);
          }
        }
      }
      return;
    }
    if (served && current !== null) {
      supersededBy = current;
      return;
    }
    // Not serving yet: take over once our deployment is ready and caught up.
    const indexer = supervisor.current();
    if (!indexer || !(await isReady(indexer))) return;
    const result = await switchViews(opts.databaseUrl, { from: current, to: schema, viewsSchema });
    if (result.switched) {
      say(`indexer: switched the ${viewsSchema} views from ${current ?? "nothing"} to ${schema}`);
    } else if (result.reason !== lastWait) {
      lastWait = result.reason;
      say(`indexer: not switching yet: ${result.reason}`);
    }
  }

  /**
   * Stops Ponder and releases its schema lock: Ponder 0.17's own shutdown does not get its unlock
   * through, and the lock would keep the schema "in use" (not droppable by the indexer that took
   * over, waited on by the next start) until its heartbeat expires.
   */
  async function stopIndexer(): Promise<void> {
    await supervisor.stop();
    if (heldLock) await releaseDeadIndexerLock(opts.databaseUrl, schema, Date.now()).catch(() => false);
    await admin.end().catch(() => {});
  }

  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  const loop = () => {
    if (stopped) return;
    running = step()
      .catch((error: unknown) => {
        say(
          `indexer: view check failed (${error instanceof Error ? error.message : String(error)}); retrying`,
        );
      })
      .then(async () => {
        if (supersededBy !== null && !stopped) {
          const by = supersededBy;
          stopped = true;
          say(`indexer: superseded by ${by}; stopping ours (${schema})`);
          await stopIndexer();
          resolveSuperseded(by);
        }
      })
      .finally(() => {
        running = null;
        if (!stopped) timer = setTimeout(loop, opts.checkMs ?? 500);
      });
  };
  loop();

  return {
    schema,
    supervisor,
    serving,
    superseded,
    async stop() {
      if (!stopped) {
        stopped = true;
        if (timer) clearTimeout(timer);
        await running;
        await stopIndexer();
      } else {
        await running;
      }
    },
  };
}

async function isReady(indexer: IndexerProcess): Promise<boolean> {
  try {
    return (await fetch(`${indexer.url}/ready`)).status === 200;
  } catch {
    return false;
  }
}
