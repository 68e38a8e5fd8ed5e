import { BaseError } from "viem";
import { describe, expect, it } from "vitest";
import { loggable } from "./loggable";

describe("loggable", () => {
  it("keeps each cause's first line, drops stacks and cuts URLs to their origin", () => {
    const rpc = new BaseError("HTTP request failed.", {
      cause: new Error("connect ECONNREFUSED\n    at TCPConnectWrap (node:net:1)"),
      details: "URL: https://polygon-mainnet.g.alchemy.com/v2/SECRETKEY?x=1",
    });
    const error = new Error("The chain RPC endpoint failed", { cause: rpc });
    const out = loggable(error);
    expect(out).toEqual({
      type: "Error",
      message: "The chain RPC endpoint failed",
      causes: ["HTTP request failed.", "connect ECONNREFUSED"],
    });
    expect(JSON.stringify(loggable(new Error("see https://rpc.example/v2/KEY now")))).not.toContain("KEY");
  });
});
