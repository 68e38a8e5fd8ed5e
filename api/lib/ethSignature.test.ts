import fc from "fast-check";
import { bytesToHex, hexToBytes, recoverMessageAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { parseSignature, recoverPersonalSigner } from "./ethSignature";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const key = fc.bigInt({ min: 1n, max: N - 1n }).map((k) => `0x${k.toString(16).padStart(64, "0")}` as const);

/** The same signature with v rewritten (0/1 or 27/28) and, optionally, s flipped to high-s. */
function variant(sig: `0x${string}`, v: "27" | "01", highS: boolean): `0x${string}` {
  const b = hexToBytes(sig);
  let recId = b[64]! - 27;
  if (highS) {
    const s = BigInt(bytesToHex(b.subarray(32, 64)));
    b.set(hexToBytes(`0x${(N - s).toString(16).padStart(64, "0")}`), 32);
    recId ^= 1;
  }
  b[64] = v === "27" ? recId + 27 : recId;
  return bytesToHex(b);
}

describe("parseSignature", () => {
  const sig = `0x${"11".repeat(64)}1b`;
  it("takes 65 bytes with v 27/28 or 0/1, 0x optional, any hex case", () => {
    expect(parseSignature(sig)?.recoveryId).toBe(0);
    expect(parseSignature(sig.replace(/1b$/, "1c"))?.recoveryId).toBe(1);
    expect(parseSignature(sig.replace(/1b$/, "00"))?.recoveryId).toBe(0);
    expect(parseSignature(sig.replace(/1b$/, "01"))?.recoveryId).toBe(1);
    expect(parseSignature(sig.slice(2).toUpperCase())?.recoveryId).toBe(0);
  });
  it("refuses other lengths, other v and non-hex", () => {
    for (const bad of [
      sig.slice(0, -2),
      `${sig}00`,
      sig.replace(/1b$/, "02"),
      sig.replace(/1b$/, "1d"),
      `0x${"zz".repeat(65)}`,
      "",
    ]) {
      expect(parseSignature(bad)).toBeNull();
    }
  });
});

describe("recoverPersonalSigner", () => {
  it("agrees with viem for every key, message, v form and s form", async () => {
    await fc.assert(
      fc.asyncProperty(
        key,
        fc.string({ maxLength: 300 }),
        fc.constantFrom("27", "01"),
        fc.boolean(),
        async (k, message, v, highS) => {
          const account = privateKeyToAccount(k);
          const signed = variant(await account.signMessage({ message }), v, highS);
          const expected = (await recoverMessageAddress({ message, signature: signed })).toLowerCase();
          expect(expected).toBe(account.address.toLowerCase());
          expect(recoverPersonalSigner(message, parseSignature(signed)!)).toBe(expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("recovers someone else for another message, and nothing for r = 0 or s ≥ n", async () => {
    const account = privateKeyToAccount(`0x${"42".repeat(32)}`);
    const sig = parseSignature(await account.signMessage({ message: "a" }))!;
    expect(recoverPersonalSigner("b", sig)).not.toBe(account.address.toLowerCase());
    expect(recoverPersonalSigner("a", parseSignature(`0x${"00".repeat(64)}1b`)!)).toBeNull();
    expect(
      recoverPersonalSigner("a", parseSignature(`0x${"11".repeat(32)}${"ff".repeat(32)}1b`)!),
    ).toBeNull();
  });
});
