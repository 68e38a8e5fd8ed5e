import { describe, expect, it } from "vitest";
import { decodeCheckpoint } from "./indexerStatus";

describe("decodeCheckpoint", () => {
  it("reads chain id [10,26) and block [26,42) of Ponder's 75-digit checkpoint", () => {
    const cp = `1700000000${"31337".padStart(16, "0")}${"123456".padStart(16, "0")}${"0".repeat(16)}5${"0".repeat(16)}`;
    expect(cp).toHaveLength(75);
    expect(decodeCheckpoint(cp)).toEqual({ chainId: 31337n, blockNumber: 123456n });
  });

  it("rejects anything else", () => {
    expect(decodeCheckpoint("")).toBeNull();
    expect(decodeCheckpoint("1".repeat(74))).toBeNull();
    expect(decodeCheckpoint(`${"1".repeat(74)}x`)).toBeNull();
  });
});
