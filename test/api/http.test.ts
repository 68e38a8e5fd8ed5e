import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, addr, apiHarness } from "./harness";

let h: ApiHarness;
const CONSOLE = "https://console.example.com";

beforeAll(async () => {
  h = await apiHarness({ env: { CORS_ORIGINS: `${CONSOLE}, http://localhost:5173` } });
  await h.fixture.license({ tokenId: 1, clientId: addr("c"), owner: addr("o"), alias: "a" });
});
afterAll(() => h.close());

const PUBLIC_READS = [
  "/v1/licenses",
  "/v1/licenses/1",
  `/v1/licenses/by-client-id/${addr("c")}`,
  "/v1/licenses/by-alias/a",
  "/v1/licenses/1/vehicles",
  "/v1/licenses/1/events",
  "/v1/aliases/a",
  "/v1/stats",
];

describe("caching", () => {
  it("public reads carry Cache-Control and a strong ETag, and answer 304 to If-None-Match", async () => {
    for (const path of PUBLIC_READS) {
      const res = await h.get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("cache-control")).toBe("public, max-age=2");
      const etag = res.headers.get("etag")!;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
      const again = await h.get(path, { "If-None-Match": etag });
      expect(again.status, path).toBe(304);
      expect(again.headers.get("etag")).toBe(etag);
      expect(await again.text()).toBe("");
      expect((await h.get(path, { "If-None-Match": `"other", W/${etag}` })).status).toBe(304);
      expect((await h.get(path, { "If-None-Match": '"other"' })).status).toBe(200);
    }
  });

  it("changes the ETag when the data changes", async () => {
    const before = (await h.get("/v1/licenses/1")).headers.get("etag");
    await h.fixture.signer({ tokenId: 1, signer: addr("s"), enabledAt: 1 });
    const after = await h.get("/v1/licenses/1", { "If-None-Match": before! });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(before);
  });

  it("does not cache errors, health, readiness, status or metrics", async () => {
    for (const path of ["/health", "/ready", "/status", "/metrics"]) {
      const res = await h.get(path);
      expect(res.headers.get("etag"), path).toBeNull();
      expect(res.headers.get("cache-control"), path).toBe("no-store");
    }
    // Errors get neither the public reads' shared lifetime nor an ETag to revalidate with.
    for (const [path, status] of [
      ["/v1/licenses/99", 404],
      ["/v1/licenses/x", 400],
    ] as const) {
      const res = await h.get(path);
      expect(res.status, path).toBe(status);
      expect(res.headers.get("etag"), path).toBeNull();
      expect(res.headers.get("cache-control"), path).toBeNull();
    }
  });
});

describe("request ids and logs", () => {
  it("echoes a valid inbound X-Request-Id and logs one line per request with it", async () => {
    h.logs.length = 0;
    const res = await h.get("/v1/licenses/1", { "X-Request-Id": "abc-123_DEF=" });
    expect(res.headers.get("x-request-id")).toBe("abc-123_DEF=");
    const lines = h.logs.filter((l) => l["msg"] === "request");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      reqId: "abc-123_DEF=",
      method: "GET",
      path: "/v1/licenses/1",
      route: "/v1/licenses/:tokenId",
      status: 200,
      ms: expect.any(Number),
      level: 30,
    });
  });

  it("replaces an invalid or oversized inbound id with a fresh one", async () => {
    for (const bad of ["has space", "x".repeat(200), "<script>"]) {
      const id = (await h.get("/health", { "X-Request-Id": bad })).headers.get("x-request-id");
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
    const a = (await h.get("/health")).headers.get("x-request-id");
    const b = (await h.get("/health")).headers.get("x-request-id");
    expect(a).not.toBe(b);
  });
});

