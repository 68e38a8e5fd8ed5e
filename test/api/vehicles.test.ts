import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maskOf } from "../../domain/permissions";
import { type ApiHarness, addr, apiHarness, cs, iso, T0 } from "./harness";

const C = addr("client-1");
const C_REVOKED = addr("client-2");
const OTHER = addr("someone-else");
const O1 = addr("vehicle-owner-1");
const MAX = 2n ** 256n - 1n;
const TEMPLATE = `0x${"0".repeat(63)}1`;

let h: ApiHarness;

beforeAll(async () => {
  h = await apiHarness();
  const f = h.fixture;
  await f.license({ tokenId: 1, clientId: C, owner: addr("o") });
  await f.license({
    tokenId: 2,
    clientId: C_REVOKED,
    owner: addr("o"),
    status: "revoked",
    revokedAt: T0 - 1,
  });
  await f.license({ tokenId: 3, clientId: addr("client-3"), owner: addr("o") });

  // Vehicle 5: a SACD and privileges for C, plus grants to someone else.
  await f.vehicle({ id: 5, owner: O1, mintedAt: T0 - 5000, mintedBlock: 3 });
  await f.sacd({
    vehicleId: 5,
    grantee: C,
    permissions: maskOf([1, 3, 4]),
    expiresAt: T0 + 100,
    source: "ipfs://abc",
    templateId: TEMPLATE,
  });
  await f.privilege({ vehicleId: 5, privilegeId: 6, user: C, expiresAt: T0 + 500 });
  await f.privilege({ vehicleId: 5, privilegeId: 9, user: C, expiresAt: T0 + 50 }); // id outside 1..8: no name
  await f.privilege({ vehicleId: 5, privilegeId: 2, user: C, expiresAt: T0 }); // expired (expiresAt <= now)
  await f.sacd({
    vehicleId: 5,
    grantee: OTHER,
    permissions: 0xcn,
    expiresAt: T0 + 10,
    source: null,
    templateId: null,
  });
  await f.privilege({ vehicleId: 5, privilegeId: 1, user: OTHER, expiresAt: T0 + 20 });
  await f.privilege({ vehicleId: 5, privilegeId: 1, user: addr("aaa"), expiresAt: T0 + 20 });
  // Vehicle 3: minted before START_BLOCK (no vehicle row), shared by privilege only.
  await f.privilege({ vehicleId: 3, privilegeId: 1, user: C, expiresAt: T0 + 10 });
  // Vehicle 8: only an expired grant.
  await f.vehicle({ id: 8, owner: O1 });
  await f.sacd({ vehicleId: 8, grantee: C, permissions: maskOf([1]), expiresAt: T0 - 1 });
  // Vehicle 10: shared with someone else only; minted before START_BLOCK but seen transferred.
  await f.vehicle({ id: 10, owner: O1, mintedAt: null, mintedBlock: null, transfers: 1 });
  await f.sacd({ vehicleId: 10, grantee: OTHER, permissions: maskOf([2]), expiresAt: T0 + 10 });
  // Vehicle 12: a SACD with no permission bits that never expires.
  await f.vehicle({ id: 12, owner: addr("vehicle-owner-2") });
  await f.sacd({ vehicleId: 12, grantee: C, permissions: 0n, expiresAt: MAX, source: "" });
  // The revoked license keeps its grants.
  await f.vehicle({ id: 20, owner: O1 });
  await f.sacd({ vehicleId: 20, grantee: C_REVOKED, permissions: maskOf([8]), expiresAt: T0 + 1 });
});
afterAll(() => h.close());

const sacdOfC = {
  kind: "sacd",
  grantee: cs(C),
  permissions: `0x${maskOf([1, 3, 4]).toString(16)}`,
  expiresAt: iso(T0 + 100),
  source: "ipfs://abc",
  templateId: TEMPLATE,
};

