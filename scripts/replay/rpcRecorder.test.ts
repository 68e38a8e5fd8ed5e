import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRpcServer } from "./jsonRpcServer";
import { type Recorder, startRecorder } from "./rpcRecorder";

// The recording proxy against a fake upstream whose head moves on: answers are pinned to the head
// seen at start (or --to), batches are recorded request by request, errors pass through unrecorded.

const hex = (n: number) => `0x${n.toString(16)}`;
let upstreamHead = 50;
const seen: string[] = [];

let upstream: Awaited<ReturnType<typeof startRpcServer>>;
let recorder: Recorder;

beforeAll(async () => {
  upstream = await startRpcServer(async ({ method, params = [] }) => {
    seen.push(`${method} ${JSON.stringify(params)}`);
    switch (method) {
      case "eth_chainId":
        return { result: "0x7a69" };
      case "eth_blockNumber":
        return { result: hex(upstreamHead) };
      case "eth_getBlockByNumber": {
        const tag = params[0] as string;
        const n =
          tag === "latest"
            ? upstreamHead
            : tag === "finalized"
              ? upstreamHead - 5
              : tag === "safe"
                ? 3
                : Number(tag);
        return { result: { number: hex(n), hash: `0x${n.toString(16).padStart(64, "0")}` } };
      }
      case "eth_getLogs":
        return (params[0] as { toBlock: string }).toBlock === "0xfff"
          ? { error: { code: -32005, message: "range too large" } }
          : { result: [] };
      default:
        return { error: { code: -32601, message: "no" } };
    }
  });
  recorder = await startRecorder({ upstream: upstream.url, head: 40n });
  upstreamHead = 60; // the chain moves on while recording
});

afterAll(async () => {
  await recorder?.stop();
  await upstream?.close();
});

const call = async (body: unknown, path = "/") =>
  (await fetch(`${recorder.rpcUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  }).then((r) => r.json())) as { result?: unknown; error?: { code: number } } & unknown[];

describe("recording proxy", () => {
  it("pins the head: eth_blockNumber, latest and later blocks, whatever the upstream says now", async () => {
    expect(recorder.head).toBe(40n);
    // finalized (45) is capped at the pinned head; safe (3) is below it.
    expect(recorder.tags).toEqual({ latest: "0x28", earliest: "0x0", finalized: "0x28", safe: "0x3" });
    expect((await call({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] })).result).toBe(
      "0x28",
    );
    const latest = await call({
      jsonrpc: "2.0",
      id: 2,
      method: "eth_getBlockByNumber",
      params: ["latest", false],
    });
    expect((latest.result as { number: string }).number).toBe("0x28");
    expect(seen).toContain('eth_getBlockByNumber ["0x28",false]'); // forwarded as the pinned number
    const later = await call({
      jsonrpc: "2.0",
      id: 3,
      method: "eth_getBlockByNumber",
      params: ["0x29", false],
    });
    expect(later.result).toBeNull();
  });

  it("records each request of a batch, keeps ids, ignores the ?bucket= query string", async () => {
    const answers = await call(
      [
        { jsonrpc: "2.0", id: 7, method: "eth_chainId", params: [] },
        { jsonrpc: "2.0", id: 8, method: "eth_getLogs", params: [{ fromBlock: "0x1", toBlock: "0x2" }] },
      ],
      "/?bucket=5",
    );
    expect(answers.map((a) => (a as { id: number }).id)).toEqual([7, 8]);
    const methods = recorder.entries().map((e) => `${e.method} ${JSON.stringify(e.params)}`);
    expect(methods).toContain("eth_chainId []");
    expect(methods).toContain('eth_getLogs [{"fromBlock":"0x1","toBlock":"0x2"}]');
  });

  it("passes errors through without recording them, and answers repeats from the record", async () => {
    const failed = await call({
      jsonrpc: "2.0",
      id: 9,
      method: "eth_getLogs",
      params: [{ fromBlock: "0x1", toBlock: "0xfff" }],
    });
    expect(failed.error?.code).toBe(-32005);
    expect(recorder.entries().some((e) => JSON.stringify(e.params).includes("0xfff"))).toBe(false);
    const before = seen.length;
    await call({ jsonrpc: "2.0", id: 10, method: "eth_chainId", params: [] });
    expect(seen.length).toBe(before);
  });
});