describe("security headers and CORS", () => {
  it("sets secure headers and a CSP", async () => {
    const res = await h.get("/v1/licenses/1");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(res.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    expect(res.headers.get("x-powered-by")).toBeNull();
  });

  it("allows configured origins only", async () => {
    const ok = await h.get("/v1/licenses/1", { Origin: CONSOLE });
    expect(ok.headers.get("access-control-allow-origin")).toBe(CONSOLE);
    expect(ok.headers.get("access-control-expose-headers")).toMatch(/ETag/);
    expect(
      (await h.get("/v1/licenses/1", { Origin: "http://localhost:5173" })).headers.get(
        "access-control-allow-origin",
      ),
    ).toBe("http://localhost:5173");
    const other = await h.get("/v1/licenses/1", { Origin: "https://evil.example" });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers preflights for configured origins", async () => {
    const res = await h.app.request("/v1/licenses/1", {
      method: "OPTIONS",
      headers: { Origin: CONSOLE, "Access-Control-Request-Method": "GET" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(CONSOLE);
    expect(res.headers.get("access-control-allow-methods")).toMatch(/GET/);
  });

  it("sends no CORS headers when no origins are configured", async () => {
    const plain = await apiHarness();
    try {
      const cors = (res: Response) => [...res.headers.keys()].filter((k) => k.startsWith("access-control-"));
      expect(cors(await plain.get("/health", { Origin: CONSOLE }))).toEqual([]);
      const preflight = await plain.app.request("/v1/licenses", {
        method: "OPTIONS",
        headers: { Origin: CONSOLE, "Access-Control-Request-Method": "GET" },
      });
      expect(cors(preflight)).toEqual([]);
    } finally {
      await plain.close();
    }
  });
});

describe("/metrics", () => {
  it("serves Prometheus text with request durations by method, route pattern and status", async () => {
    await h.get("/v1/licenses/1");
    await h.get("/v1/licenses/999");
    await h.get("/no/such/route");
    const res = await h.get("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/# TYPE http_request_duration_seconds histogram/);
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/v1\/licenses\/:tokenId",status="200"\} \d+/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/v1\/licenses\/:tokenId",status="404"\} \d+/,
    );
    expect(text).toMatch(/route="unmatched",status="404"/);
    expect(text).not.toMatch(/no\/such\/route/);
  });
});

describe("/openapi.json", () => {
  it("documents every public route with responses and the error envelope (OpenAPI 3.1)", async () => {
    const { status, body } = await h.json<{
      openapi: string;
      paths: Record<
        string,
        Record<string, { responses: Record<string, unknown>; parameters?: { name: string }[] }>
      >;
      components: { schemas: Record<string, unknown> };
    }>("/openapi.json");
    expect(status).toBe(200);
    expect(body.openapi).toBe("3.1.0");
    const expected = [
      "/v1/licenses",
      "/v1/licenses/{tokenId}",
      "/v1/licenses/by-client-id/{clientId}",
      "/v1/licenses/by-alias/{alias}",
      "/v1/licenses/{tokenId}/vehicles",
      "/v1/licenses/{tokenId}/events",
      "/v1/aliases/{alias}",
      "/v1/vehicles/{vehicleId}",
      "/v1/stats",
      "/health",
      "/ready",
      "/status",
    ];
    // Other parts (console, login) document their routes in the same document.
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(expected));
    for (const path of expected) {
      const get = body.paths[path]!["get"]!;
      expect(Object.keys(get.responses), path).toContain("200");
    }
    expect(Object.keys(body.paths["/v1/licenses/{tokenId}"]!["get"]!.responses).sort()).toEqual([
      "200",
      "400",
      "404",
      "500",
      "503",
    ]);
    expect(body.paths["/v1/licenses"]!["get"]!.parameters!.map((p) => p.name).sort()).toEqual([
      "cursor",
      "limit",
      "owner",
      "signer",
      "status",
    ]);
    for (const schema of [
      "Error",
      "License",
      "Signer",
      "RedirectUri",
      "SharedVehicle",
      "Grant",
      "Vehicle",
      "HistoryItem",
      "AliasAvailability",
      "Stats",
      "Status",
    ]) {
      expect(body.components.schemas, schema).toHaveProperty(schema);
    }
  });

  it("documents every route the app serves, except the docs pages themselves", async () => {
    const { body } = await h.json<{ paths: Record<string, Record<string, unknown>> }>("/openapi.json");
    const documented = new Set(
      Object.entries(body.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)),
    );
    const served = new Set(
      h.app.routes
        .filter((r) => r.method !== "ALL")
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([^/]+)/g, "{$1}")}`),
    );
    const undocumented = [...served].filter((route) => !documented.has(route)).sort();
    // Swagger UI's and GraphiQL's pages, scripts and assets, the SDL and the document itself: not API.
    expect(undocumented).toEqual([
      "get /docs",
      "get /docs/",
      "get /docs/assets/{name}",
      "get /docs/identity",
      "get /docs/identity.graphql",
      "get /docs/identity/{file}",
      "get /docs/init.js",
      "get /openapi.json",
    ]);
    // Every documented operation is served (no declaration without a handler).
    expect([...documented].filter((route) => !served.has(route))).toEqual([]);
  });
});
