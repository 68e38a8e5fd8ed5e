import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maskOf } from "../../domain/permissions";
import { type ApiHarness, addr, apiHarness, T0 } from "./harness";

let h: ApiHarness;

beforeAll(async () => {
  h = await apiHarness();
});
afterAll(() => h.close());

describe("GET /v1/stats", () => {
  it("counts zero on an empty index", async () => {
    expect((await h.json("/v1/stats")).body).toStrictEqual({
      licenses: { active: 0, revoked: 0 },
      signers: 0,
      redirectUris: 0,
      vehicles: 0,
      activeGrants: 0,
    });
  });

  it("counts signers and URIs of active licenses only (expired signers included), and unexpired grants", async () => {
    const f = h.fixture;
    await f.license({ tokenId: 1, clientId: addr("c1"), owner: addr("o") });
    await f.license({ tokenId: 2, clientId: addr("c2"), owner: addr("o") });
    await f.license({ tokenId: 3, clientId: addr("c3"), owner: addr("o"), status: "revoked", revokedAt: T0 });
    await f.signer({ tokenId: 1, signer: addr("s1"), enabledAt: 1 }); // long expired: still counted
    await f.signer({ tokenId: 1, signer: addr("s2"), enabledAt: T0 });
    await f.signer({ tokenId: 3, signer: addr("s3"), enabledAt: T0 }); // revoked license: not counted
    await f.redirectUri({ tokenId: 2, uri: "https://a", enabledAt: T0 });
    await f.redirectUri({ tokenId: 3, uri: "https://b", enabledAt: T0 });
    await f.vehicle({ id: 1, owner: addr("v") });
    await f.vehicle({ id: 2, owner: addr("v"), mintedAt: null, mintedBlock: null });
    await f.sacd({ vehicleId: 1, grantee: addr("c1"), permissions: maskOf([1]), expiresAt: T0 + 1 });
    await f.sacd({ vehicleId: 1, grantee: addr("c2"), permissions: maskOf([1]), expiresAt: T0 }); // expired
    await f.privilege({ vehicleId: 2, privilegeId: 1, user: addr("c1"), expiresAt: T0 + 10 });
    await f.privilege({ vehicleId: 9, privilegeId: 4, user: addr("c1"), expiresAt: 2n ** 256n - 1n });
    expect((await h.json("/v1/stats")).body).toStrictEqual({
      licenses: { active: 2, revoked: 1 },
      signers: 2,
      redirectUris: 1,
      vehicles: 2,
      activeGrants: 3,
    });
    h.setNow(T0 + 5);
    expect((await h.json<{ activeGrants: number }>("/v1/stats")).body.activeGrants).toBe(2);
    h.setNow(T0);
  });
});
