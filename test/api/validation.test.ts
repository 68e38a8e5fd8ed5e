import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, addr, apiHarness } from "./harness";

let h: ApiHarness;

beforeAll(async () => {
  h = await apiHarness();
  await h.fixture.license({ tokenId: 1, clientId: addr("c"), owner: addr("o") });
});
afterAll(() => h.close());

type Envelope = { error: { code: string; message: string; details: { path: string; message: string }[] } };

async function expect400(path: string, naming: string) {
  const { status, body, res } = await h.json<Envelope>(path);
  expect(status, path).toBe(400);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(body.error.code).toBe("invalid_request");
  expect(body.error.message).toContain(naming.split(".")[1]);
  expect(body.error.details.map((d) => d.path)).toContain(naming);
  for (const d of body.error.details) expect(d.message).toEqual(expect.any(String));
  expect(Object.keys(body)).toEqual(["error"]);
}

const BAD_IDS = [
  "1.5",
  "-1",
  "0x1",
  "1e3",
  "0",
  "01",
  "abc",
  "%201",
  "9007199254740992",
  "99999999999999999999",
  "+1",
];
const BAD_ADDRESSES = [
  "0x123",
  addr("x").slice(2),
  `${addr("x")}0`,
  `0x${"g".repeat(40)}`,
  "vitalik.eth",
  `0X${addr("x").slice(2)}`,
];

describe("bad input answers 400 invalid_request naming the parameter", () => {
  it("tokenIds and vehicleIds that are not positive integers ≤ 2^53-1", async () => {
    for (const id of BAD_IDS) {
      await expect400(`/v1/licenses/${id}`, "path.tokenId");
      await expect400(`/v1/licenses/${id}/vehicles`, "path.tokenId");
      await expect400(`/v1/licenses/${id}/events`, "path.tokenId");
      await expect400(`/v1/vehicles/${id}`, "path.vehicleId");
    }
  });

  it("accepts the largest safe integer (and answers 404)", async () => {
    // Valid input: the 404 comes from the lookup (not_found), not from validation (invalid_request).
    for (const path of ["/v1/licenses/9007199254740991", "/v1/vehicles/9007199254740991"]) {
      const { status, body } = await h.json<Envelope>(path);
      expect({ status, code: body.error.code }, path).toEqual({ status: 404, code: "not_found" });
    }
  });

  it("addresses that are not 20 bytes of hex", async () => {
    for (const a of BAD_ADDRESSES) {
      await expect400(`/v1/licenses/by-client-id/${a}`, "path.clientId");
      await expect400(`/v1/licenses?owner=${a}`, "query.owner");
      await expect400(`/v1/licenses?signer=${a}`, "query.signer");
    }
    await expect400("/v1/licenses?owner=", "query.owner");
  });

  it("limits outside 1..100", async () => {
    for (const limit of ["0", "101", "abc", "-1", "1.5", "", "1e1", "1000"]) {
      await expect400(`/v1/licenses?limit=${limit}`, "query.limit");
      await expect400(`/v1/licenses/1/events?limit=${limit}`, "query.limit");
      await expect400(`/v1/licenses/1/vehicles?limit=${limit}`, "query.limit");
    }
  });

  it("an unknown status", async () => {
    for (const status of ["ACTIVE", "expired", ""])
      await expect400(`/v1/licenses?status=${status}`, "query.status");
  });

  it("lists every bad parameter at once", async () => {
    const { body } = await h.json<Envelope>("/v1/licenses?limit=0&owner=nope&status=x");
    expect(body.error.details.map((d) => d.path).sort()).toEqual([
      "query.limit",
      "query.owner",
      "query.status",
    ]);
  });
});

