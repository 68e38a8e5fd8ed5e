import { describe, expect, it } from "vitest";
import { type Cassette, type CassetteEntry, requestKey } from "./cassette";
import { CassetteIndex } from "./rpcReplay";

const A = "0x00000000000000000000000000000000000000aa";
const B = "0x00000000000000000000000000000000000000bb";
const T1 = `0x${"1".repeat(64)}`;
const T2 = `0x${"2".repeat(64)}`;
const hex = (n: number) => `0x${n.toString(16)}`;
const hashOf = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;

const log = (block: number, index: number, address: string, topic: string) => ({
  address,
  topics: [topic],
  data: "0x",
  blockNumber: hex(block),
  blockHash: hashOf(block),
  logIndex: hex(index),
  transactionHash: hashOf(1000 + block),
  transactionIndex: "0x0",
  removed: false,
});
const block = (n: number, full: boolean) => ({
  number: hex(n),
  hash: hashOf(n),
  transactions: full ? [{ hash: hashOf(1000 + n), blockNumber: hex(n) }] : [hashOf(1000 + n)],
});
const rpc = (method: string, params: unknown[], result: unknown): CassetteEntry => ({
  kind: "rpc",
  method,
  params,
  result,
});

// Blocks 1..20. Logs of A (topic T1) in 3, 7, 12, of B (T2) in 7; recorded the way Ponder asks:
// ranges [1,10] and [11,20] for A+T1, [1,20] for B+T2, and block 15 by hash.
const logsA = [log(3, 0, A, T1), log(7, 1, A, T1), log(12, 0, A, T1)];
const logB = log(7, 0, B, T2);
const cassette: Cassette = {
  header: {
    kind: "header",
    version: 1,
    chain: {
      network: "custom",
      chainId: 31337,
      devLicense: A,
      vehicleId: B,
      sacd: B,
      dimoToken: null,
      dimoCredit: null,
      startBlock: 1,
    },
    head: hex(20),
    tags: { earliest: "0x0", finalized: hex(15) },
    source: "http://127.0.0.1:8545",
    recordedAt: "2025-01-01T00:00:00.000Z",
  },
  entries: [
    rpc("eth_chainId", [], "0x7a69"),
    rpc("eth_getLogs", [{ address: A, topics: [[T1]], fromBlock: "0x1", toBlock: "0xa" }], logsA.slice(0, 2)),
    rpc("eth_getLogs", [{ address: A, topics: [[T1]], fromBlock: "0xb", toBlock: hex(20) }], logsA.slice(2)),
    rpc("eth_getLogs", [{ address: [B], topics: [T2], fromBlock: "0x1", toBlock: hex(20) }], [logB]),
    rpc("eth_getLogs", [{ blockHash: hashOf(15) }], []),
    rpc("eth_getBlockByNumber", [hex(7), true], block(7, true)),
    rpc("eth_getBlockByNumber", [hex(15), false], block(15, false)),
    rpc("eth_getBlockByNumber", [hex(20), true], block(20, true)),
    rpc("eth_call", [{ to: A, data: "0x1234" }, hex(20)], "0x01"),
  ],
};
const index = new CassetteIndex(cassette);
const logsOf = (answer: unknown) => JSON.parse((answer as { json: string }).json) as unknown[];

describe("CassetteIndex", () => {
  it("pins the head: eth_blockNumber, latest and pending; later blocks are not mined yet", () => {
    expect(index.answer("eth_blockNumber")).toEqual({ result: hex(20) });
    expect(index.answer("eth_getBlockByNumber", ["latest", true])).toEqual({ result: block(20, true) });
    expect(index.answer("eth_getBlockByNumber", ["pending", true])).toEqual({ result: block(20, true) });
    expect(index.answer("eth_getBlockByNumber", [hex(21), false])).toEqual({ result: null });
    expect(index.answer("eth_chainId")).toEqual({ result: "0x7a69" });
  });

  it("serves blocks by number or hash, deriving the hashes-only form from a full block", () => {
    expect(index.answer("eth_getBlockByHash", [hashOf(7).toUpperCase().replace("0X", "0x"), false])).toEqual({
      result: block(7, false),
    });
    expect(index.answer("eth_getBlockByNumber", ["finalized", false])).toEqual({ result: block(15, false) });
    expect(index.answer("eth_getBlockByNumber", [hex(15), true])).toBeNull(); // never seen with transactions
    expect(index.answer("eth_getBlockByNumber", [hex(9), false])).toBeNull();
  });

  it("answers eth_getLogs over any covered range, whatever the chunking, address case or array form", () => {
    expect(
      logsOf(
        index.answer("eth_getLogs", [{ address: A, topics: [T1], fromBlock: "0x1", toBlock: "latest" }]),
      ),
    ).toEqual(logsA);
    expect(
      logsOf(
        index.answer("eth_getLogs", [
          {
            address: [A.toUpperCase().replace("0X", "0x")],
            topics: [[T1]],
            fromBlock: "0x5",
            toBlock: "0xc",
          },
        ]),
      ),
    ).toEqual(logsA.slice(1));
    expect(
      logsOf(index.answer("eth_getLogs", [{ address: B, topics: [T2], fromBlock: "0x7", toBlock: "0x7" }])),
    ).toEqual([logB]);
  });

  it("refuses a range or filter the recording did not cover, instead of answering incompletely", () => {
    // Each part is covered by a different recorded filter; the recording never asked for both at once.
    expect(
      index.answer("eth_getLogs", [
        { address: [A, B], topics: [[T1, T2]], fromBlock: "0x7", toBlock: "0x7" },
      ]),
    ).toBeNull();
    // A without a topic filter could match logs the recording never fetched.
    expect(index.answer("eth_getLogs", [{ address: A, fromBlock: "0x1", toBlock: "0x2" }])).toBeNull();
  });

  it("answers logs by block hash from a recorded whole-block request", () => {
    expect(logsOf(index.answer("eth_getLogs", [{ blockHash: hashOf(15) }]))).toEqual([]);
    expect(
      logsOf(index.answer("eth_getLogs", [{ address: B, fromBlock: hex(15), toBlock: hex(15) }])),
    ).toEqual([]);
    expect(index.answer("eth_getLogs", [{ blockHash: hashOf(7) }])).toBeNull();
  });

  it("answers other methods by method and canonical params", () => {
    expect(
      index.answer("eth_call", [{ data: "0x1234", to: A.toUpperCase().replace("0X", "0x") }, "latest"]),
    ).toEqual({
      json: '"0x01"',
    });
    expect(index.answer("eth_call", [{ data: "0x1234", to: A }, hex(19)])).toBeNull();
  });
});

describe("requestKey", () => {
  it("ignores key order, hex case and resolves block tags", () => {
    const tags = { latest: "0x14", earliest: "0x0" };
    expect(requestKey("eth_call", [{ to: "0xAB", data: "0x01" }, "latest"], tags)).toBe(
      requestKey("eth_call", [{ data: "0x01", to: "0xab" }, "0x14"], tags),
    );
  });
});
