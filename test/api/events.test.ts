import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, addr, apiHarness, cs, iso, T0 } from "./harness";

let h: ApiHarness;
const C = cs(addr("client-1"));
const OWNER = cs(addr("owner"));
const SIGNER = cs(addr("signer"));

// Inserted out of order on purpose: the API orders by (block, log index).
const EVENTS: { blockNumber: number; logIndex: number; type: string; args: Record<string, string | null> }[] =
  [
    { blockNumber: 12, logIndex: 3, type: "SignerEnabled", args: { tokenId: "1", signer: SIGNER } },
    {
      blockNumber: 10,
      logIndex: 1,
      type: "Transfer",
      args: { from: `0x${"0".repeat(40)}`, to: OWNER, tokenId: "1" },
    },
    { blockNumber: 10, logIndex: 2, type: "Issued", args: { tokenId: "1", owner: OWNER, clientId: C } },
    { blockNumber: 10, logIndex: 3, type: "LicenseAliasSet", args: { tokenId: "1", licenseAlias: "my-app" } },
    {
      blockNumber: 12,
      logIndex: 0,
      type: "RedirectUriEnabled",
      args: { tokenId: "1", uri: "https://a.example" },
    },
    { blockNumber: 11, logIndex: 7, type: "LicenseAliasSet", args: { tokenId: "1", licenseAlias: null } },
    { blockNumber: 300, logIndex: 0, type: "Locked", args: { tokenId: "1" } },
  ];

beforeAll(async () => {
  h = await apiHarness();
  await h.fixture.license({ tokenId: 1, clientId: C, owner: OWNER });
  await h.fixture.license({ tokenId: 2, clientId: addr("client-2"), owner: OWNER });
  for (const e of EVENTS) {
    await h.fixture.event({
      tokenId: 1,
      ...e,
      txHash: `0x${String(e.blockNumber).padStart(64, "A")}`,
      timestamp: T0 + e.blockNumber,
    });
  }
  // Another license's events in the same blocks never show up.
  await h.fixture.event({
    tokenId: 2,
    blockNumber: 10,
    logIndex: 9,
    type: "Issued",
    args: {},
    timestamp: T0,
  });
});
afterAll(() => h.close());

const expected = [...EVENTS]
  .sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex)
  .map((e) => ({
    type: e.type,
    blockNumber: e.blockNumber,
    txHash: `0x${String(e.blockNumber).padStart(64, "a")}`,
    logIndex: e.logIndex,
    timestamp: iso(T0 + e.blockNumber),
    args: e.args,
  }));

describe("GET /v1/licenses/{tokenId}/events", () => {
  it("answers the history oldest first (block, then log index), every field", async () => {
    const { status, body } = await h.json("/v1/licenses/1/events?limit=100");
    expect(status).toBe(200);
    expect(body).toStrictEqual({ items: expected, nextCursor: null });
  });

  it("pages on (block, log index) without gaps or repeats", async () => {
    for (const limit of [1, 2, 3]) {
      const seen: unknown[] = [];
      let cursor: string | null = null;
      do {
        const { body }: { body: { items: unknown[]; nextCursor: string | null } } = await h.json(
          `/v1/licenses/1/events?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`,
        );
        expect(body.items.length).toBeLessThanOrEqual(limit);
        seen.push(...body.items);
        cursor = body.nextCursor;
      } while (cursor);
      expect(seen).toStrictEqual(expected);
    }
  });

  it("sees events appended after the cursor's position on the next page", async () => {
    const first = await h.json<{ nextCursor: string }>("/v1/licenses/1/events?limit=6");
    await h.fixture.event({
      tokenId: 1,
      blockNumber: 301,
      logIndex: 0,
      type: "SignerDisabled",
      args: {},
      timestamp: T0,
    });
    const rest = await h.json<{ items: { blockNumber: number }[] }>(
      `/v1/licenses/1/events?limit=6&cursor=${first.body.nextCursor}`,
    );
    expect(rest.body.items.map((e) => e.blockNumber)).toEqual([300, 301]);
  });

  it("answers an empty history for a license without events and 404 for none", async () => {
    await h.fixture.license({ tokenId: 3, clientId: addr("client-3"), owner: OWNER });
    expect((await h.json("/v1/licenses/3/events")).body).toStrictEqual({ items: [], nextCursor: null });
    const { status, body } = await h.json<{ error: { code: string } }>("/v1/licenses/4/events");
    expect(status).toBe(404);
    expect(body.error.code).toBe("not_found");
  });
});
