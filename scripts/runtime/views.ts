import pg from "pg";
import { decodeCheckpoint } from "../../api/services/system/indexerStatus";

// The `dimo` views are the API's (and analysts') only way to the indexed tables: `dimo.x` is
// `SELECT * FROM <deployment schema>.x`. Which deployment they read is therefore the one switch an
// indexer upgrade turns. Ponder turns it itself when a deployment started with `--views-schema`
// finishes its backfill; for an upgrade next to a running indexer we turn it here instead, in one
// transaction, and only once the new deployment has indexed at least as far as the one it replaces
// (so nothing a client has already read disappears, not even for a moment).

const { escapeIdentifier: ident } = pg;

type Queryable = Pick<pg.ClientBase, "query">;

/** The deployment schema the views read (through `_ponder_checkpoint`), or null without views. */
export async function servedSchema(db: Queryable, viewsSchema: string): Promise<string | null> {
  const { rows } = await db.query<{ nspname: string }>(
    `SELECT DISTINCT n.nspname
       FROM pg_rewrite r
       JOIN pg_class v ON v.oid = r.ev_class
       JOIN pg_namespace vn ON vn.oid = v.relnamespace
       JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
       JOIN pg_class t ON t.oid = d.refobjid AND t.oid <> v.oid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE vn.nspname = $1 AND v.relname = '_ponder_checkpoint'`,
    [viewsSchema],
  );
  return rows[0]?.nspname ?? null;
}

type App = { is_ready?: number; table_names?: string[]; view_names?: string[] };

async function appOf(db: Queryable, schema: string): Promise<App | null> {
  try {
    const { rows } = await db.query<{ value: App }>(
      `SELECT value FROM ${ident(schema)}._ponder_meta WHERE key = 'app'`,
    );
    return rows[0]?.value ?? null;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "42P01" || code === "3F000") return null;
    throw error;
  }
}

/** Highest indexed block per chain id of a deployment. */
async function checkpoints(db: Queryable, schema: string): Promise<Map<bigint, bigint>> {
  const { rows } = await db.query<{ latest_checkpoint: string }>(
    `SELECT latest_checkpoint FROM ${ident(schema)}._ponder_checkpoint`,
  );
  const out = new Map<bigint, bigint>();
  for (const r of rows) {
    const c = decodeCheckpoint(r.latest_checkpoint);
    if (c) out.set(c.chainId, c.blockNumber);
  }
  return out;
}

export type SwitchResult =
  | { switched: true; blocks: Record<string, string> }
  | { switched: false; reason: string };

/**
 * Points the views at `to` if it is ready and, on every chain `from` indexes, at or past `from`'s
 * block. `from`'s checkpoint table is share-locked for the comparison, so its indexer cannot commit
 * a newer block between the check and the switch (it waits the few ms the switch takes).
 */
export async function switchViews(
  databaseUrl: string,
  opts: { from: string | null; to: string; viewsSchema: string },
): Promise<SwitchResult> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "dimo-indexer-switch" });
  await client.connect();
  const views = ident(opts.viewsSchema);
  const to = ident(opts.to);
  try {
    await client.query("BEGIN");
    await client.query("SET LOCAL lock_timeout = '5s'");
    const app = await appOf(client, opts.to);
    if (!app || Number(app.is_ready) !== 1) {
      await client.query("ROLLBACK");
      return { switched: false, reason: `${opts.to} has not finished its backfill` };
    }
    const ours = await checkpoints(client, opts.to);
    if (opts.from && (await appOf(client, opts.from))) {
      await client.query(`LOCK TABLE ${ident(opts.from)}._ponder_checkpoint IN SHARE MODE`);
      for (const [chainId, block] of await checkpoints(client, opts.from)) {
        const mine = ours.get(chainId);
        if (mine === undefined || mine < block) {
          await client.query("ROLLBACK");
          return {
            switched: false,
            reason: `${opts.to} is at block ${mine ?? "none"} of chain ${chainId}, ${opts.from} at ${block}`,
          };
        }
      }
    }
    const names = [...(app.table_names ?? []), ...(app.view_names ?? [])];
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${views}`);
    // Views of tables the new version no longer has go too (Ponder only replaces what it knows).
    const { rows: stale } = await client.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind = 'v' AND c.relname <> ALL($2::text[])`,
      [opts.viewsSchema, [...names, "_ponder_meta", "_ponder_checkpoint"]],
    );
    for (const { relname } of stale) await client.query(`DROP VIEW IF EXISTS ${views}.${ident(relname)}`);
    // DROP + CREATE, as Ponder does: CREATE OR REPLACE cannot change a view's columns.
    for (const name of [...names, "_ponder_meta", "_ponder_checkpoint"]) {
      await client.query(`DROP VIEW IF EXISTS ${views}.${ident(name)}`);
      await client.query(`CREATE VIEW ${views}.${ident(name)} AS SELECT * FROM ${to}.${ident(name)}`);
    }
    // Ponder's commit notification on `<views>_live_query` (the API's operation follower listens)
    // now fires for the new deployment's commits, no longer for the old one's.
    const trigger = ident(`${opts.viewsSchema}_live_query_notify`);
    const { rows: notify } = await client.query(
      `SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = $1 AND p.proname = 'live_query_notify'`,
      [opts.viewsSchema],
    );
    if (notify.length > 0) {
      if (opts.from && opts.from !== opts.to) {
        await client.query(`DROP TRIGGER IF EXISTS ${trigger} ON ${ident(opts.from)}._ponder_checkpoint`);
      }
      await client.query(
        `CREATE OR REPLACE TRIGGER ${trigger} AFTER INSERT OR UPDATE OR DELETE ON ${to}._ponder_checkpoint
         FOR EACH STATEMENT EXECUTE PROCEDURE ${views}.live_query_notify()`,
      );
    }
    await client.query("COMMIT");
    return {
      switched: true,
      blocks: Object.fromEntries([...ours].map(([chain, block]) => [String(chain), String(block)])),
    };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A Ponder lock whose heartbeat is older than this belongs to a process that is gone (Ponder: 25 s). */
const DEAD_AFTER_MS = 60_000;

/**
 * Deployment schemas (`prefix*`) other than `keep` and the served one whose indexer is gone: it
 * released its lock (a clean stop) or its heartbeat is long past. A schema still being built by
 * another indexer (fresh heartbeat, or Ponder's tables not made yet) is never among them.
 */
export async function abandonedSchemas(
  db: Queryable,
  opts: { prefix: string; keep: string; viewsSchema: string; now?: number },
): Promise<string[]> {
  const served = await servedSchema(db, opts.viewsSchema);
  const { rows } = await db.query<{ nspname: string }>(
    `SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1) AND nspname <> $2`,
    [opts.prefix, opts.keep],
  );
  const now = opts.now ?? Date.now();
  const out: string[] = [];
  for (const { nspname } of rows) {
    if (nspname === served) continue;
    const app = (await appOf(db, nspname)) as (App & { is_locked?: number; heartbeat_at?: number }) | null;
    if (!app) continue;
    if (Number(app.is_locked) === 0 || Number(app.heartbeat_at ?? 0) < now - DEAD_AFTER_MS) out.push(nspname);
  }
  return out;
}
