import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/support/database";
import { createDatabase, type Database } from "./database";
import { migrateToLatest } from "./migrate";
import { windowCounter } from "./windowCounter";

let database: TestDatabase;
let db: Kysely<Database>;

beforeAll(async () => {
  database = await createTestDatabase("window_counter");
  db = createDatabase(database.url, { poolMax: 4, statementTimeoutMs: 10_000 });
  await migrateToLatest(db);
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe("windowCounter", () => {
  it("counts every key of a call in one window, independently, and restarts a window that ended", async () => {
    const count = windowCounter(db, "login_rate_limit");
    const before = Date.now();
    const k = (key: string) => ({ key, windowMs: 300, limit: 10 });
    const first = await count([k("a"), k("b")]);
    expect(first.map((w) => [w.key, w.points]).sort()).toEqual([
      ["a", 1],
      ["b", 1],
    ]);
    expect(first[0]!.expire).toBeGreaterThanOrEqual(before + 300);
    const second = await count([k("a")]);
    expect(second).toEqual([{ key: "a", points: 2, expire: first.find((w) => w.key === "a")!.expire }]);

    await new Promise((r) => setTimeout(r, 350));
    const [restarted] = await count([k("a")]);
    expect(restarted!.points).toBe(1);
    expect(restarted!.expire).toBeGreaterThan(second[0]!.expire);
  });

  it("answers concurrent counts of one key with distinct totals (no lost update)", async () => {
    const count = windowCounter(db, "account_rate_limits");
    const results = await Promise.all(
      Array.from({ length: 8 }, () => count([{ key: "shared", windowMs: 60_000, limit: 100 }])),
    );
    expect(results.map(([w]) => w!.points).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("counts the ceilings in the same statement only while no own key is over its limit, each in its own window", async () => {
    const count = windowCounter(db, "login_rate_limit");
    const own = { key: "own", windowMs: 60_000, limit: 2 };
    const ceiling = { key: "ceiling", windowMs: 86_400_000, limit: 0 };
    const points = (rows: { key: string; points: number }[]) =>
      Object.fromEntries(rows.map((r) => [r.key, r.points]));
    expect(points(await count([own], [ceiling]))).toEqual({ own: 1, ceiling: 1 });
    expect(points(await count([own], [ceiling]))).toEqual({ own: 2, ceiling: 2 });
    // Over its own limit: the shared ceiling is left alone, however often this caller insists.
    expect(points(await count([own], [ceiling]))).toEqual({ own: 3 });
    expect(points(await count([own], [ceiling]))).toEqual({ own: 4 });
    const [day] = await count([], [ceiling]);
    expect(day!.points).toBe(3);
    expect(day!.expire).toBeGreaterThan(Date.now() + 86_000_000);
  });
});
