import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { indexedSchemaDdl } from "../../scripts/fixtures/indexedFixture";
import { indexedRelations } from "../../scripts/fixtures/indexedSchema";
import { VIEWS_SCHEMA } from "../../scripts/runtime/deploymentSchema";
import { type Stack, startStack } from "../support/stack";

// One source for the `dimo` schema: the API's row types (api/db/indexed.ts) and the test fixture's
// tables (scripts/fixtures) are derived from indexer/ponder.schema.ts. This suite runs the real
// indexer (Ponder with --views-schema dimo) and compares the views it builds, column by column,
// with the fixture's tables built beside them, so a drift in either fails here.

type ColumnFact = { relation: string; column: string; type: string; nullable: boolean };

const FIXTURE_SCHEMA = "fixture_dimo";

let stack: Stack;

/**
 * Every column of every relation in `schema`, as information_schema.columns reports it. A view
 * column's nullability is its source column's (Postgres reports every view column nullable), found
 * through information_schema.view_column_usage by name, down to a base table.
 */
async function columnsOf(pool: pg.Pool, schema: string): Promise<ColumnFact[]> {
  const { rows: columns } = await pool.query<{
    table_schema: string;
    table_name: string;
    column_name: string;
    data_type: string;
    numeric_precision: number | null;
    numeric_scale: number | null;
    character_maximum_length: number | null;
    is_nullable: "YES" | "NO";
    table_type: string;
  }>(
    `SELECT c.table_schema, c.table_name, c.column_name, c.data_type, c.numeric_precision, c.numeric_scale,
            c.character_maximum_length, c.is_nullable, t.table_type
       FROM information_schema.columns c
       JOIN information_schema.tables t USING (table_schema, table_name)
      ORDER BY c.table_schema, c.table_name, c.ordinal_position`,
  );
  const { rows: usage } = await pool.query<{
    view_schema: string;
    view_name: string;
    table_schema: string;
    table_name: string;
    column_name: string;
  }>(
    `SELECT view_schema, view_name, table_schema, table_name, column_name FROM information_schema.view_column_usage`,
  );
  const byKey = new Map(columns.map((c) => [`${c.table_schema}.${c.table_name}.${c.column_name}`, c]));

  const nullable = (relSchema: string, rel: string, column: string): boolean => {
    const c = byKey.get(`${relSchema}.${rel}.${column}`);
    if (!c) throw new Error(`no column ${relSchema}.${rel}.${column}`);
    if (c.table_type === "BASE TABLE") return c.is_nullable === "YES";
    const sources = usage.filter(
      (u) => u.view_schema === relSchema && u.view_name === rel && u.column_name === column,
    );
    if (sources.length !== 1) {
      throw new Error(`${relSchema}.${rel}.${column}: ${sources.length} source columns of that name`);
    }
    return nullable(sources[0]!.table_schema, sources[0]!.table_name, column);
  };
  const type = (c: (typeof columns)[number]) => {
    if (c.data_type === "numeric") return `numeric(${c.numeric_precision},${c.numeric_scale})`;
    if (c.data_type === "character varying") return `varchar(${c.character_maximum_length})`;
    return c.data_type;
  };
  return columns
    .filter((c) => c.table_schema === schema)
    .map((c) => ({
      relation: c.table_name,
      column: c.column_name,
      type: type(c),
      nullable: nullable(c.table_schema, c.table_name, c.column_name),
    }));
}

beforeAll(async () => {
  stack = await startStack();
  await stack.pool.query(`CREATE SCHEMA ${FIXTURE_SCHEMA}`);
  for (const statement of indexedSchemaDdl(FIXTURE_SCHEMA)) await stack.pool.query(statement);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe("the dimo schema a real indexer builds", () => {
  it("holds a view per public relation of ponder.schema.ts, plus the *_state tables and Ponder's bookkeeping", async () => {
    const { rows } = await stack.pool.query<{ table_name: string; table_type: string }>(
      "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
      [VIEWS_SCHEMA],
    );
    expect(new Set(rows.map((r) => r.table_type))).toEqual(new Set(["VIEW"]));
    const publicNames = rows.map((r) => r.table_name).filter((name) => !name.endsWith("_state"));
    expect(publicNames).toEqual(
      [...indexedRelations().map((r) => r.name), "_ponder_checkpoint", "_ponder_meta"].sort(),
    );
  });

  it("matches the API's row types and the fixture's tables: every column's name, type and nullability", async () => {
    const real = (await columnsOf(stack.pool, VIEWS_SCHEMA)).filter((c) => !c.relation.endsWith("_state"));
    const fixture = await columnsOf(stack.pool, FIXTURE_SCHEMA);
    expect(real.length).toBeGreaterThan(60);
    expect(fixture).toEqual(real);
  });

  it("reads view nullability through to the source columns (so the comparison above can fail)", async () => {
    const real = await columnsOf(stack.pool, VIEWS_SCHEMA);
    const fact = (relation: string, column: string) =>
      real.find((c) => c.relation === relation && c.column === column);
    expect(fact("license_signer", "enabled_at")).toEqual({
      relation: "license_signer",
      column: "enabled_at",
      type: "numeric(78,0)",
      nullable: false,
    });
    expect(fact("vehicle_sacd", "template_id")).toMatchObject({ type: "text", nullable: true });
    expect(fact("license_event", "args")).toMatchObject({ type: "json", nullable: false });
  });
});
