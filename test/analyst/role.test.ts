import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAnalystRole, dropAnalystRole } from "../../scripts/analysts/analystRole";
import { createTestDatabase, type TestDatabase } from "../support/database";

// The analyst role sees the `dimo` views and nothing else, even after the indexer re-creates them
// (a new deployment). The layout mirrors Ponder's: a deployment schema with the tables, `dimo` with
// views over them, plus the API's own `console` schema.

const ROLE = `analyst_${randomBytes(4).toString("hex")}`; // roles are server-wide: unique per run
const PASSWORD = randomBytes(12).toString("hex");

let database: TestDatabase;
let admin: pg.Client;
let analyst: pg.Client;

const asAnalyst = () => {
  const url = new URL(database.url);
  url.username = ROLE;
  url.password = PASSWORD;
  return new pg.Client({ connectionString: url.toString() });
};

beforeAll(async () => {
  database = await createTestDatabase("analyst");
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  for (const statement of [
    "CREATE SCHEMA idx_1",
    "CREATE TABLE idx_1.license (token_id numeric(78) PRIMARY KEY, alias text)",
    "INSERT INTO idx_1.license VALUES (1, 'weather-app'), (2, NULL)",
    "CREATE SCHEMA dimo",
    "CREATE VIEW dimo.license AS SELECT * FROM idx_1.license",
    "CREATE SCHEMA console",
    "CREATE TABLE console.account (id int PRIMARY KEY, email text)",
    "INSERT INTO console.account VALUES (1, 'someone@example.com')",
    "CREATE TABLE public.secret (x int)",
  ]) {
    await admin.query(statement);
  }
  await createAnalystRole(admin, { role: ROLE, password: PASSWORD });
  analyst = asAnalyst();
  await analyst.connect();
});

afterAll(async () => {
  await analyst?.end();
  if (admin) {
    await dropAnalystRole(admin, ROLE);
    await admin.end();
  }
  await database?.drop();
});

const denied = async (sql: string) => {
  await expect(analyst.query(sql), sql).rejects.toThrow(
    /permission denied|read-only transaction|must be owner/,
  );
};

describe("analyst role", () => {
  it("reads the views of the dimo schema", async () => {
    const { rows } = await analyst.query("SELECT token_id, alias FROM dimo.license ORDER BY token_id");
    expect(rows).toEqual([
      { token_id: "1", alias: "weather-app" },
      { token_id: "2", alias: null },
    ]);
  });

  it("cannot read any other schema: the indexer's own tables, the console, public", async () => {
    await denied("SELECT * FROM idx_1.license");
    await denied("SELECT * FROM console.account");
    await denied("SELECT * FROM public.secret");
  });

  it("cannot write, even after turning its read-only default off", async () => {
    await denied("INSERT INTO dimo.license VALUES (3, 'x')");
    await analyst.query("SET default_transaction_read_only = off");
    try {
      await denied("INSERT INTO dimo.license VALUES (3, 'x')");
      await denied("UPDATE dimo.license SET alias = 'x'");
      await denied("DELETE FROM dimo.license");
      await denied("TRUNCATE idx_1.license");
    } finally {
      await analyst.query("SET default_transaction_read_only = on");
    }
  });

  it("cannot create objects in any schema, nor schemas", async () => {
    await denied("CREATE TABLE dimo.mine (x int)");
    await denied("CREATE VIEW dimo.mine AS SELECT 1");
    await denied("CREATE TABLE public.mine (x int)");
    await denied("CREATE SCHEMA mine");
    await denied("CREATE TEMP TABLE mine (x int)"); // read-only session
    await analyst.query("SET default_transaction_read_only = off");
    try {
      await denied("CREATE TABLE public.mine (x int)");
      await denied("CREATE SCHEMA mine");
    } finally {
      await analyst.query("SET default_transaction_read_only = on");
    }
  });

  it("still reads the views after the indexer re-creates them for a new deployment", async () => {
    await admin.query("CREATE SCHEMA idx_2");
    await admin.query("CREATE TABLE idx_2.license AS SELECT * FROM idx_1.license WHERE token_id = 1");
    await admin.query("DROP VIEW dimo.license");
    await admin.query("CREATE VIEW dimo.license AS SELECT * FROM idx_2.license");
    const { rows } = await analyst.query("SELECT token_id FROM dimo.license");
    expect(rows).toEqual([{ token_id: "1" }]);
    await denied("SELECT * FROM idx_2.license");
  });

  it("runs again without error (password change, same grants)", async () => {
    await createAnalystRole(admin, { role: ROLE, password: PASSWORD });
    const again = asAnalyst();
    await again.connect();
    expect((await again.query("SELECT count(*)::int AS n FROM dimo.license")).rows).toEqual([{ n: 1 }]);
    await again.end();
  });
});
