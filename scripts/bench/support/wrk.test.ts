import { describe, expect, it } from "vitest";
import { parseWrkOutput, wrkScript } from "./wrk";

describe("wrk driver", () => {
  it("reads the done hook's line among wrk's own output", () => {
    const out = [
      "Running 8s test @ http://127.0.0.1:4000",
      "  2 threads and 64 connections",
      '@@wrk-result {"requests":80000,"durationUs":8000000,"errors":2,"non2xx":1,"p50Us":5120,"p90Us":8000,"p99Us":15345,"maxUs":40000}',
      "Requests/sec:  10000.00",
    ].join("\n");
    expect(parseWrkOutput(out)).toEqual({
      requests: 80000,
      seconds: 8,
      rps: 10000,
      p50Ms: 5.12,
      p90Ms: 8,
      p99Ms: 15.35,
      maxMs: 40,
      errors: 2,
      non2xx: 1,
    });
  });

  it("fails clearly when wrk printed no result", () => {
    expect(() => parseWrkOutput("unable to connect to 127.0.0.1:1 Connection refused")).toThrow(
      /no result line.*Connection refused/s,
    );
  });

  it("draws ids over the whole range and substitutes them in path and body", () => {
    const lua = wrkScript({
      path: "/graphql",
      method: "POST",
      body: '{"query":"{ license(tokenId: \\"{id}\\") { owner } }"}',
      headers: { "content-type": "application/json" },
      ids: 10_000,
    });
    expect(lua).toContain("local ids = 10000");
    expect(lua).toContain('local method = "POST"');
    expect(lua).toContain('["content-type"] = "application/json"');
    expect(lua).toContain(
      'local body = "{\\"query\\":\\"{ license(tokenId: \\\\\\"{id}\\\\\\") { owner } }\\"}"',
    );
    expect(lua).toContain("math.random(1, ids)");
  });

  it("draws from the values when given (their count is the range)", () => {
    const lua = wrkScript({ path: "/v/{value}", values: ["0xaa", "0xbb"] });
    expect(lua).toContain("local ids = 2");
    expect(lua).toContain('local values = { "0xaa", "0xbb" }');
  });

  it("refuses what a Lua string literal would not carry as is", () => {
    expect(() => wrkScript({ path: "/é" })).toThrow(/printable ASCII/);
  });
});
