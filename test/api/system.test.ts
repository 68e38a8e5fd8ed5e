import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIndexedSchema } from "../../scripts/fixtures/indexedFixture";
import { type ApiHarness, apiHarness } from "./harness";

let h: ApiHarness;
const LOCAL_CHAIN = 31337;

// Starts without the `dimo` schema: the state of a fresh deployment while Ponder backfills.
beforeAll(async () => {
  h = await apiHarness({ withSchema: false });
});
afterAll(() => h.close());

type Envelope = { error: { code: string; message: string; details?: unknown } };

describe("/health", () => {
  it("is 200 whatever the indexer's state, and never cached", async () => {
    const { status, body, res } = await h.json("/health");
    expect(status).toBe(200);
    expect(body).toStrictEqual({ status: "ok" });
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("etag")).toBeNull();
  });
});

describe("/ready and /status through the indexer's life", () => {
  it("before the views exist: 503 on /ready and data routes, indexedBlock null on /status", async () => {
    const ready = await h.json<Envelope>("/ready");
    expect(ready.status).toBe(503);
    expect(ready.body.error.code).toBe("unavailable");
    expect(ready.body.error.message).toMatch(/views/);
    expect((await h.json("/status")).body).toStrictEqual({
      chainId: LOCAL_CHAIN,
      indexedBlock: null,
      headBlock: 100,
      lagBlocks: null,
      ready: false,
    });
    for (const path of ["/v1/licenses", "/v1/licenses/1", "/v1/stats", "/v1/aliases/x", "/v1/vehicles/1"]) {
      const { status, body } = await h.json<Envelope>(path);
      expect(status, path).toBe(503);
      expect(body).toStrictEqual({
        error: { code: "unavailable", message: expect.stringMatching(/indexer has not created its views/) },
      });
    }
  });

  it("while backfilling: 503 until Ponder marks itself ready", async () => {
    await createIndexedSchema(h.db);
    expect((await h.json<Envelope>("/ready")).body.error.message).toMatch(/backfilling/);
    await h.fixture.ponderState({ isReady: false, chainId: LOCAL_CHAIN, block: 50 });
    const ready = await h.json<Envelope>("/ready");
    expect(ready.status).toBe(503);
    expect(ready.body.error.message).toMatch(/backfilling/);
    expect(ready.body.error.details).toStrictEqual({ indexedBlock: 50, headBlock: 100, lagBlocks: 50 });
    expect((await h.json("/status")).body).toStrictEqual({
      chainId: LOCAL_CHAIN,
      indexedBlock: 50,
      headBlock: 100,
      lagBlocks: 50,
      ready: false,
    });
    expect((await h.json("/v1/licenses")).status).toBe(200);
  });

  it("ready but lagging more than READY_MAX_LAG_BLOCKS (2): 503; within it: 200", async () => {
    await h.fixture.ponderState({ isReady: true, chainId: LOCAL_CHAIN, block: 97 });
    const lagging = await h.json<Envelope>("/ready");
    expect(lagging.status).toBe(503);
    expect(lagging.body.error.message).toMatch(/3 blocks behind/);
    await h.fixture.ponderState({ isReady: true, chainId: LOCAL_CHAIN, block: 98 });
    const ready = await h.json("/ready");
    expect(ready.status).toBe(200);
    expect(ready.body).toStrictEqual({ status: "ready", indexedBlock: 98, headBlock: 100, lagBlocks: 2 });
    expect(ready.res.headers.get("cache-control")).toBe("no-store");
    expect((await h.json("/status")).body).toStrictEqual({
      chainId: LOCAL_CHAIN,
      indexedBlock: 98,
      headBlock: 100,
      lagBlocks: 2,
      ready: true,
    });
  });

  it("indexed past the cached head counts as no lag", async () => {
    await h.fixture.ponderState({ isReady: true, chainId: LOCAL_CHAIN, block: 101 });
    expect((await h.json("/ready")).body).toStrictEqual({
      status: "ready",
      indexedBlock: 101,
      headBlock: 100,
      lagBlocks: 0,
    });
  });

  it("chain RPC down: 503 on /ready, headBlock null on /status, recovers when it answers", async () => {
    h.setHead(null);
    const ready = await h.json<Envelope>("/ready");
    expect(ready.status).toBe(503);
    expect(ready.body.error.message).toMatch(/chain head is unknown/);
    expect((await h.json("/status")).body).toMatchObject({ headBlock: null, lagBlocks: null, ready: false });
    h.setHead(102n);
    expect((await h.json("/ready")).status).toBe(200);
  });

  it("ignores another chain's checkpoint", async () => {
    await h.fixture.ponderState({ isReady: true, chainId: 137, block: 5, chainName: "polygon" });
    expect((await h.json<{ indexedBlock: number }>("/status")).body.indexedBlock).toBe(101);
  });
});
