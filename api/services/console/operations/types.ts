import type { OperationError, OperationStatus } from "../../../db/operationTables";

export type { OperationError, OperationStatus };

/** Progress order; `failed` ends an operation at any point. */
const STATUS_ORDER: Record<OperationStatus, number> = {
  prepared: 0,
  submitted: 1,
  mined: 2,
  indexed: 3,
  failed: 4,
};

/** Whether `status` is at or past `target` (failed counts as done: nothing more will happen). */
export const reached = (status: OperationStatus, target: OperationStatus): boolean =>
  status === "failed" || status === "indexed" || STATUS_ORDER[status] >= STATUS_ORDER[target];
