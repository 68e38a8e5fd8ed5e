import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, addr, apiHarness, cs, iso, T0 } from "./harness";

const OWNER_A = addr("owner-a");
const OWNER_B = addr("owner-b");
const S1 = addr("signer-1");
const S2 = addr("signer-2");
const YEAR = 31_536_000;

let h: ApiHarness;

beforeAll(async () => {
  h = await apiHarness();
  const f = h.fixture;
  await f.license({
    tokenId: 1,
    clientId: addr("client-1"),
    owner: OWNER_A,
    alias: "alpha",
    mintedAt: T0 - 1_000,
    mintedBlock: 10,
    mintedTx: `0x${"AB".repeat(32)}`,
  });
  await f.signer({ tokenId: 1, signer: S1, enabledAt: T0 - YEAR - 5 }); // expired under the default 365 days
  await f.signer({ tokenId: 1, signer: S2, enabledAt: T0 - 10 });
  await f.redirectUri({ tokenId: 1, uri: "https://b.example/cb", enabledAt: T0 - 50 });
  await f.redirectUri({ tokenId: 1, uri: "https://a.example/cb", enabledAt: T0 - 50 });
  await f.redirectUri({ tokenId: 1, uri: "http://localhost:3000", enabledAt: T0 - 100 });
  await f.license({
    tokenId: 2,
    clientId: addr("client-2"),
    owner: OWNER_A,
    alias: null,
    status: "revoked",
    mintedAt: T0 - 900,
    mintedBlock: 11,
    revokedAt: T0 - 5,
    revokedBlock: 20,
    revokedTx: `0x${"cd".repeat(32)}`,
  });
  await f.signer({ tokenId: 2, signer: S1, enabledAt: T0 - 100 });
  await f.redirectUri({ tokenId: 2, uri: "https://revoked.example", enabledAt: T0 - 100 });
  await f.license({
    tokenId: 3,
    clientId: addr("client-3"),
    owner: OWNER_B,
    alias: "ünï/cødé 🚗",
    mintedAt: 0,
  });
});
afterAll(() => h.close());

const license1 = () => ({
  tokenId: 1,
  clientId: cs(addr("client-1")),
  owner: cs(OWNER_A),
  alias: "alpha",
  status: "active",
  mintedAt: iso(T0 - 1_000),
  mintedBlock: 10,
  mintedTx: `0x${"ab".repeat(32)}`,
  revokedAt: null,
  redirectUris: [
    { uri: "http://localhost:3000", enabledAt: iso(T0 - 100) },
    { uri: "https://a.example/cb", enabledAt: iso(T0 - 50) },
    { uri: "https://b.example/cb", enabledAt: iso(T0 - 50) },
  ],
  signers: [
    { address: cs(S1), enabledAt: iso(T0 - YEAR - 5), expiresAt: iso(T0 - 5), expired: true },
    { address: cs(S2), enabledAt: iso(T0 - 10), expiresAt: iso(T0 - 10 + YEAR), expired: false },
  ],
});

const license2 = () => ({
  tokenId: 2,
  clientId: cs(addr("client-2")),
  owner: cs(OWNER_A),
  alias: null,
  status: "revoked",
  mintedAt: iso(T0 - 900),
  mintedBlock: 11,
  mintedTx: `0x${"2".padStart(64, "0")}`,
  revokedAt: iso(T0 - 5),
  redirectUris: [{ uri: "https://revoked.example", enabledAt: iso(T0 - 100) }],
  signers: [{ address: cs(S1), enabledAt: iso(T0 - 100), expiresAt: iso(T0 - 100 + YEAR), expired: false }],
});

const license3 = () => ({
  tokenId: 3,
  clientId: cs(addr("client-3")),
  owner: cs(OWNER_B),
  alias: "ünï/cødé 🚗",
  status: "active",
  mintedAt: "1970-01-01T00:00:00.000Z",
  mintedBlock: 100,
  mintedTx: `0x${"3".padStart(64, "0")}`,
  revokedAt: null,
  redirectUris: [],
  signers: [],
});

