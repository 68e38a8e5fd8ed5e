import { describe, expect, it } from "vitest";
import type { Cassette, CassetteEntry } from "./cassette";
import { CassetteIndex } from "./rpcReplay";
import { blockMap, stretchCassette } from "./stretch";

const A = "0x00000000000000000000000000000000000000aa";
const T1 = `0x${"1".repeat(64)}`;
const hex = (n: number) => `0x${n.toString(16)}`;
const hashOf = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
const log = (block: number, index: number) => ({
  address: A,
  topics: [T1],
  data: "0x",
  blockNumber: hex(block),
  blockHash: hashOf(block),
  logIndex: hex(index),
  transactionHash: hashOf(1000 + block),
  transactionIndex: "0x0",
  removed: false,
});
const block = (n: number) => ({
  number: hex(n),
  hash: hashOf(n),
  parentHash: hashOf(n - 1),
  timestamp: hex(1000 + n),
  transactions: [{ hash: hashOf(1000 + n), blockNumber: hex(n) }],
});
const rpc = (method: string, params: unknown[], result: unknown): CassetteEntry => ({
  kind: "rpc",
  method,
  params,
  result,
});

// Blocks 0..20, start 1; logs in 3, 7, 12; recorded as the ranges [1,10] and [11,20].
const cassette: Cassette = {
  header: {
    kind: "header",
    version: 1,
    chain: {
      network: "local",
      chainId: 31337,
      devLicense: A,
      vehicleId: A,
      sacd: A,
      dimoToken: null,
      dimoCredit: null,
      startBlock: 1,
    },
    head: hex(20),
    tags: { earliest: "0x0", finalized: hex(18) },
    source: "http://127.0.0.1:8545",
    recordedAt: "2025-01-01T00:00:00.000Z",
  },
  entries: [
    rpc(
      "eth_getLogs",
      [{ address: A, topics: [[T1]], fromBlock: "0x1", toBlock: "0xa" }],
      [log(3, 0), log(7, 0)],
    ),
    rpc("eth_getLogs", [{ address: A, topics: [[T1]], fromBlock: "0xb", toBlock: "0x14" }], [log(12, 0)]),
    ...[1, 3, 7, 12, 17, 18, 19, 20].map((n) => rpc("eth_getBlockByNumber", [hex(n), true], block(n))),
  ],
};

describe("blockMap", () => {
  it("spreads `extra` empty blocks between start and the tail, keeping both contiguous", () => {
    const map = blockMap({ start: 1, head: 20, extra: 1_000, tail: 3, seed: 7 });
    expect(map.at(0)).toBe(0);
    expect(map.at(1)).toBe(1);
    expect(map.at(20)).toBe(1_020);
    expect([map.at(17), map.at(18), map.at(19)]).toEqual([1_017, 1_018, 1_019]);
    for (let b = 1; b < 20; b++) expect(map.at(b + 1)).toBeGreaterThan(map.at(b));
    expect(map.runStart(5)).toBe(map.at(4) + 1);
  });

  it("is the same for the same seed and different for another", () => {
    const at = (seed: number) => blockMap({ start: 0, head: 50, extra: 10_000, tail: 5, seed }).at(25);
    expect(at(1)).toBe(at(1));
    expect(at(1)).not.toBe(at(2));
  });
});

describe("stretchCassette", () => {
  const stretched = stretchCassette(cassette, { blocks: 100_000, tail: 4, seed: 3 });
  const index = new CassetteIndex(stretched);
  const head = Number.parseInt(stretched.header.head, 16);

  it("moves the head and the tags, keeping the finality window contiguous", () => {
    expect(head).toBe(100_001);
    expect(Number.parseInt(stretched.header.tags.finalized!, 16)).toBe(head - 2);
  });

  it("answers eth_getLogs over any stretched range, with renumbered logs", () => {
    const all = index.answer("eth_getLogs", [
      { address: A, topics: [[T1]], fromBlock: "0x1", toBlock: hex(head) },
    ]);
    const logs = JSON.parse((all as { json: string }).json) as Array<{
      blockNumber: string;
      blockHash: string;
    }>;
    expect(logs.map((l) => l.blockHash)).toEqual([hashOf(3), hashOf(7), hashOf(12)]);
    const numbers = logs.map((l) => Number.parseInt(l.blockNumber, 16));
    expect(numbers[0]!).toBeGreaterThan(3);
    expect(numbers[2]!).toBeLessThan(head);

    // Ponder's 10,000-block chunks: every chunk is covered, and together they give the same logs.
    let found = 0;
    for (let from = 1; from <= head; from += 10_000) {
      const chunk = index.answer("eth_getLogs", [
        { address: A, topics: [[T1]], fromBlock: hex(from), toBlock: hex(Math.min(head, from + 9_999)) },
      ]);
      expect(chunk).not.toBeNull();
      found += JSON.parse((chunk as { json: string }).json).length;
    }
    expect(found).toBe(3);
  });

  it("serves each log's block at its new number", () => {
    const logs = JSON.parse(
      (
        index.answer("eth_getLogs", [
          { address: A, topics: [[T1]], fromBlock: "0x1", toBlock: hex(head) },
        ]) as {
          json: string;
        }
      ).json,
    ) as Array<{ blockNumber: string; blockHash: string }>;
    for (const l of logs) {
      const answer = index.answer("eth_getBlockByNumber", [l.blockNumber, true]) as {
        result: { number: string; hash: string; transactions: Array<{ blockNumber: string }> };
      };
      expect(answer.result.hash).toBe(l.blockHash);
      expect(answer.result.number).toBe(l.blockNumber);
      expect(answer.result.transactions[0]!.blockNumber).toBe(l.blockNumber);
    }
  });
});
