import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../../api/db/database";
import { SECRET_FILE } from "../../api/lib/secret";
import { startApi } from "../../api/server";
import { loadConfig } from "../../config/env";
import { createIndexedSchema, indexedFixture } from "../../scripts/fixtures/indexedFixture";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { addr } from "./harness";

let database: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  database = await createTestDatabase("server");
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "api-data-"));
  const db = createDatabase(database.url, { poolMax: 1, statementTimeoutMs: 5_000 });
  await createIndexedSchema(db);
  await indexedFixture(db).license({ tokenId: 1, clientId: addr("c"), owner: addr("o") });
  await db.destroy();
});
afterAll(async () => {
  await database.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const start = () =>
  startApi({
    config: loadConfig({ DATA_DIR: dataDir, DB_STATEMENT_TIMEOUT_MS: "5000" }),
    databaseUrl: database.url,
    rpcUrl: "http://127.0.0.1:9",
    port: 0,
    logger: pino({ level: "silent" }),
    chain: { headBlock: async () => 1n },
  });

describe("startApi", () => {
  it("migrates the console schema, serves on 127.0.0.1 and keeps a private secret in DATA_DIR", async () => {
    const api = await start();
    try {
      expect(api.url).toBe(`http://127.0.0.1:${api.port}`);
      const res = await fetch(`${api.url}/v1/licenses/1`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { tokenId: number }).tokenId).toBe(1);
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query(
        "SELECT 1 FROM information_schema.schemata WHERE schema_name = 'console'",
      );
      await client.end();
      expect(rows).toHaveLength(1);
      expect(fs.statSync(path.join(dataDir, SECRET_FILE)).mode & 0o777).toBe(0o600);
    } finally {
      await api.stop();
    }
  });

  it("signs cursors alike across restarts and replicas (the shared secret file)", async () => {
    let a = await start();
    const b = await start();
    try {
      const db = createDatabase(database.url, { poolMax: 1, statementTimeoutMs: 5_000 });
      await indexedFixture(db).license({ tokenId: 2, clientId: addr("c2"), owner: addr("o") });
      await db.destroy();
      type Page = { items: { tokenId: number }[]; nextCursor: string | null };
      const page = async (api: { url: string }, query: string) => {
        const res = await fetch(`${api.url}/v1/licenses?limit=1${query}`);
        return { status: res.status, body: (await res.json()) as Page };
      };
      const first = await page(a, "");
      expect(first.body.items.map((l) => l.tokenId)).toEqual([2]);
      const cursor = `&cursor=${first.body.nextCursor}`;
      // The replica that did not sign the cursor continues the list where it stopped.
      const onB = await page(b, cursor);
      expect(onB).toEqual({
        status: 200,
        body: { items: [expect.objectContaining({ tokenId: 1 })], nextCursor: null },
      });
      expect(onB).toEqual(await page(a, cursor));
      // So does the signer after a restart: the secret comes back from DATA_DIR.
      await a.stop();
      a = await start();
      expect(await page(a, cursor)).toEqual(onB);
      // It is checked, not just decoded: a tampered one is refused.
      const c = first.body.nextCursor!;
      const forged = `${c.slice(0, 5)}${c[5] === "A" ? "B" : "A"}${c.slice(6)}`;
      expect((await page(b, `&cursor=${forged}`)).status).toBe(400);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("stops gracefully: finishes in-flight requests, then refuses new connections", async () => {
    const api = await start();
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    await locker.query("BEGIN");
    await locker.query("LOCK TABLE dimo.license IN ACCESS EXCLUSIVE MODE");
    const inflight = fetch(`${api.url}/v1/licenses/1`);
    await new Promise((r) => setTimeout(r, 200)); // the request is now waiting on the lock
    const stopped = api.stop();
    await new Promise((r) => setTimeout(r, 200));
    await locker.query("ROLLBACK");
    await locker.end();
    expect((await inflight).status).toBe(200);
    await stopped;
    await expect(fetch(`${api.url}/health`)).rejects.toThrow();
  });

  it("fails to start with a clear error when the database cannot be migrated", async () => {
    const db = createDatabase(database.url, { poolMax: 1, statementTimeoutMs: 5_000 });
    await sql`CREATE ROLE api_readonly LOGIN PASSWORD 'x' NOSUPERUSER`.execute(db).catch(() => {});
    await db.destroy();
    const url = new URL(database.url);
    url.username = "api_readonly";
    url.password = "x";
    url.pathname = "/postgres";
    await expect(
      startApi({
        config: loadConfig({ DATA_DIR: dataDir }),
        databaseUrl: url.toString(),
        rpcUrl: "http://127.0.0.1:9",
        port: 0,
        logger: pino({ level: "silent" }),
      }),
    ).rejects.toThrow(/migration/);
  });
});
