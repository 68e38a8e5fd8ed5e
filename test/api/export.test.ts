import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../api/app";
import { createDatabase } from "../../api/db/database";
import { parseTime } from "../../api/routes/analysts/exports";
import { csvField, type ExportService, exportService } from "../../api/services/analysts/exports";
import { loadConfig } from "../../config/env";
import { createIndexedSchema, indexedFixture } from "../../scripts/fixtures/indexedFixture";
import { type Served, serveFetch } from "../../scripts/runtime/serveFetch";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { requestFrom } from "../support/rawHttp";

// /v1/export/* and /v1/stats/timeseries over the `dimo` look-alike tables: exact CSV/NDJSON bytes,
// filters, errors, and — over real HTTP — that a slow or vanished client holds neither memory nor
// a connection for long.

const T0 = 1_735_689_600; // 2025-01-01T00:00:00Z (a Wednesday)
const DAY = 86_400;
const iso = (s: number) => new Date(s * 1000).toISOString();
const a = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
const tx = (n: number) => `0x${String(n).padStart(64, "0")}`; // as the fixture derives hashes

let database: TestDatabase;
let db: ReturnType<typeof createDatabase>;
/** The indexed fixture's writer: the indexer's role, so the API's role reads it as Ponder's views. */
let indexed: ReturnType<typeof createDatabase>;
let app: App;
const config = loadConfig({});
const devLicense = config.chain.devLicense.toLowerCase();

beforeAll(async () => {
  database = await createTestDatabase("export", { appRoles: true });
  indexed = createDatabase(database.indexerUrl, { poolMax: 2, statementTimeoutMs: 5_000 });
  await createIndexedSchema(indexed);
  // Exports stream on their own pool, with the API's login, as under npm start.
  db = createDatabase(database.apiUrl, { poolMax: 4, statementTimeoutMs: 5_000 });
  app = createApp({
    db,
    databaseUrl: database.apiUrl,
    clock: () => new Date((T0 + 30 * DAY) * 1000),
    logger: pino({ level: "silent" }),
    config,
    chain: { headBlock: async () => 1_000n },
    secret: Buffer.alloc(32, 7),
  });
  const f = indexedFixture(indexed);
  await f.license({
    tokenId: 1,
    clientId: a(0xc1),
    owner: a(0xa1),
    alias: "plain",
    mintedAt: T0,
    mintedBlock: 10,
  });
  await f.license({
    tokenId: 2,
    clientId: a(0xc2),
    owner: a(0xa2),
    alias: 'quo"te, comma\nline',
    mintedAt: T0 + DAY,
    mintedBlock: 20,
  });
  await f.license({
    tokenId: 3,
    clientId: a(0xc3),
    owner: a(0xa1),
    status: "revoked",
    mintedAt: T0 + 2 * DAY,
    mintedBlock: 30,
    revokedAt: T0 + 3 * DAY,
    revokedBlock: 40,
    revokedTx: tx(40),
  });
  await f.licenseContract({ address: devLicense, periodValidity: 1_000 });
  await f.signer({ tokenId: 1, signer: a(0x51), enabledAt: T0, enabledBlock: 11 });
  await f.signer({ tokenId: 1, signer: a(0x52), enabledAt: T0 + DAY, enabledBlock: 21 });
  await f.redirectUri({ tokenId: 1, uri: "https://x.example/cb?a=1,b=2", enabledAt: T0, enabledBlock: 12 });
  await f.vehicle({ id: 7, owner: a(0xb1) });
  await f.sacd({
    vehicleId: 7,
    grantee: a(0xc1),
    permissions: 0x3fffcn,
    expiresAt: 2n ** 256n - 1n,
    source: "ipfs://x",
    templateId: tx(5),
    createdAt: T0 + DAY,
    blockNumber: 21,
  });
  await f.privilege({
    vehicleId: 7,
    privilegeId: 1,
    user: a(0xc2),
    expiresAt: T0 + 99 * DAY,
    setAt: T0,
    blockNumber: 13,
  });
  for (const [i, [type, day]] of (
    [
      ["Issued", 0],
      ["SignerEnabled", 0],
      ["SignerEnabled", 1],
      ["Issued", 1],
      ["Issued", 2],
      ["SignerEnabled", 9],
    ] as const
  ).entries()) {
    await f.event({
      tokenId: 1,
      blockNumber: 10 + i,
      logIndex: 0,
      type,
      args: { tokenId: "1", note: i === 0 ? 'has "quotes", commas' : null },
      timestamp: T0 + day * DAY + i,
    });
  }
});

afterAll(async () => {
  await db?.destroy();
  await indexed?.destroy();
  await database?.drop();
});

const text = async (path: string) => {
  const res = await app.request(path);
  return { res, body: await res.text() };
};

