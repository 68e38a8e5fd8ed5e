import { afterEach, describe, expect, it } from "vitest";
import { startRpcServer } from "./jsonRpcServer";
import { getLogsRangeError, startPublicRpc, tokenBucket } from "./publicRpc";

describe("tokenBucket", () => {
  it("lets a full bucket's burst through, then the rate", () => {
    let now = 0;
    const bucket = tokenBucket(25, 25, () => now);
    const taken = () => Array.from({ length: 40 }, () => bucket.take()).filter(Boolean).length;
    expect(taken()).toBe(25); // the burst
    now += 200; // 0.2 s → 5 tokens
    expect(taken()).toBe(5);
    now += 10_000; // a quiet spell saves up no more than the bucket holds
    expect(taken()).toBe(25);
  });

  it("averages the rate over time", () => {
    let now = 0;
    const bucket = tokenBucket(25, 25, () => now);
    let ok = 0;
    for (let ms = 0; ms < 10_000; ms += 5) {
      now = ms;
      if (bucket.take()) ok++;
    }
    expect(ok).toBeGreaterThanOrEqual(25 * 10);
    expect(ok).toBeLessThanOrEqual(25 * 10 + 25);
  });
});

describe("getLogsRangeError", () => {
  const logs = (from: number, to: number) => [
    { fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}` },
  ];

  it("allows up to the cap, counting both ends", () => {
    expect(getLogsRangeError(logs(100, 10_099), 10_000)).toBeNull();
    const refused = getLogsRangeError(logs(100, 10_100), 10_000);
    expect(refused?.code).toBe(-32005);
    // Polygon's wording, which Ponder's range helper recognises ("block range too large").
    expect(refused?.message).toBe("eth_getLogs block range too large, range: 10001, max: 10000");
  });

  it("leaves block-hash and tag queries alone", () => {
    expect(getLogsRangeError([{ blockHash: "0xab" }], 10)).toBeNull();
    expect(getLogsRangeError([{ fromBlock: "0x0", toBlock: "latest" }], 10)).toBeNull();
  });
});

describe("startPublicRpc", () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  it("delays, counts by method, refuses wide ranges and answers 429 past the rate", async () => {
    const upstream = await startRpcServer(async (req) => ({
      result: req.method === "eth_getLogs" ? [] : "0x1",
    }));
    stops.push(upstream.close);
    const proxy = await startPublicRpc({
      upstream: upstream.url,
      limits: { latencyMs: 30, requestsPerSecond: 1, burst: 3, getLogsMaxBlocks: 10 },
    });
    stops.push(proxy.stop);
    const call = (method: string, params: unknown[] = []) =>
      fetch(proxy.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 7, method, params }),
      });

    const t0 = performance.now();
    const first = await call("eth_chainId");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    expect(await first.json()).toEqual({ jsonrpc: "2.0", id: 7, result: "0x1" });

    const wide = await (await call("eth_getLogs", [{ fromBlock: "0x0", toBlock: "0x20" }])).json();
    expect(wide.error.message).toMatch(/block range too large/);
    expect((await (await call("eth_getLogs", [{ fromBlock: "0x0", toBlock: "0x9" }])).json()).result).toEqual(
      [],
    );

    const limited = await call("eth_chainId"); // the bucket of 3 is empty now
    expect(limited.status).toBe(429);
    expect((await limited.json()).error.code).toBe(-32005);

    expect(proxy.stats).toEqual({
      byMethod: { eth_chainId: 1, eth_getLogs: 2 },
      rateLimited: 1,
      rangeRefused: 1,
    });
  });
});
