import { type Address, type Hex, isAddressEqual, parseEventLogs, type TransactionReceipt } from "viem";
import { devLicenseAbi } from "../../../../abis/devLicense";
import type { OpsChain } from "./chain";
import { decodeRevert, decodeRevertData, type Revert, revertToApiError } from "./revert";
import type { OperationError } from "./types";

/** tokenId, clientId and owner of the license a create_license transaction issued. */
export function issuedLicense(
  receipt: TransactionReceipt,
  devLicense: Address,
): { tokenId: bigint; clientId: Address; owner: Address } | null {
  const [issued] = parseEventLogs({ abi: devLicenseAbi, eventName: "Issued", logs: receipt.logs }).filter(
    (l) => isAddressEqual(l.address, devLicense),
  );
  return issued ? issued.args : null;
}

/**
 * Why a mined transaction reverted: its call replayed on the state before its block (the decoded
 * custom error), else the node's call trace where the node has one (anvil, archive nodes).
 */
export async function revertReason(
  chain: OpsChain,
  tx: { from: Address; to: Address; data: Hex; value: bigint; hash: Hex },
  blockNumber: bigint,
): Promise<OperationError> {
  let revert: Revert | null = null;
  try {
    await chain.client.call({
      account: tx.from,
      to: tx.to,
      data: tx.data,
      value: tx.value,
      blockNumber: blockNumber - 1n,
    });
  } catch (error) {
    revert = decodeRevert(error);
  }
  if (!revert) {
    try {
      const trace = (await chain.client.request({
        method: "debug_traceTransaction",
        params: [tx.hash, { tracer: "callTracer" }],
      } as never)) as { output?: Hex };
      if (trace.output && trace.output !== "0x") {
        revert = decodeRevertData(trace.output);
      }
    } catch {
      // no tracer on this node: the generic reason below
    }
  }
  if (!revert) return { code: "reverted", message: "The transaction reverted on chain (no reason given)" };
  const error = revertToApiError(revert);
  return { code: "reverted", message: error.message, details: error.details };
}
