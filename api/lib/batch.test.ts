import { describe, expect, it } from "vitest";
import { batchLoader } from "./batch";

describe("batchLoader", () => {
  it("fetches the keys asked in one event-loop turn with one call, each answered with its value", async () => {
    const calls: string[][] = [];
    const load = batchLoader(async (keys) => {
      calls.push(keys);
      return new Map(keys.filter((k) => k !== "missing").map((k) => [k, `v${k}`]));
    });
    const answers = await Promise.all([load("1"), load("2"), load("1"), load("missing")]);
    expect(answers).toEqual(["v1", "v2", "v1", undefined]);
    expect(calls).toEqual([["1", "2", "missing"]]);
    expect(await load("3")).toBe("v3");
    expect(calls).toHaveLength(2);
  });

  it("splits large batches and fails only the batch whose fetch failed", async () => {
    const calls: string[][] = [];
    const load = batchLoader(
      async (keys) => {
        calls.push(keys);
        if (keys.includes("bad")) throw new Error("db down");
        return new Map(keys.map((k) => [k, k]));
      },
      { maxBatch: 2 },
    );
    const results = await Promise.allSettled([load("a"), load("b"), load("bad"), load("c")]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "rejected"]);
    expect(calls).toEqual([
      ["a", "b"],
      ["bad", "c"],
    ]);
  });

  it("runs at most maxInFlight statements, merging keys that arrive meanwhile into the next", async () => {
    const calls: string[][] = [];
    const gates: (() => void)[] = [];
    const load = batchLoader(
      async (keys) => {
        calls.push(keys);
        await new Promise<void>((r) => gates.push(r));
        return new Map(keys.map((k) => [k, k]));
      },
      { maxInFlight: 1 },
    );
    const first = load("a");
    await new Promise((r) => setImmediate(r));
    const later = [load("b"), load("c")];
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const d = load("d");
    expect(calls).toEqual([["a"]]); // b, c, d wait while "a" runs
    gates.shift()!();
    expect(await first).toBe("a");
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([["a"], ["b", "c", "d"]]);
    gates.shift()!();
    expect(await Promise.all([...later, d])).toEqual(["b", "c", "d"]);
  });
});
