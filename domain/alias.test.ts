import { stringToHex } from "viem";
import { describe, expect, it } from "vitest";
import { aliasByteLength, aliasProblem, decodeAlias } from "./alias";

describe("decodeAlias", () => {
  it("takes the string overload as emitted, empty as null", () => {
    expect(decodeAlias("my-app", "string")).toBe("my-app");
    expect(decodeAlias("", "string")).toBeNull();
    expect(decodeAlias(" spaced ", "string")).toBe(" spaced ");
  });

  it("reads bytes32 up to the first zero byte as UTF-8", () => {
    expect(decodeAlias(stringToHex("my-app", { size: 32 }), "bytes32")).toBe("my-app");
    expect(decodeAlias(stringToHex("ünïcødé", { size: 32 }), "bytes32")).toBe("ünïcødé");
    // a zero byte in the middle ends the alias, as in the contract's view
    expect(decodeAlias(`0x6162006364${"00".repeat(27)}`, "bytes32")).toBe("ab");
  });

  it("decodes a full 32-byte alias and a zero key", () => {
    const full = "a".repeat(32);
    expect(decodeAlias(stringToHex(full, { size: 32 }), "bytes32")).toBe(full);
    expect(decodeAlias(`0x${"00".repeat(32)}`, "bytes32")).toBeNull();
  });
});

describe("aliasProblem", () => {
  it("counts UTF-8 bytes, not characters", () => {
    expect(aliasByteLength("é")).toBe(2);
    expect(aliasProblem("a".repeat(32))).toBeNull();
    expect(aliasProblem("a".repeat(33))).toBe("too_long");
    expect(aliasProblem("é".repeat(16))).toBeNull();
    expect(aliasProblem("é".repeat(17))).toBe("too_long");
    expect(aliasProblem("")).toBe("empty");
  });
});
