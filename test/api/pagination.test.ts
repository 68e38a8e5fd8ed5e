import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, addr, apiHarness, T0 } from "./harness";

type Page = { items: { tokenId: number }[]; nextCursor: string | null };

let h: ApiHarness;
const TOTAL = 57;
const owner = (i: number) => addr(`owner-${i % 3}`);

beforeAll(async () => {
  h = await apiHarness();
  for (let i = 1; i <= TOTAL; i++) {
    await h.fixture.license({
      tokenId: i,
      clientId: addr(`client-${i}`),
      owner: owner(i),
      status: i % 5 === 0 ? "revoked" : "active",
      mintedAt: T0 - 1000 + i,
    });
  }
});
afterAll(() => h.close());

/** Follows nextCursor to the end, optionally doing something between pages. */
async function walk(base: string, between?: (pageNo: number) => Promise<void>) {
  const seen: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = base.includes("?") ? "&" : "?";
    const { status, body }: { status: number; body: Page } = await h.json(
      cursor ? `${base}${sep}cursor=${cursor}` : base,
    );
    expect(status).toBe(200);
    pages++;
    seen.push(...body.items.map((l) => l.tokenId));
    cursor = body.nextCursor;
    if (cursor && between) await between(pages);
    expect(pages).toBeLessThan(200);
  } while (cursor);
  return { seen, pages };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => to - i);

describe("license list pagination", () => {
  it("walks every license once, tokenId descending, for every page size", async () => {
    for (const limit of [1, 7, 19, 57, 100]) {
      const { seen, pages } = await walk(`/v1/licenses?status=all&limit=${limit}`);
      expect(seen).toEqual(range(1, TOTAL));
      expect(pages).toBe(Math.ceil(TOTAL / limit));
    }
  });

  it("defaults to 20 per page", async () => {
    const { body } = await h.json<Page>("/v1/licenses?status=all");
    expect(body.items).toHaveLength(20);
    expect(body.nextCursor).toEqual(expect.any(String));
  });

  it("ends with nextCursor null, never an empty page, when the total divides the page size", async () => {
    const { seen, pages } = await walk(`/v1/licenses?status=all&owner=${owner(1)}&limit=19`); // 19 licenses
    expect(seen).toHaveLength(19);
    expect(pages).toBe(1);
  });

  it("keeps filters across pages", async () => {
    const { seen } = await walk(`/v1/licenses?owner=${owner(2)}&limit=4`);
    expect(seen).toEqual(range(1, TOTAL).filter((i) => i % 3 === 2 && i % 5 !== 0));
  });

  it("never repeats or skips while new licenses are indexed between pages", async () => {
    let next = TOTAL + 1;
    const { seen } = await walk("/v1/licenses?status=all&limit=6", async () => {
      // The indexer appends licenses, always with higher tokenIds than any before.
      for (let k = 0; k < 3; k++, next++) {
        await h.fixture.license({ tokenId: next, clientId: addr(`new-${next}`), owner: owner(next) });
      }
    });
    expect(seen).toEqual(range(1, TOTAL));
    expect(new Set(seen).size).toBe(seen.length);
    // A fresh walk sees the new ones too.
    expect((await walk("/v1/licenses?status=all&limit=50")).seen).toEqual(range(1, next - 1));
  });
});

describe("cursors", () => {
  const firstCursor = async (path: string) => (await h.json<Page>(path)).body.nextCursor!;
  const TAMPERED = "is not a cursor this API issued (tampered or signed with another secret)";
  const OTHER_LIST = "belongs to another list or other filters; start again without a cursor";
  const MALFORMED = "is malformed";
  /** A 400 naming `cursor`, for exactly the reason the test expects. */
  const expectCursorError = async (path: string, reason: string) => {
    const { status, body } = await h.json(path);
    expect(status, path).toBe(400);
    const message = `cursor ${reason}`;
    expect(body, path).toStrictEqual({
      error: { code: "invalid_request", message, details: [{ path: "query.cursor", message }] },
    });
  };

  it("rejects a tampered cursor", async () => {
    const cursor = await firstCursor("/v1/licenses?status=all&limit=2");
    const bytes = Buffer.from(cursor, "base64url");
    bytes[5] = bytes[5]! ^ 0x20;
    await expectCursorError(
      `/v1/licenses?status=all&limit=2&cursor=${bytes.toString("base64url")}`,
      TAMPERED,
    );
    await expectCursorError(`/v1/licenses?status=all&limit=2&cursor=${cursor.slice(0, -2)}`, TAMPERED);
  });

  it("rejects a cursor of other filters or another list", async () => {
    const cursor = await firstCursor("/v1/licenses?status=all&limit=2");
    await expectCursorError(`/v1/licenses?status=active&limit=2&cursor=${cursor}`, OTHER_LIST);
    await expectCursorError(`/v1/licenses?status=all&owner=${owner(1)}&cursor=${cursor}`, OTHER_LIST);
    await expectCursorError(`/v1/licenses/1/events?cursor=${cursor}`, OTHER_LIST);
    await expectCursorError(`/v1/licenses/1/vehicles?cursor=${cursor}`, OTHER_LIST);
  });

  it("accepts a cursor with a different page size (limit is not a filter)", async () => {
    const cursor = await firstCursor("/v1/licenses?status=all&limit=2");
    const { status, body } = await h.json<Page>(`/v1/licenses?status=all&limit=3&cursor=${cursor}`);
    expect(status).toBe(200);
    expect(body.items).toHaveLength(3);
  });

  it("rejects malformed cursors", async () => {
    for (const bad of ["", "x", "%21%21", "a".repeat(600), "eyJ2IjoxfQ", "null"]) {
      await expectCursorError(`/v1/licenses?cursor=${bad}`, MALFORMED);
    }
  });
});