describe("GET /v1/licenses/{tokenId}/vehicles", () => {
  it("lists vehicles with an unexpired grant to the license's clientId, vehicleId ascending", async () => {
    const { status, body } = await h.json("/v1/licenses/1/vehicles");
    expect(status).toBe(200);
    expect(body).toStrictEqual({
      items: [
        {
          vehicleId: 3,
          owner: null,
          permissions: ["GetNonLocationHistory"],
          expiresAt: iso(T0 + 10),
          grants: [{ kind: "privilege", grantee: cs(C), privilegeId: 1, expiresAt: iso(T0 + 10) }],
        },
        {
          vehicleId: 5,
          owner: cs(O1),
          permissions: ["GetNonLocationHistory", "GetCurrentLocation", "GetLocationHistory", "GetLiveData"],
          expiresAt: iso(T0 + 500),
          grants: [
            sacdOfC,
            { kind: "privilege", grantee: cs(C), privilegeId: 6, expiresAt: iso(T0 + 500) },
            { kind: "privilege", grantee: cs(C), privilegeId: 9, expiresAt: iso(T0 + 50) },
          ],
        },
        {
          vehicleId: 12,
          owner: cs(addr("vehicle-owner-2")),
          permissions: [],
          expiresAt: "9999-12-31T23:59:59.000Z",
          grants: [
            {
              kind: "sacd",
              grantee: cs(C),
              permissions: "0x0",
              expiresAt: "9999-12-31T23:59:59.000Z",
              source: null,
              templateId: null,
            },
          ],
        },
      ],
      nextCursor: null,
    });
  });

  it("drops grants as the clock passes their expiry", async () => {
    h.setNow(T0 + 60);
    try {
      const { body } = await h.json<{ items: { vehicleId: number; grants: unknown[] }[] }>(
        "/v1/licenses/1/vehicles",
      );
      expect(body.items.map((v) => [v.vehicleId, v.grants.length])).toEqual([
        [5, 2],
        [12, 1],
      ]);
    } finally {
      h.setNow(T0);
    }
  });

  it("still lists a revoked license's shared vehicles", async () => {
    const { body } = await h.json<{ items: { vehicleId: number; permissions: string[] }[] }>(
      "/v1/licenses/2/vehicles",
    );
    expect(body.items.map((v) => [v.vehicleId, v.permissions])).toEqual([[20, ["GetApproximateLocation"]]]);
  });

  it("pages with cursors, without gaps or repeats", async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const { body }: { body: { items: { vehicleId: number }[]; nextCursor: string | null } } = await h.json(
        `/v1/licenses/1/vehicles?limit=1${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...body.items.map((v) => v.vehicleId));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([3, 5, 12]);
  });

  it("answers an empty page for a license without shared vehicles, 404 for no license", async () => {
    expect((await h.json("/v1/licenses/3/vehicles")).body).toStrictEqual({ items: [], nextCursor: null });
    expect((await h.json("/v1/licenses/4/vehicles")).status).toBe(404);
  });

  it("rejects another license's cursor", async () => {
    const { body } = await h.json<{ nextCursor: string }>("/v1/licenses/1/vehicles?limit=1");
    const other = await h.json(`/v1/licenses/2/vehicles?cursor=${body.nextCursor}`);
    const message = "cursor belongs to another list or other filters; start again without a cursor";
    expect(other).toMatchObject({
      status: 400,
      body: { error: { code: "invalid_request", message, details: [{ path: "query.cursor", message }] } },
    });
  });
});

describe("GET /v1/vehicles/{vehicleId}", () => {
  it("answers every unexpired grant of every grantee: SACD by grantee, then privileges by id and user", async () => {
    const { status, body } = await h.json("/v1/vehicles/5");
    expect(status).toBe(200);
    const sacds = [
      sacdOfC,
      {
        kind: "sacd",
        grantee: cs(OTHER),
        permissions: "0xc",
        expiresAt: iso(T0 + 10),
        source: null,
        templateId: null,
      },
    ].sort((a, b) => (a.grantee.toLowerCase() < b.grantee.toLowerCase() ? -1 : 1));
    const privilegeUsers = [OTHER, addr("aaa")].sort();
    expect(body).toStrictEqual({
      vehicleId: 5,
      owner: cs(O1),
      mintedAt: iso(T0 - 5000),
      grants: [
        ...sacds,
        ...privilegeUsers.map((u) => ({
          kind: "privilege",
          grantee: cs(u),
          privilegeId: 1,
          expiresAt: iso(T0 + 20),
        })),
        { kind: "privilege", grantee: cs(C), privilegeId: 6, expiresAt: iso(T0 + 500) },
        { kind: "privilege", grantee: cs(C), privilegeId: 9, expiresAt: iso(T0 + 50) },
      ],
    });
  });

  it("shows mintedAt null for a vehicle minted before indexing started", async () => {
    const { body } = await h.json("/v1/vehicles/10");
    expect(body).toStrictEqual({
      vehicleId: 10,
      owner: cs(O1),
      mintedAt: null,
      grants: [
        {
          kind: "sacd",
          grantee: cs(OTHER),
          permissions: `0x${maskOf([2]).toString(16)}`,
          expiresAt: iso(T0 + 10),
          source: null,
          templateId: null,
        },
      ],
    });
  });

  it("answers a vehicle without live grants with an empty list", async () => {
    expect((await h.json<{ grants: unknown[] }>("/v1/vehicles/8")).body.grants).toEqual([]);
  });

  it("404s for a vehicle with no row (burned, or never seen) even when grants name it", async () => {
    for (const id of [3, 999]) {
      const { status, body } = await h.json<{ error: { code: string } }>(`/v1/vehicles/${id}`);
      expect(status).toBe(404);
      expect(body.error.code).toBe("not_found");
    }
  });
});
