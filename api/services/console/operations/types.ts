import type { OperationError, OperationStatus } from "../../../db/operationTables";

export type { OperationError, OperationStatus };

export const OPERATION_KINDS = [
  "create_license",
  "rename_license",
  "generate_key",
  "renew_key",
  "revoke_key",
  "add_redirect_uri",
  "remove_redirect_uri",
  "approve_dimo",
  "buy_dcx",
  "devnet_faucet",
] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

/** Progress order; `failed` ends an operation at any point. */
export const STATUS_ORDER: Record<OperationStatus, number> = {
  prepared: 0,
  submitted: 1,
  mined: 2,
  indexed: 3,
  failed: 4,
};

/** Whether `status` is at or past `target` (failed counts as done: nothing more will happen). */
export const reached = (status: OperationStatus, target: OperationStatus): boolean =>
  status === "failed" || status === "indexed" || STATUS_ORDER[status] >= STATUS_ORDER[target];

/** An operation as the API shows it. */
export type Operation = {
  id: string;
  kind: OperationKind;
  status: OperationStatus;
  txHash: string | null;
  error: OperationError | null;
  wallet: { address: string; kind: "managed" | "external" };
  tokenId: number | null;
  params: Record<string, unknown>;
  result: Record<string, unknown> | null;
  /** The transaction: what an external wallet must sign and send (value in wei, as text). */
  transaction: { chainId: number; to: string; data: string; value: string; nonce: number | null };
  blockNumber: number | null;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  minedAt: string | null;
  indexedAt: string | null;
};
