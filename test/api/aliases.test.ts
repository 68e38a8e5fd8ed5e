import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, addr, apiHarness } from "./harness";

let h: ApiHarness;

beforeAll(async () => {
  h = await apiHarness();
  await h.fixture.license({ tokenId: 4, clientId: addr("c4"), owner: addr("o"), alias: "taken-one" });
  await h.fixture.license({ tokenId: 5, clientId: addr("c5"), owner: addr("o"), alias: "ひらがな" });
  // A revoked license never holds an alias (the indexer frees it); even a stale one must not count.
  await h.fixture.license({
    tokenId: 6,
    clientId: addr("c6"),
    owner: addr("o"),
    alias: "old",
    status: "revoked",
  });
});
afterAll(() => h.close());

const check = async (path: string) => {
  const { status, body, res } = await h.json(path);
  expect(status).toBe(200);
  expect(res.headers.get("cache-control")).toBe("public, max-age=2");
  return body;
};

describe("GET /v1/aliases/{alias}", () => {
  it("answers taken with the holder's tokenId", async () => {
    expect(await check("/v1/aliases/taken-one")).toStrictEqual({
      alias: "taken-one",
      available: false,
      tokenId: 4,
      reason: "taken",
    });
    expect(await check(`/v1/aliases/${encodeURIComponent("ひらがな")}`)).toStrictEqual({
      alias: "ひらがな",
      available: false,
      tokenId: 5,
      reason: "taken",
    });
  });

  it("is case-sensitive and ignores revoked licenses", async () => {
    expect(await check("/v1/aliases/Taken-One")).toStrictEqual({
      alias: "Taken-One",
      available: true,
      tokenId: null,
      reason: null,
    });
    expect(await check("/v1/aliases/old")).toStrictEqual({
      alias: "old",
      available: true,
      tokenId: null,
      reason: null,
    });
  });

  it("counts the 32-byte limit in UTF-8 bytes, not characters", async () => {
    const ok = "a".repeat(32);
    expect(await check(`/v1/aliases/${ok}`)).toStrictEqual({
      alias: ok,
      available: true,
      tokenId: null,
      reason: null,
    });
    const long = "a".repeat(33);
    expect(await check(`/v1/aliases/${long}`)).toStrictEqual({
      alias: long,
      available: false,
      tokenId: null,
      reason: "too_long",
    });
    const euros = "€".repeat(11); // 11 characters, 33 bytes
    expect(await check(`/v1/aliases/${encodeURIComponent(euros)}`)).toStrictEqual({
      alias: euros,
      available: false,
      tokenId: null,
      reason: "too_long",
    });
  });

  it("answers the empty alias at /v1/aliases/", async () => {
    expect(await check("/v1/aliases/")).toStrictEqual({
      alias: "",
      available: false,
      tokenId: null,
      reason: "empty",
    });
  });

  it("decodes reserved and percent characters exactly once", async () => {
    for (const alias of ["a/b", "100%", "%41", "a?b#c", "spa ce", "+plus"]) {
      expect(await check(`/v1/aliases/${encodeURIComponent(alias)}`)).toMatchObject({
        alias,
        available: true,
      });
    }
  });
});
