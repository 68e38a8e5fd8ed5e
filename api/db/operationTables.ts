import type { ColumnType, Generated } from "kysely";

// Row types of the console-operations tables (migration 0300_console_operations).

type Timestamp = ColumnType<Date, Date, Date>;
type NullableTimestamp = ColumnType<Date | null, Date | null | undefined, Date | null>;
/** bigint columns: pg returns decimal text; written as number, bigint or text. */
type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;
type NullableInt8 = ColumnType<
  string | null,
  string | number | bigint | null | undefined,
  string | number | bigint | null
>;
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

export type OperationStatus = "prepared" | "submitted" | "mined" | "indexed" | "failed";

export type OperationError = { code: string; message: string; details?: unknown };

export interface OperationTable {
  id: Generated<string>;
  account_id: string;
  kind: string;
  status: OperationStatus;
  /** Lowercase 0x address of the wallet that sends (or must send) the transaction. */
  wallet_address: string;
  wallet_kind: "managed" | "external";
  chain_id: Int8;
  to_address: string;
  data: string;
  value: ColumnType<string, string | bigint | undefined, string | bigint>;
  nonce: NullableInt8;
  tx_hash: string | null;
  /** A managed wallet's signed transaction (0x…), stored before it is sent; null for external wallets. */
  raw_tx: ColumnType<string | null, string | null | undefined, string | null>;
  block_number: NullableInt8;
  error: NullableJson<OperationError>;
  params: Json<Record<string, unknown>>;
  result: NullableJson<Record<string, unknown>>;
  token_id: ColumnType<string | null, string | bigint | null | undefined, string | bigint | null>;
  alias: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  submitted_at: NullableTimestamp;
  mined_at: NullableTimestamp;
  indexed_at: NullableTimestamp;
}

/** One row: the WAL position standbys must have replayed to serve reads (migration 0330). */
export interface ReadFenceTable {
  id: ColumnType<boolean, never, never>;
  /** pg_lsn as text, e.g. `16/B374D848`. */
  lsn: string;
}

export interface OperationTables {
  "console.operations": OperationTable;
  "console.read_fence": ReadFenceTable;
}
