import { getAddress, keccak256, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { checksumAddress } from "./eip55";

describe("checksumAddress", () => {
  it("agrees with viem's getAddress on 5,000 addresses, in any input case, memoized or not", () => {
    const samples = Array.from({ length: 5000 }, (_, i) => `0x${keccak256(toHex(i)).slice(26)}`);
    samples.push(`0x${"0".repeat(40)}`, `0x${"f".repeat(40)}`, "0x52908400098527886e0f7030069857d2e4169ee7");
    for (const lower of samples) {
      const expected = getAddress(lower);
      expect(checksumAddress(lower)).toBe(expected);
      expect(checksumAddress(lower)).toBe(expected); // memoized
      expect(checksumAddress(lower.toUpperCase().replace("0X", "0x"))).toBe(expected);
      expect(checksumAddress(expected)).toBe(expected);
    }
  });

  it("refuses what is not a 20-byte hex address", () => {
    for (const bad of [
      "",
      "0x",
      "0x123",
      `0x${"g".repeat(40)}`,
      `${"a".repeat(42)}`,
      `0x${"a".repeat(41)}`,
    ]) {
      expect(() => checksumAddress(bad)).toThrow(/invalid/);
    }
  });
});