describe("GET /v1/export/{dataset}", () => {
  it("streams licenses as RFC 4180 CSV with a header, in token order, nulls empty, times ISO", async () => {
    const { res, body } = await text("/v1/export/licenses?format=csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="dimo-licenses-\d{8}T\d{6}Z\.csv"$/,
    );
    expect(body.split("\r\n")).toEqual([
      "token_id,client_id,owner,alias,status,minted_at,minted_block,minted_tx,revoked_at,revoked_block,revoked_tx",
      `1,${a(0xc1)},${a(0xa1)},plain,active,${iso(T0)},10,${tx(1)},,,`,
      `2,${a(0xc2)},${a(0xa2)},"quo""te, comma\nline",active,${iso(T0 + DAY)},20,${tx(2)},,,`,
      `3,${a(0xc3)},${a(0xa1)},,revoked,${iso(T0 + 2 * DAY)},30,${tx(3)},${iso(T0 + 3 * DAY)},40,${tx(40)}`,
      "",
    ]);
  });

  it("streams NDJSON by default: one object per line, ids as numbers, args as JSON", async () => {
    const { res, body } = await text("/v1/export/events");
    expect(res.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    const lines = body
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(6);
    expect(lines[0]).toEqual({
      block_number: 10,
      log_index: 0,
      tx_hash: tx(10),
      timestamp: iso(T0),
      token_id: 1,
      type: "Issued",
      args: { tokenId: "1", note: 'has "quotes", commas' },
    });
  });

  it("filters by block range (inclusive) and by time range (from inclusive, to exclusive)", async () => {
    const blocks = (await text("/v1/export/events?fromBlock=11&toBlock=13")).body.trimEnd().split("\n");
    expect(blocks.map((l) => JSON.parse(l).block_number)).toEqual([11, 12, 13]);
    const times = (await text(`/v1/export/licenses?from=${iso(T0 + DAY)}&to=${T0 + 2 * DAY}`)).body;
    expect(
      times
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l).token_id),
    ).toEqual([2]);
    const dates = (await text("/v1/export/licenses?from=2025-01-02")).body;
    expect(
      dates
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l).token_id),
    ).toEqual([2, 3]);
  });

  it("exports signers with the contract's latest period validity as expiry", async () => {
    const { body } = await text("/v1/export/signers?format=csv");
    expect(body.split("\r\n")[1]).toBe(`1,${a(0x51)},${iso(T0)},${iso(T0 + 1_000)},11,${tx(1)}`);
  });

  it("exports redirect URIs, quoting what needs it", async () => {
    const { body } = await text("/v1/export/redirect-uris?format=csv");
    expect(body.split("\r\n")[1]).toBe(`1,"https://x.example/cb?a=1,b=2",${iso(T0)},12,${tx(1)}`);
  });

  it("exports every kind of grant with hex masks and clamped far-future expiries", async () => {
    const rows = (await text("/v1/export/grants")).body
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows).toEqual([
      expect.objectContaining({
        kind: "privilege",
        vehicle_id: 7,
        grantee: a(0xc2),
        privilege_id: 1,
        permissions: null,
      }),
      expect.objectContaining({
        kind: "sacd",
        vehicle_id: 7,
        grantee: a(0xc1),
        permissions: "0x3fffc",
        expires_at: "9999-12-31T23:59:59.000Z",
        template_id: tx(5),
        source: "ipfs://x",
      }),
    ]);
  });

  it("answers bad parameters with the error envelope", async () => {
    for (const path of [
      "/v1/export/licenses?format=xml",
      "/v1/export/licenses?fromBlock=abc",
      "/v1/export/licenses?from=yesterday",
      "/v1/export/licenses?fromBlock=5&toBlock=4",
      "/v1/export/licenses?from=2025-02-01&to=2025-01-01",
      "/v1/export/accounts",
    ]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
    }
  });
});

