import {
  type Abi,
  BaseError,
  decodeErrorResult,
  formatUnits,
  type Hex,
  InsufficientFundsError,
  isHex,
} from "viem";
import { devLicenseErrors } from "../../../../abis/devLicense";
import {
  type ApiError,
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  NotFoundError,
  UnavailableError,
} from "../../../errors";

/**
 * Custom errors the console's transactions can revert with: the license contract's, DimoCredit's
 * and the ERC-6093 errors of an OpenZeppelin v5 ERC-20 (the DIMO token). `Error(string)` and
 * `Panic(uint256)` are decoded by viem itself.
 */
export const KNOWN_ERRORS = [
  ...devLicenseErrors,
  {
    type: "error",
    name: "InsufficientBalance",
    inputs: [
      { name: "from", type: "address" },
      { name: "fromBalance", type: "uint256" },
      { name: "amount", type: "uint256" },
    ],
  },
  {
    type: "error",
    name: "ERC20InsufficientBalance",
    inputs: [
      { name: "sender", type: "address" },
      { name: "balance", type: "uint256" },
      { name: "needed", type: "uint256" },
    ],
  },
  {
    type: "error",
    name: "ERC20InsufficientAllowance",
    inputs: [
      { name: "spender", type: "address" },
      { name: "allowance", type: "uint256" },
      { name: "needed", type: "uint256" },
    ],
  },
] as const satisfies Abi;

export type Revert = { name: string; args: readonly unknown[] };

/** The revert payload (0x + selector + args) somewhere in a viem error's cause chain, if any. */
function revertData(error: unknown): Hex | null {
  if (!(error instanceof BaseError)) return null;
  let found: Hex | null = null;
  error.walk((e) => {
    const data = (e as { data?: unknown }).data;
    const hex = typeof data === "object" && data !== null ? (data as { data?: unknown }).data : data;
    if (typeof hex === "string" && isHex(hex) && hex.length >= 10) {
      found = hex;
      return true;
    }
    return false;
  });
  return found;
}

/** A revert payload decoded against the known errors (an unknown selector is named as such). */
export function decodeRevertData(data: Hex): Revert {
  try {
    const decoded = decodeErrorResult({ abi: KNOWN_ERRORS, data });
    return { name: decoded.errorName, args: (decoded.args ?? []) as readonly unknown[] };
  } catch {
    return { name: "UnknownError", args: [data.slice(0, 10)] };
  }
}

/** The decoded custom error (or Error(string) as `Error`) of a revert, or null when there is none. */
export function decodeRevert(error: unknown): Revert | null {
  const data = revertData(error);
  if (data) return decodeRevertData(data);
  // Nodes that answer "execution reverted: reason" without data.
  if (error instanceof BaseError) {
    const match = /reverted(?: with reason string)?:? '?([^'\n]+)'?/i.exec(error.details ?? "");
    if (match?.[1]) return { name: "Error", args: [match[1].trim()] };
  }
  return null;
}

const units = (v: unknown) => formatUnits(typeof v === "bigint" ? v : 0n, 18);

/** A chain refusal as the API error a client gets: named after the contract's reason. */
export class ChainRevertError extends ConflictError {
  override name = "ChainRevertError";
}

/**
 * Maps a decoded revert to the error the API answers with (one table, used before sending — from
 * estimateGas — and after mining, for a transaction that reverted on chain).
 */
export function revertToApiError(revert: Revert): ApiError {
  const details = {
    revert: revert.name,
    args: revert.args.map((a) => (typeof a === "bigint" ? a.toString() : a)),
  };
  const [a0, a1, a2] = revert.args;
  switch (revert.name) {
    case "AliasAlreadyInUse":
      return new ChainRevertError(
        `The alias ${JSON.stringify(a0)} is already in use by another license`,
        details,
      );
    case "AliasExceedsMaxLength": {
      const e = new InvalidRequestError("alias is longer than 32 bytes (UTF-8)");
      return Object.assign(e, { details });
    }
    case "InvalidSender":
      return new ForbiddenError(
        `Only the license owner can do this; ${String(a0)} is not its owner`,
        details,
      );
    case "NonexistentToken":
      return new NotFoundError(`No license with tokenId ${String(a0)} on chain`, details);
    case "InsufficientBalance":
      return new ChainRevertError(
        `Insufficient DCX: the wallet has ${units(a1)} DCX and needs ${units(a2)} DCX; buy DCX first`,
        details,
      );
    case "ERC20InsufficientBalance":
      return new ChainRevertError(
        `Insufficient DIMO: the wallet has ${units(a1)} DIMO and needs ${units(a2)} DIMO`,
        details,
      );
    case "ERC20InsufficientAllowance":
      return new ChainRevertError(
        `DIMO allowance too low: ${String(a0)} may spend ${units(a1)} DIMO and needs ${units(a2)}; approve it first`,
        details,
      );
    case "StakedFunds":
    case "FrozenToken":
    case "InvalidOperation":
      return new ChainRevertError(`The license contract refused the transaction (${revert.name})`, details);
    case "Error":
      return new ChainRevertError(`The transaction would revert: ${String(a0)}`, details);
    default:
      return new ChainRevertError(`The transaction would revert (${revert.name})`, details);
  }
}

/**
 * viem maps a node's "insufficient funds" to InsufficientFundsError on estimateGas, but from
 * eth_sendRawTransaction it arrives as a plain RPC error with the node's text (anvil: "Insufficient
 * funds for gas * price + value"; geth: "insufficient funds for gas * price + value").
 */
function isInsufficientFunds(e: unknown): boolean {
  if (e instanceof InsufficientFundsError) return true;
  return e instanceof Error && /insufficient funds/i.test(e.message);
}

/**
 * Any failure of estimateGas/sendRawTransaction as an API error: a decoded revert, missing gas
 * money (a 409 that names the wallet), or the RPC being unreachable (503).
 */
export function chainErrorToApiError(error: unknown, wallet: string): ApiError {
  if (error instanceof BaseError && error.walk((e) => isInsufficientFunds(e))) {
    return new ChainRevertError(
      `Insufficient funds: the wallet ${wallet} cannot pay for gas; send it native tokens (POL) first`,
      { revert: "InsufficientFunds" },
    );
  }
  const revert = decodeRevert(error);
  if (revert) return revertToApiError(revert);
  if (error instanceof BaseError && /revert/i.test(`${error.shortMessage} ${error.details ?? ""}`)) {
    return new ChainRevertError("The transaction would revert (no reason given)", { revert: "Unknown" });
  }
  return new UnavailableError("The chain RPC endpoint failed; try again shortly", undefined, {
    cause: error,
  });
}
