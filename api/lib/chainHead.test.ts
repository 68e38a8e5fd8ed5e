import { describe, expect, it } from "vitest";
import { cachedHead } from "./chainHead";

describe("cachedHead", () => {
  it("asks the chain at most once per maxAge and shares concurrent requests", async () => {
    let calls = 0;
    let t = 0;
    const head = cachedHead(
      async () => BigInt(++calls),
      1_000,
      () => t,
    );
    expect(await Promise.all([head.headBlock(), head.headBlock()])).toEqual([1n, 1n]);
    t = 999;
    expect(await head.headBlock()).toBe(1n);
    t = 1_000;
    expect(await head.headBlock()).toBe(2n);
    expect(calls).toBe(2);
  });

  it("never caches a failure", async () => {
    let fail = true;
    const head = cachedHead(async () => {
      if (fail) throw new Error("rpc down");
      return 5n;
    }, 1_000);
    await expect(head.headBlock()).rejects.toThrow("rpc down");
    fail = false;
    expect(await head.headBlock()).toBe(5n);
  });
});
