import type { ColumnType } from "kysely";

// Row types of the indexer's stable views schema `dimo` (Ponder `--views-schema dimo`), written by
// hand from indexer/ponder.schema.ts: same table names, snake_case columns. The API only reads
// them; the insert types exist for test fixtures and the bench, which build look-alike tables.

/** numeric(78): pg returns decimal text so uint256 values survive; written as text or bigint. */
type Numeric = ColumnType<string, string | bigint, string | bigint>;
type NullableNumeric = ColumnType<string | null, string | bigint | null, string | bigint | null>;
/** Ponder's hex columns: lowercase 0x-prefixed text. */
type Hex = string;

export interface LicenseTable {
  token_id: Numeric;
  client_id: Hex;
  owner: Hex;
  alias: string | null;
  /** "active" | "revoked" */
  status: string;
  minted_at: Numeric;
  minted_block: Numeric;
  minted_tx: Hex;
  revoked_at: NullableNumeric;
  revoked_block: NullableNumeric;
  revoked_tx: Hex | null;
}

export interface LicenseSignerTable {
  token_id: Numeric;
  signer: Hex;
  enabled_at: Numeric;
  enabled_block: Numeric;
  enabled_tx: Hex;
}

export interface LicenseRedirectUriTable {
  token_id: Numeric;
  uri: string;
  enabled_at: Numeric;
  enabled_block: Numeric;
  enabled_tx: Hex;
}

export interface LicenseEventTable {
  block_number: Numeric;
  log_index: number;
  token_id: Numeric;
  type: string;
  /** Ponder `json` column: pg parses it; written as JSON text. */
  args: ColumnType<Record<string, string | boolean | null>, string, string>;
  tx_hash: Hex;
  timestamp: Numeric;
}

export interface LicenseContractTable {
  address: Hex;
  period_validity: NullableNumeric;
  license_cost: NullableNumeric;
}

export interface VehicleTable {
  id: Numeric;
  owner: Hex;
  minted_at: NullableNumeric;
  minted_block: NullableNumeric;
  transfers: number;
}

export interface VehicleSacdTable {
  vehicle_id: Numeric;
  grantee: Hex;
  permissions: Numeric;
  expires_at: Numeric;
  source: string | null;
  template_id: Hex | null;
  created_at: Numeric;
  block_number: Numeric;
  tx_hash: Hex;
}

export interface VehiclePrivilegeTable {
  vehicle_id: Numeric;
  privilege_id: Numeric;
  user: Hex;
  expires_at: Numeric;
  version: Numeric;
  set_at: Numeric;
  block_number: Numeric;
  tx_hash: Hex;
}

export interface AccountSacdTable {
  grantor: Hex;
  grantee: Hex;
  permissions: Numeric;
  expires_at: Numeric;
  source: string | null;
  template_id: Hex | null;
  created_at: Numeric;
  block_number: Numeric;
  tx_hash: Hex;
}

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

export const INDEXED_SCHEMA = "dimo";

export interface IndexedDatabase {
  "dimo.license": LicenseTable;
  "dimo.license_signer": LicenseSignerTable;
  "dimo.license_redirect_uri": LicenseRedirectUriTable;
  "dimo.license_event": LicenseEventTable;
  "dimo.license_contract": LicenseContractTable;
  "dimo.vehicle": VehicleTable;
  "dimo.vehicle_sacd": VehicleSacdTable;
  "dimo.vehicle_privilege": VehiclePrivilegeTable;
  "dimo.account_sacd": AccountSacdTable;
  "dimo._ponder_meta": PonderMetaTable;
  "dimo._ponder_checkpoint": PonderCheckpointTable;
}