describe("GET /v1/licenses/{tokenId}", () => {
  it("answers every field of the License shape", async () => {
    const { status, body, res } = await h.json("/v1/licenses/1");
    expect(status).toBe(200);
    expect(body).toStrictEqual(license1());
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("finds revoked licenses, alias null, signers and URIs still listed", async () => {
    expect((await h.json("/v1/licenses/2")).body).toStrictEqual(license2());
  });

  it("shows time 0 as the epoch and empty lists as []", async () => {
    expect((await h.json("/v1/licenses/3")).body).toStrictEqual(license3());
  });

  it("404s in the envelope for a license never issued", async () => {
    const { status, body } = await h.json("/v1/licenses/99");
    expect(status).toBe(404);
    expect(body).toStrictEqual({ error: { code: "not_found", message: "No license with tokenId 99" } });
  });
});

describe("GET /v1/licenses/by-client-id/{clientId}", () => {
  it("matches in any letter case, any status", async () => {
    expect(
      (await h.json(`/v1/licenses/by-client-id/${addr("client-1").toUpperCase().replace("0X", "0x")}`)).body,
    ).toStrictEqual(license1());
    expect((await h.json(`/v1/licenses/by-client-id/${cs(addr("client-2"))}`)).body).toStrictEqual(
      license2(),
    );
  });

  it("404s for an unknown clientId", async () => {
    const { status, body } = await h.json(`/v1/licenses/by-client-id/${addr("nobody")}`);
    expect(status).toBe(404);
    expect((body as { error: { code: string } }).error.code).toBe("not_found");
  });
});

describe("GET /v1/licenses/by-alias/{alias}", () => {
  it("finds the active license with exactly that alias, URL-decoded, any UTF-8", async () => {
    expect((await h.json("/v1/licenses/by-alias/alpha")).body).toStrictEqual(license1());
    expect((await h.json(`/v1/licenses/by-alias/${encodeURIComponent("ünï/cødé 🚗")}`)).body).toStrictEqual(
      license3(),
    );
  });

  it("is case-sensitive and never finds a revoked license", async () => {
    expect((await h.json("/v1/licenses/by-alias/Alpha")).status).toBe(404);
    expect((await h.json("/v1/licenses/by-alias/%20alpha")).status).toBe(404);
  });

  it("treats path-like aliases as aliases, not as sub-routes", async () => {
    expect((await h.json("/v1/licenses/by-alias/events")).status).toBe(404);
    expect((await h.json("/v1/licenses/by-alias/vehicles")).status).toBe(404);
  });
});

describe("signer expiry", () => {
  it("uses the contract's latest periodValidity and the injected clock", async () => {
    await h.fixture.licenseContract({ address: h.config.chain.devLicense, periodValidity: 7 });
    h.setNow(T0 - 4);
    try {
      const { body } = await h.json<ReturnType<typeof license1>>("/v1/licenses/1");
      expect(body.signers).toStrictEqual([
        { address: cs(S1), enabledAt: iso(T0 - YEAR - 5), expiresAt: iso(T0 - YEAR + 2), expired: true },
        { address: cs(S2), enabledAt: iso(T0 - 10), expiresAt: iso(T0 - 3), expired: false },
      ]);
      h.setNow(T0 - 3); // expiresAt <= now is expired
      expect((await h.json<ReturnType<typeof license1>>("/v1/licenses/1")).body.signers[1]!.expired).toBe(
        true,
      );
      // A period that overflows any date clamps to the last ISO second.
      await h.fixture.licenseContract({
        address: h.config.chain.devLicense,
        periodValidity: 2n ** 256n - 1n - BigInt(T0),
      });
      expect((await h.json<ReturnType<typeof license1>>("/v1/licenses/1")).body.signers[1]!.expiresAt).toBe(
        "9999-12-31T23:59:59.000Z",
      );
      // Another deployment's settings do not apply.
      await h.fixture.licenseContract({ address: h.config.chain.devLicense, periodValidity: null });
      await h.fixture.licenseContract({ address: addr("other-license-contract"), periodValidity: 1 });
      expect((await h.json("/v1/licenses/1")).body).toStrictEqual(license1());
    } finally {
      h.setNow(T0);
    }
  });
});

describe("GET /v1/licenses", () => {
  const ids = async (query: string) => {
    const { status, body } = await h.json<{ items: { tokenId: number }[]; nextCursor: string | null }>(
      `/v1/licenses${query}`,
    );
    expect(status).toBe(200);
    return body.items.map((l) => l.tokenId);
  };

  it("lists active licenses by default, tokenId descending, full shapes", async () => {
    const { body } = await h.json("/v1/licenses");
    expect(body).toStrictEqual({ items: [license3(), license1()], nextCursor: null });
  });

  it("filters by status", async () => {
    expect(await ids("?status=revoked")).toEqual([2]);
    expect(await ids("?status=all")).toEqual([3, 2, 1]);
    expect(await ids("?status=active")).toEqual([3, 1]);
  });

  it("filters by owner in any letter case", async () => {
    expect(await ids(`?status=all&owner=${cs(OWNER_A)}`)).toEqual([2, 1]);
    expect(await ids(`?status=all&owner=${OWNER_A.toUpperCase().replace("0X", "0x")}`)).toEqual([2, 1]);
    expect(await ids(`?owner=${OWNER_B}`)).toEqual([3]);
    expect(await ids(`?owner=${addr("nobody")}`)).toEqual([]);
  });

  it("filters by signer, expired or not, combined with the other filters", async () => {
    expect(await ids(`?status=all&signer=${cs(S1)}`)).toEqual([2, 1]);
    expect(await ids(`?signer=${S1}`)).toEqual([1]);
    expect(await ids(`?status=all&signer=${S2}&owner=${OWNER_A}`)).toEqual([1]);
    expect(await ids(`?status=all&signer=${S2}&owner=${OWNER_B}`)).toEqual([]);
  });

  it("ignores unknown query parameters", async () => {
    expect(await ids("?status=all&color=blue")).toEqual([3, 2, 1]);
  });
});
