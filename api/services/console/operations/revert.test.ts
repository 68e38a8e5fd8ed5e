import { BaseError, encodeErrorResult, parseEther } from "viem";
import { describe, expect, it } from "vitest";
import { chainErrorToApiError, decodeRevertData, KNOWN_ERRORS, revertToApiError } from "./revert";

const WALLET = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const encode = (errorName: string, args: readonly unknown[] = []) =>
  encodeErrorResult({ abi: KNOWN_ERRORS, errorName, args } as never);

describe("revert decoding", () => {
  it.each([
    ["AliasAlreadyInUse", ["my-app"], 409, 'The alias "my-app" is already in use by another license'],
    ["AliasExceedsMaxLength", [], 400, "alias is longer than 32 bytes (UTF-8)"],
    ["InvalidSender", [WALLET], 403, `Only the license owner can do this; ${WALLET} is not its owner`],
    ["NonexistentToken", [7n], 404, "No license with tokenId 7 on chain"],
    [
      "InsufficientBalance",
      [WALLET, parseEther("1.5"), parseEther("1000")],
      409,
      "Insufficient DCX: the wallet has 1.5 DCX and needs 1000 DCX; buy DCX first",
    ],
    [
      "ERC20InsufficientBalance",
      [WALLET, 0n, parseEther("4")],
      409,
      "Insufficient DIMO: the wallet has 0 DIMO and needs 4 DIMO",
    ],
  ] as const)("%s → %i", (name, args, status, message) => {
    const revert = decodeRevertData(encode(name, args));
    expect(revert.name).toBe(name);
    const error = revertToApiError(revert);
    expect(error.status).toBe(status);
    expect(error.message).toBe(message);
    expect(error.details).toMatchObject({ revert: name });
  });

  it("names an unknown selector instead of failing", () => {
    expect(decodeRevertData("0xdeadbeef00")).toEqual({ name: "UnknownError", args: ["0xdeadbeef"] });
  });

  it("finds the revert data inside a viem error's cause chain", () => {
    const inner = Object.assign(new BaseError("execution reverted"), {
      data: encode("AliasExceedsMaxLength"),
    });
    const outer = new BaseError("estimateGas failed", { cause: inner });
    expect(chainErrorToApiError(outer, WALLET)).toMatchObject({ status: 400 });
  });

  it("recognizes a node's insufficient-funds answer to eth_sendRawTransaction (a 409, not a 503)", () => {
    // What viem throws when anvil refuses the raw transaction: no InsufficientFundsError in the chain.
    const rpc = new BaseError("RPC Request failed.", {
      cause: new Error("Insufficient funds for gas * price + value"),
    });
    const outer = new BaseError("Transaction creation failed.", { cause: rpc });
    expect(chainErrorToApiError(outer, WALLET)).toMatchObject({
      status: 409,
      details: { revert: "InsufficientFunds" },
    });
  });

  it("treats anything else as the RPC being unavailable (503)", () => {
    expect(chainErrorToApiError(new Error("socket hang up"), WALLET)).toMatchObject({ status: 503 });
  });
});