describe("unknown routes and methods", () => {
  it("answer 404 in the envelope", async () => {
    for (const path of [
      "/",
      "/v1",
      "/v1/nope",
      "/v1/licenses/1/nope",
      "/v1/stats/",
      "/v2/licenses",
      "/v1/vehicles",
    ]) {
      const { status, body } = await h.json(path);
      expect(status, path).toBe(404);
      expect(body).toStrictEqual({ error: { code: "not_found", message: expect.any(String) } });
    }
  });

  it("answer another method on a known path with 404 in the envelope", async () => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const res = await h.app.request("/v1/licenses/1", { method, body: "{" });
      expect(res.status).toBe(404);
      expect(await res.json()).toStrictEqual({
        error: { code: "not_found", message: `No route for ${method} /v1/licenses/1` },
      });
    }
  });

  it("answers HEAD like GET without a body", async () => {
    const get = await h.app.request("/v1/licenses/1");
    const res = await h.app.request("/v1/licenses/1", { method: "HEAD" });
    expect(res.status).toBe(200);
    for (const header of ["etag", "cache-control", "content-type"]) {
      expect(res.headers.get(header), header).toBe(get.headers.get(header));
    }
    expect(res.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(await res.text()).toBe("");
  });

  it("never answers 500 for odd paths", async () => {
    for (const path of [
      "/v1/licenses/by-alias/%E0%A4%A",
      "/v1/aliases/%",
      "/v1/aliases/%ZZ",
      "/v1/licenses/%00",
      "/v1/aliases/%00",
      "/v1/aliases/a%00b",
      "/v1/licenses/by-alias/a%00b",
      "/v1/aliases/%ED%A0%80",
      "/v1/licenses/by-alias/%ED%A0%80",
      "/v1/licenses/by-client-id/%C0%AF",
      `/v1/aliases/${"x".repeat(5000)}`,
      "/v1/licenses?limit=%ZZ",
      "/v1/licenses?cursor=%E0%A4%A",
    ]) {
      const { status, body } = await h.json<Envelope>(path);
      expect(status, path).toBeLessThan(500);
      expect(body.error?.code ?? "ok").not.toBe("internal");
    }
  });
});

describe("random input", () => {
  it("never answers 5xx and always answers JSON (errors in the envelope)", async () => {
    const fc = await import("fast-check");
    const segment = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.stringMatching(/^[0-9a-fA-FxX.e+-]{0,50}$/),
      fc.constantFrom(
        "1",
        "0",
        "-1",
        "9007199254740993",
        "%",
        "%00",
        "%ZZ",
        "%E0%A4%A",
        "..",
        "by-alias",
        "events",
      ),
    );
    const route = fc.constantFrom(
      (s: string) => `/v1/licenses/${s}`,
      (s: string) => `/v1/licenses/${s}/vehicles`,
      (s: string) => `/v1/licenses/${s}/events`,
      (s: string) => `/v1/licenses/by-client-id/${s}`,
      (s: string) => `/v1/licenses/by-alias/${s}`,
      (s: string) => `/v1/aliases/${s}`,
      (s: string) => `/v1/vehicles/${s}`,
      (s: string) => `/v1/licenses?owner=${s}`,
      (s: string) => `/v1/licenses?signer=${s}&status=${s}`,
      (s: string) => `/v1/licenses?limit=${s}&cursor=${s}`,
      (s: string) => `/v1/licenses/1/events?cursor=${s}`,
    );
    const encode = fc.boolean();
    await fc.assert(
      fc.asyncProperty(route, segment, encode, async (make, s, enc) => {
        const path = make(enc ? encodeURIComponent(s) : s.replace(/[#?/\s]/g, ""));
        let res: Response;
        try {
          res = await h.get(path);
        } catch {
          return; // not a URL the Request constructor accepts: never reaches a server
        }
        expect(res.status, path).toBeLessThan(500);
        const body = (await res.json()) as { error?: { code: string; message: string } };
        if (res.status >= 400)
          expect(body.error, path).toEqual(expect.objectContaining({ code: expect.any(String) }));
      }),
      { numRuns: 400, seed: 20251128 },
    );
  });
});
