import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../api/app";
import { createDatabase, type Database } from "../../api/db/database";
import { loadConfig } from "../../config/env";
import { freePort } from "../../scripts/runtime/ports";
import { type ApiHarness, addr, apiHarness } from "./harness";

const capture = () => {
  const logs: Record<string, unknown>[] = [];
  return { logs, logger: pino({ level: "info" }, { write: (l: string) => void logs.push(JSON.parse(l)) }) };
};

function appOn(db: Kysely<Database>, logger: pino.Logger) {
  return createApp({
    db,
    clock: () => new Date(),
    logger,
    config: loadConfig({}),
    chain: { headBlock: async () => 1n },
    secret: Buffer.alloc(32),
  });
}

describe("unexpected errors", () => {
  it("answer a bare 500 without internals and log them with the request id", async () => {
    const { logs, logger } = capture();
    // A driver that fails in a way no rule knows: a bug, not an outage.
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({
        pool: {
          connect: async () => {
            throw new TypeError("secret-internal-detail at /srv/x.ts:12");
          },
          end: async () => {},
        } as unknown as pg.Pool,
      }),
    });
    const app = appOn(db, logger);
    const res = await app.request("/v1/licenses/1", { headers: { "X-Request-Id": "req-500" } });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toStrictEqual({ error: { code: "internal", message: "Internal error" } });
    expect(text).not.toMatch(/secret-internal-detail|\.ts|stack/);
    const line = logs.find((l) => l["msg"] === "unhandled error");
    expect(line).toMatchObject({
      reqId: "req-500",
      level: 50,
      err: { message: expect.stringContaining("secret-internal-detail") },
    });
    expect(logs.find((l) => l["msg"] === "request")).toMatchObject({ reqId: "req-500", status: 500 });
  });
});

describe("database outages answer 503 unavailable and recover", () => {
  it("when Postgres is unreachable", async () => {
    const { logger } = capture();
    const port = await freePort();
    const db = createDatabase(`postgresql://postgres:postgres@127.0.0.1:${port}/none`, {
      poolMax: 2,
      statementTimeoutMs: 1_000,
      connectTimeoutMs: 1_000,
    });
    const app = appOn(db, logger);
    for (const path of ["/v1/licenses", "/v1/licenses/1", "/v1/stats", "/status", "/ready"]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(503);
      expect(await res.json()).toStrictEqual({
        error: { code: "unavailable", message: "The database is unavailable; try again shortly" },
      });
    }
    expect((await app.request("/health")).status).toBe(200);
    await db.destroy();
  });

  describe("with a live database", () => {
    let h: ApiHarness;
    beforeAll(async () => {
      h = await apiHarness();
      await h.fixture.license({ tokenId: 1, clientId: addr("c"), owner: addr("o") });
    });
    afterAll(() => h.close());

    it("when a statement times out (a lock held elsewhere), then serves again", async () => {
      const short = createDatabase(h.url, { poolMax: 2, statementTimeoutMs: 300 });
      const app = appOn(short, pino({ level: "silent" }));
      const locker = new pg.Client({ connectionString: h.url });
      await locker.connect();
      try {
        await locker.query("BEGIN");
        await locker.query("LOCK TABLE dimo.license IN ACCESS EXCLUSIVE MODE");
        const started = Date.now();
        const res = await app.request("/v1/licenses/1");
        expect(res.status).toBe(503);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unavailable");
        expect(Date.now() - started).toBeLessThan(3_000);
        await locker.query("ROLLBACK");
        expect((await app.request("/v1/licenses/1")).status).toBe(200);
      } finally {
        await locker.end();
        await short.destroy();
      }
    });

    it("when the connections are killed under it (Postgres restarting), then serves again", async () => {
      const own = createDatabase(h.url, { poolMax: 2, statementTimeoutMs: 2_000 });
      const app = appOn(own, pino({ level: "silent" }));
      expect((await app.request("/v1/licenses/1")).status).toBe(200);
      await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE application_name = 'dimo-console-api' AND pid <> pg_backend_pid()
                AND datname = current_database()`.execute(h.db);
      // The pool drops the dead connections; at most the request that meets one gets a 503.
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await app.request("/v1/licenses/1")).status);
      expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
      expect(statuses.at(-1)).toBe(200);
      await own.destroy();
    });
  });
});
