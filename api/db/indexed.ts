import type { ColumnType } from "kysely";
import type * as ponderSchema from "../../indexer/ponder.schema";

// Row types of the indexer's stable views schema `dimo`, derived from indexer/ponder.schema.ts at
// compile time (type-only import: nothing of the indexer loads in the API). Ponder's
// `--views-schema dimo` puts a view in `dimo` for every table and onchainView of the deployment
// schema; the API reads the public ones, i.e. all but the `*_state` tables behind the views.
// Column names are Ponder's: the schema's camelCase keys in snake_case. Only Ponder's own
// bookkeeping tables (`_ponder_meta`, `_ponder_checkpoint`) are written here by hand.
// test/indexer/schema.test.ts checks all of it against the views a real indexer builds.

/** numeric(78): pg returns decimal text so uint256 values survive; written as text or bigint. */
type Numeric = ColumnType<string, string | bigint, string | bigint>;

/** What pg returns (and Kysely accepts) for each Ponder column kind, by drizzle `columnType`. */
type ColumnKinds<Json> = {
  PgEvmBigint: Numeric;
  /** Ponder's hex columns: lowercase 0x-prefixed text. */
  PgHex: string;
  PgText: string;
  PgInteger: number;
  PgBoolean: boolean;
  /** Ponder `json` column: pg parses it; written as JSON text. */
  PgJson: ColumnType<Json, string, string>;
};

/**
 * The Postgres type Ponder gives each column kind, which the row types above assume; the test
 * fixture builds its tables with these types and test/indexer/schema.test.ts checks them against
 * the real views. A kind missing here types its columns `never` and makes the fixture throw.
 */
export const PG_TYPE_OF_KIND = {
  PgEvmBigint: "numeric(78)",
  PgHex: "text",
  PgText: "text",
  PgInteger: "integer",
  PgBoolean: "boolean",
  PgJson: "json",
} as const satisfies Record<keyof ColumnKinds<unknown>, string>;

/**
 * How Ponder names a column: its key with every capital turned into `_` + lowercase (the names
 * in the schema are simple camelCase; scripts/fixtures/indexedSchema.test.ts checks Ponder's names).
 */
export type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Tail>}`
  : S;

type Nullable<T> =
  T extends ColumnType<infer S, infer I, infer U> ? ColumnType<S | null, I | null, U | null> : T | null;

type KyselyColumn<C> = C extends {
  _: { columnType: infer K extends keyof ColumnKinds<unknown>; notNull: infer NotNull; data: infer Data };
}
  ? NotNull extends true
    ? ColumnKinds<Data>[K]
    : Nullable<ColumnKinds<Data>[K]>
  : never;

/** A table's columns, or an onchainView's selected ones (which keep their source column's name). */
type ColumnsOf<T> = T extends { _: { columns: infer C } }
  ? C
  : T extends { _: { selectedFields: infer C } }
    ? C
    : never;

type RowOf<Columns> = {
  [K in keyof Columns as Columns[K] extends { _: { name: infer N extends string } }
    ? SnakeCase<N>
    : never]: KyselyColumn<Columns[K]>;
};

/** The public relation name of a schema export; never for the `*_state` tables and non-tables. */
type PublicName<T> = T extends { _: { name: infer N extends string } }
  ? N extends `${string}_state`
    ? never
    : N
  : never;

type Schema = typeof ponderSchema;

/** Ponder's own bookkeeping, exposed in the views schema too. */
export interface PonderMetaTable {
  key: string;
  /** For key "app": { is_ready: 0 | 1, build_id, … } (jsonb). */
  value: ColumnType<Record<string, unknown>, string, string>;
}

export interface PonderCheckpointTable {
  chain_name: string;
  chain_id: ColumnType<string, string | number | bigint, string | number | bigint>;
  safe_checkpoint: string;
  /** 75 digits: timestamp(10) · chainId(16) · block(16) · txIndex(16) · eventType(1) · eventIndex(16). */
  latest_checkpoint: string;
  finalized_checkpoint: string;
}

/**
 * The two bookkeeping tables' columns as `ponder start` creates them, keyed like the interfaces
 * above (a column added or renamed on one side fails the type check): the test fixture builds them
 * from this and test/indexer/schema.test.ts compares them with a real indexer's.
 */
export const PONDER_TABLE_COLUMNS = {
  _ponder_meta: { key: "text PRIMARY KEY", value: "jsonb NOT NULL" } satisfies Record<
    keyof PonderMetaTable,
    string
  >,
  _ponder_checkpoint: {
    chain_name: "text PRIMARY KEY",
    chain_id: "bigint NOT NULL",
    safe_checkpoint: "varchar(75) NOT NULL",
    latest_checkpoint: "varchar(75) NOT NULL",
    finalized_checkpoint: "varchar(75) NOT NULL",
  } satisfies Record<keyof PonderCheckpointTable, string>,
};

export const INDEXED_SCHEMA = "dimo";

/** `dimo.<name>` for every public table and view of ponder.schema.ts, and Ponder's two tables. */
export type IndexedDatabase = {
  [E in keyof Schema as `dimo.${PublicName<Schema[E]>}`]: RowOf<ColumnsOf<Schema[E]>>;
} & {
  "dimo._ponder_meta": PonderMetaTable;
  "dimo._ponder_checkpoint": PonderCheckpointTable;
};