describe("export streaming over HTTP", () => {
  const ROWS = 100_000;
  let service: ExportService;
  let served: Served;

  beforeAll(async () => {
    // A big events table, generated inside Postgres (as `Locked`, which no time series counts).
    const raw = new pg.Client({ connectionString: database.url }); // no 5 s statement timeout
    await raw.connect();
    await raw.query(
      `INSERT INTO dimo.license_event (block_number, log_index, token_id, type, args, tx_hash, timestamp)
       SELECT 1000 + i, 0, 1, 'Locked', '{"tokenId":"1"}', '0x' || lpad(to_hex(i), 64, '0'), $1 + i
       FROM generate_series(1, $2::int) i`,
      [T0, ROWS],
    );
    await raw.end();
    service = exportService(database.apiUrl, devLicense, { windowMs: 2_000, maxConcurrent: 1 });
    const { OpenAPIHono } = await import("@hono/zod-openapi");
    const { registerAnalystRoutes } = await import("../../api/routes/analysts/exports");
    const { errorHandler } = await import("../../api/http/errors");
    const small = new OpenAPIHono();
    small.onError(errorHandler(pino({ level: "silent" })));
    registerAnalystRoutes(small as never, { exports: service, timeseries: null as never });
    served = await serveFetch(small.fetch);
  });

  afterAll(async () => {
    await served?.close();
    await service?.close();
  });

  /** Its own export service, over real HTTP on 127.0.0.1. */
  const serve = async (options: Parameters<typeof exportService>[2]) => {
    const own = exportService(database.apiUrl, devLicense, options);
    const { OpenAPIHono } = await import("@hono/zod-openapi");
    const { registerAnalystRoutes } = await import("../../api/routes/analysts/exports");
    const { errorHandler } = await import("../../api/http/errors");
    const small = new OpenAPIHono();
    small.onError(errorHandler(pino({ level: "silent" })));
    registerAnalystRoutes(small as never, { exports: own, timeseries: null as never });
    const http = await serveFetch(small.fetch);
    return {
      service: own,
      url: http.url,
      close: async () => {
        await http.close();
        await own.close();
      },
    };
  };

  /** Reads a response slowly (a chunk, then a pause): its bytes, and whether it ended cleanly. */
  const readSlowly = async (res: Response, pauseMs: number) => {
    let bytes = 0;
    const reader = res.body!.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return { bytes, complete: true };
        bytes += value.length;
        await new Promise((r) => setTimeout(r, pauseMs));
      }
    } catch {
      return { bytes, complete: false };
    }
  };

  const until = async (ok: () => boolean, ms = 5_000) => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error("condition not reached");
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it("streams a large table completely", async () => {
    const res = await fetch(`${served.url}/v1/export/events?format=csv&fromBlock=1001`);
    let lines = 0;
    const decoder = new TextDecoder();
    // Count "\n" alone: a chunk may end between a row's "\r" and its "\n".
    for await (const chunk of res.body!)
      lines += decoder.decode(chunk, { stream: true }).split("\n").length - 1;
    expect(lines).toBe(ROWS + 1); // header
    await until(() => service.running() === 0);
  });

  it("pulls from the cursor only as fast as its reader takes rows", async () => {
    const before = service.stats.rowsRead;
    const stream = await service.open("events", "ndjson", { fromBlock: 1001n });
    await new Promise((resolve) => stream.once("readable", resolve));
    stream.read();
    await new Promise((r) => setTimeout(r, 500));
    // One cursor batch (1,000 rows) plus the stream buffers (64 KB of text): the rest stays in Postgres.
    expect(service.stats.rowsRead - before).toBeLessThan(5_000);
    stream.destroy();
    await until(() => service.running() === 0);
  });

  it("refuses an export beyond the concurrency limit and frees the connection when the client leaves", async () => {
    const controller = new AbortController();
    const first = await fetch(`${served.url}/v1/export/events?fromBlock=1001`, { signal: controller.signal });
    expect(first.status).toBe(200);
    const second = await fetch(`${served.url}/v1/export/licenses`);
    expect(second.status).toBe(429);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    controller.abort();
    await until(() => service.running() === 0);
  });

  it("caps exports per client address: a second from the same address is 429, another address still gets one", async () => {
    const s = await serve({ maxConcurrent: 4, maxPerIp: 1 });
    try {
      const controller = new AbortController();
      const first = await fetch(`${s.url}/v1/export/events?fromBlock=1001`, { signal: controller.signal });
      expect(first.status).toBe(200);
      const second = await fetch(`${s.url}/v1/export/licenses`);
      expect(second.status).toBe(429);
      expect(((await second.json()) as { error: { message: string } }).error.message).toBe(
        "An export from your address is already running; retry when it has finished",
      );
      const other = await requestFrom("127.0.0.2", `${s.url}/v1/export/licenses?format=csv`);
      expect(other.status).toBe(200);
      expect(other.text.split("\r\n")[0]).toMatch(/^token_id,client_id,/);
      controller.abort();
      await until(() => s.service.running() === 0);
    } finally {
      await s.close();
    }
  });

  it("ends an export whose client reads slower than the minimum throughput, and frees its connection", async () => {
    const s = await serve({ windowMs: 1_000, minBytesPerSecond: 50 * 1024 * 1024, maxDurationMs: 600_000 });
    try {
      const res = await fetch(`${s.url}/v1/export/events?fromBlock=1001`);
      expect(res.status).toBe(200);
      const read = await readSlowly(res, 100);
      expect(read.complete).toBe(false);
      await until(() => s.service.running() === 0);
    } finally {
      await s.close();
    }
  });

  it("ends an export at its maximum duration however steadily it is read", async () => {
    const s = await serve({ windowMs: 600_000, minBytesPerSecond: 0, maxDurationMs: 1_500 });
    try {
      const res = await fetch(`${s.url}/v1/export/events?fromBlock=1001`);
      expect(res.status).toBe(200);
      const read = await readSlowly(res, 100);
      expect(read.complete).toBe(false);
      expect(read.bytes).toBeGreaterThan(0);
      await until(() => s.service.running() === 0);
    } finally {
      await s.close();
    }
  });

  it("ends an export whose client stopped reading and frees its connection", async () => {
    const res = await fetch(`${served.url}/v1/export/events?fromBlock=1001`);
    const reader = res.body!.getReader();
    await reader.read();
    await until(() => service.running() === 0, 10_000); // the 2 s watchdog fired
    await reader.cancel().catch(() => {});
    const next = await fetch(`${served.url}/v1/export/licenses`);
    expect(next.status).toBe(200);
    await next.text();
  });
});

