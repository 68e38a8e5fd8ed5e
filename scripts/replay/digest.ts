import { createHash } from "node:crypto";
import type pg from "pg";
import QueryStream from "pg-query-stream";

// A state digest: SHA-256 over every indexed table of the views schema in a canonical order, so two
// syncs (live, replayed, another machine) compare in one line.
//
// - Tables: every relation of the schema except Ponder's internals (_ponder_*, _reorg__*) and
//   the internal `*_state` tables below; sorted by name.
// - Per table: a header line `name` + columns `name:type` in column order, then one line per row,
//   rows ordered by the underlying table's primary key (all columns in order when it has none —
//   views over several tables; their leading columns are the key), each row the
//   JSON array of its values as Postgres prints them (`::text`: numerics exact, jsonb normalized).
// - The state hash covers `table rows sha256` lines, so a differing table is named by its own hash.

/**
 * Tables without public meaning of their own: `*_state` tables hold every row ever seen with
 * flags (indexer/ponder.schema.ts); their public views (license_signer, vehicle_sacd, …) are what
 * the digest covers. Their contents follow the handlers' implementation, not only the chain.
 */
const isInternalTable = (name: string) => name.endsWith("_state");

type TableDigest = { table: string; rows: number; sha256: string; orderBy: string[] };
export type StateDigest = { schema: string; sha256: string; tables: TableDigest[] };

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function primaryKey(client: pg.PoolClient, relation: string): Promise<string[]> {
  // A view's primary key is its base table's: find the table through the view's rewrite rule.
  const { rows: bases } = await client.query<{ oid: number }>(
    `SELECT DISTINCT d.refobjid::oid AS oid
       FROM pg_rewrite r JOIN pg_depend d ON d.objid = r.oid AND d.classid = 'pg_rewrite'::regclass
      WHERE r.ev_class = $1::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> r.ev_class`,
    [relation],
  );
  const target = bases.length === 1 ? bases[0]!.oid : null;
  const { rows } = await client.query<{ attname: string }>(
    `SELECT a.attname
       FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = COALESCE($2::oid, $1::regclass::oid) AND i.indisprimary
      ORDER BY array_position(i.indkey::int2[], a.attnum)`,
    [relation, target],
  );
  return rows.map((r) => r.attname);
}

async function tableDigest(client: pg.PoolClient, schema: string, table: string): Promise<TableDigest> {
  const relation = `${ident(schema)}.${ident(table)}`;
  const { rows: columns } = await client.query<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table],
  );
  const key = await primaryKey(client, relation);
  const orderBy = key.length ? key : columns.map((c) => c.column_name);
  const hash = createHash("sha256");
  hash.update(`${table}\n${columns.map((c) => `${c.column_name}:${c.data_type}`).join(",")}\n`);
  const select = columns.map((c) => `${ident(c.column_name)}::text`).join(", ");
  const sql = `SELECT ${select} FROM ${relation} ORDER BY ${orderBy.map(ident).join(", ")}`;
  const stream = client.query(new QueryStream(sql, [], { batchSize: 2_000, rowMode: "array" }));
  let rows = 0;
  for await (const row of stream) {
    hash.update(`${JSON.stringify(row)}\n`);
    rows++;
  }
  return { table, rows, sha256: hash.digest("hex"), orderBy };
}

/** The digest of every indexed table in `schema` (the stable views schema by default). */
export async function stateDigest(pool: pg.Pool, schema = "dimo"): Promise<StateDigest> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = $1 AND table_name NOT LIKE '\\_ponder%' AND table_name NOT LIKE '\\_reorg%'
        ORDER BY table_name COLLATE "C"`,
      [schema],
    );
    const names = rows.map((r) => r.table_name).filter((t) => !isInternalTable(t));
    if (names.length === 0)
      throw new Error(`schema "${schema}" has no indexed tables (has the indexer run?)`);
    const tables: TableDigest[] = [];
    for (const name of names) tables.push(await tableDigest(client, schema, name));
    const hash = createHash("sha256");
    for (const t of tables) hash.update(`${t.table} ${t.rows} ${t.sha256}\n`);
    return { schema, sha256: hash.digest("hex"), tables };
  } finally {
    client.release();
  }
}

/** Human-readable lines: one per table, then the state hash. */
export function formatDigest(d: StateDigest): string {
  const width = Math.max(...d.tables.map((t) => t.table.length));
  const lines = d.tables.map((t) => `${t.table.padEnd(width)}  ${String(t.rows).padStart(8)}  ${t.sha256}`);
  return `${lines.join("\n")}\n${"state".padEnd(width)}  ${"".padStart(8)}  ${d.sha256}\n`;
}
