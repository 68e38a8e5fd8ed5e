import { describe, expect, it } from "vitest";
import { historyArgs } from "./eventArgs";

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