describe("GET /v1/stats/timeseries", () => {
  const get = async (q: string) => {
    const res = await app.request(`/v1/stats/timeseries?${q}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("counts Issued events per UTC day, listing empty days as 0", async () => {
    const { status, body } = await get(`metric=licenses_issued&interval=day&from=2025-01-01&to=2025-01-05`);
    expect(status).toBe(200);
    expect(body).toEqual({
      metric: "licenses_issued",
      interval: "day",
      from: iso(T0),
      to: iso(T0 + 4 * DAY),
      buckets: [
        { start: iso(T0), count: 1 },
        { start: iso(T0 + DAY), count: 1 },
        { start: iso(T0 + 2 * DAY), count: 1 },
        { start: iso(T0 + 3 * DAY), count: 0 },
      ],
    });
  });

  it("counts keys enabled per ISO week starting Monday, with from rounded down to its week", async () => {
    const { body } = await get(`metric=keys_enabled&interval=week&from=2025-01-01&to=2025-01-13`);
    // 2025-01-01 is a Wednesday: its week starts Monday 2024-12-30.
    expect(body.from).toBe("2024-12-30T00:00:00.000Z");
    expect(body.buckets).toEqual([
      { start: "2024-12-30T00:00:00.000Z", count: 2 },
      { start: "2025-01-06T00:00:00.000Z", count: 1 },
    ]);
  });

  it("counts distinct vehicles whose grant on record was set in the bucket", async () => {
    const { body } = await get(`metric=vehicles_shared&from=2025-01-01&to=2025-01-03`);
    expect(body.buckets).toEqual([
      { start: iso(T0), count: 1 },
      { start: iso(T0 + DAY), count: 1 },
    ]);
  });

  it("defaults to the last 30 days and rejects bad ranges", async () => {
    const { body } = await get("metric=licenses_issued");
    expect((body.buckets as unknown[]).length).toBe(31);
    expect((await get("metric=licenses_issued&from=2025-01-05&to=2025-01-01")).status).toBe(400);
    expect((await get("metric=licenses_issued&from=2000-01-01&to=2025-01-01")).status).toBe(400);
    expect((await get("metric=nope")).status).toBe(400);
  });
});

describe("helpers", () => {
  it("quotes CSV fields only when needed", () => {
    expect(csvField(null)).toBe("");
    expect(csvField("a b")).toBe("a b");
    expect(csvField('a"b')).toBe('"a""b"');
    expect(csvField("a\r\nb")).toBe('"a\r\nb"');
  });

  it("neutralises cells a spreadsheet would run as a formula (= + - @ tab CR) with a leading quote", () => {
    expect(csvField('=HYPERLINK("http://evil.example","x")')).toBe(
      '"\'=HYPERLINK(""http://evil.example"",""x"")"',
    );
    expect(csvField("@SUM(1+1)")).toBe("'@SUM(1+1)");
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("-2+3")).toBe("'-2+3");
    expect(csvField("\tcmd")).toBe("'\tcmd");
    expect(csvField("\rcmd")).toBe('"\'\rcmd"');
    expect(csvField("a=b")).toBe("a=b");
  });

  it("reads ISO dates, date-times with or without a zone, and unix seconds", () => {
    expect(parseTime("2025-01-01")).toBe(BigInt(T0));
    expect(parseTime("2025-01-01T01:00")).toBe(BigInt(T0 + 3600));
    expect(parseTime("2025-01-01T01:00:00+01:00")).toBe(BigInt(T0));
    expect(parseTime(String(T0))).toBe(BigInt(T0));
    expect(parseTime("01/01/2025")).toBeNull();
    expect(parseTime("2025-13-01")).toBeNull();
  });
});
