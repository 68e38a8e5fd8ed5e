import { getAddress, keccak256, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { checksumAddress, historyArgs } from "./eventArgs";

describe("historyArgs", () => {
  it("checksums addresses, stringifies integers, keeps bools and strings", () => {
    const inputs = [
      { name: "tokenId", type: "uint256" },
      { name: "owner", type: "address" },
      { name: "frozen", type: "bool" },
      { name: "uri", type: "string" },
      { name: "key", type: "bytes32" },
    ];
    expect(
      historyArgs(inputs, {
        tokenId: 2n ** 200n,
        owner: "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
        frozen: true,
        uri: "https://app.example/cb",
        key: "0xABCD",
      }),
    ).toEqual({
      tokenId: (2n ** 200n).toString(),
      owner: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
      frozen: true,
      uri: "https://app.example/cb",
      key: "0xabcd",
    });
  });
});

describe("checksumAddress", () => {
  it("matches viem's EIP-55 checksum for any input case, memoized or not", () => {
    for (let i = 0; i < 500; i++) {
      const address = `0x${keccak256(toHex(i)).slice(26)}`;
      const expected = getAddress(address);
      expect(checksumAddress(address)).toBe(expected);
      expect(checksumAddress(address.toUpperCase().replace("0X", "0x"))).toBe(expected);
    }
    expect(checksumAddress("0x0000000000000000000000000000000000000000")).toBe(
      "0x0000000000000000000000000000000000000000",
    );
  });
});
