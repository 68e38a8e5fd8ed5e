import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analystEscalations, createAnalystRole, dropAnalystRole } from "../../scripts/analysts/analystRole";
import { withLogin } from "../../scripts/runtime/databaseRoles";
import { createTestDatabase, type TestDatabase } from "../support/database";

// The analyst role sees the `dimo` views and nothing else, even after the indexer re-creates them
// (a new deployment), and cannot use the server for more than reading them: no temporary tables,
// no CREATE anywhere, at most its connection limit. The layout mirrors npm start's: the indexer's
// role owns a deployment schema and the `dimo` views over it, the API's role owns `console`.

const ROLE = `analyst_${randomBytes(4).toString("hex")}`; // roles are server-wide: unique per run
const PASSWORD = randomBytes(12).toString("hex");
const CONNECTION_LIMIT = 3;

let database: TestDatabase;
let admin: pg.Client;
let indexer: pg.Client;
let analyst: pg.Client;

const connect = async (url: string) => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
};
const asAnalyst = () => connect(withLogin(database.url, { role: ROLE, password: PASSWORD }));

beforeAll(async () => {
  database = await createTestDatabase("analyst", { appRoles: true });
  admin = await connect(database.url);
  indexer = await connect(database.indexerUrl);
  for (const statement of [
    "CREATE SCHEMA idx_1",
    "CREATE TABLE idx_1.license (token_id numeric(78) PRIMARY KEY, alias text)",
    "INSERT INTO idx_1.license VALUES (1, 'weather-app'), (2, NULL)",
    "CREATE VIEW dimo.license AS SELECT * FROM idx_1.license",
  ]) {
    await indexer.query(statement);
  }
  const api = await connect(database.apiUrl);
  await api.query("CREATE TABLE console.account (id int PRIMARY KEY, email text)");
  await api.query("INSERT INTO console.account VALUES (1, 'someone@example.com')");
  await api.end();
  await admin.query("CREATE TABLE public.secret (x int)");
  // As a DATABASE_URL server leaves it: everyone may connect and make temporary tables (PUBLIC's
  // default rights), and Ponder's role relies on that rather than on a grant of its own.
  const db = pg.escapeIdentifier(database.name);
  await admin.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO PUBLIC`);
  await admin.query(
    `REVOKE TEMPORARY ON DATABASE ${db} FROM ${pg.escapeIdentifier(database.roles!.indexer.role)}`,
  );
  const { owner } = await createAnalystRole(admin, {
    role: ROLE,
    password: PASSWORD,
    connectionLimit: CONNECTION_LIMIT,
  });
  expect(owner).toBe(database.roles!.indexer.role);
  analyst = await asAnalyst();
});

afterAll(async () => {
  await analyst?.end();
  await indexer?.end();
  if (admin) {
    await dropAnalystRole(admin, ROLE);
    await admin.end();
  }
  await database?.drop();
});

const denied = async (sql: string, client = analyst) => {
  await expect(client.query(sql), sql).rejects.toThrow(
    /permission denied|read-only transaction|must be owner/,
  );
};

/** Runs `fn` with the session's read-only default turned off, as an analyst may do at will. */
const writable = async (fn: () => Promise<void>) => {
  await analyst.query("SET default_transaction_read_only = off");
  try {
    await fn();
  } finally {
    await analyst.query("SET default_transaction_read_only = on");
  }
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
    await writable(async () => {
      await denied("INSERT INTO dimo.license VALUES (3, 'x')");
      await denied("UPDATE dimo.license SET alias = 'x'");
      await denied("DELETE FROM dimo.license");
      await denied("TRUNCATE idx_1.license");
    });
  });

  it("cannot make temporary tables, even after turning its read-only default off", async () => {
    await denied("CREATE TEMP TABLE mine (x int)");
    await writable(async () => {
      await expect(analyst.query("CREATE TEMP TABLE mine (x int)")).rejects.toThrow(
        /permission denied to create temporary tables/,
      );
      await denied("CREATE TEMPORARY VIEW mine AS SELECT 1");
      await denied("SELECT * INTO TEMP mine FROM dimo.license");
    });
  });

  it("cannot create anything in any schema of the database, nor schemas", async () => {
    const { rows } = await admin.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' ORDER BY nspname`,
    );
    expect(rows.map((r) => r.nspname)).toEqual(
      expect.arrayContaining(["console", "dimo", "idx_1", "information_schema", "public"]),
    );
    await writable(async () => {
      for (const { nspname } of rows) {
        await denied(`CREATE TABLE ${pg.escapeIdentifier(nspname)}.mine (x int)`);
        await denied(`CREATE VIEW ${pg.escapeIdentifier(nspname)}.mine AS SELECT 1`);
        await denied(
          `CREATE FUNCTION ${pg.escapeIdentifier(nspname)}.mine() RETURNS int LANGUAGE sql AS 'SELECT 1'`,
        );
      }
      await denied("CREATE SCHEMA mine");
    });
    expect(await analystEscalations(admin, ROLE)).toEqual([]);
  });

  it("cannot read server files or run programs", async () => {
    await denied("SELECT pg_read_file('/etc/passwd')");
    await denied("COPY (SELECT 1) TO PROGRAM 'id'");
    await denied("SELECT lo_import('/etc/passwd')");
    await denied("CREATE ROLE intruder LOGIN");
  });

  it("holds at most its connection limit", async () => {
    const extra: pg.Client[] = [];
    try {
      while (extra.length < CONNECTION_LIMIT - 1) extra.push(await asAnalyst());
      await expect(asAnalyst()).rejects.toThrow(/too many connections for role/);
    } finally {
      for (const c of extra) await c.end();
    }
  });

  it("keeps the temp_file_limit a superuser set; statement_timeout is only its default", async () => {
    expect((await analyst.query("SHOW temp_file_limit")).rows).toEqual([{ temp_file_limit: "1GB" }]);
    await expect(analyst.query("SET temp_file_limit = -1")).rejects.toThrow(
      /permission denied to set parameter/,
    );
    expect((await analyst.query("SHOW statement_timeout")).rows).toEqual([{ statement_timeout: "1min" }]);
    expect((await analyst.query("SHOW idle_in_transaction_session_timeout")).rows).toEqual([
      { idle_in_transaction_session_timeout: "1min" },
    ]);
    // What a role cannot enforce (docs/analysts.md): the analyst may lift its own statement timeout.
    await analyst.query("SET statement_timeout = 0");
    await analyst.query("RESET statement_timeout");
  });

  it("leaves the indexer its temporary tables (Ponder's live queries need them)", async () => {
    await indexer.query("BEGIN");
    await indexer.query("CREATE TEMP TABLE live_query_tables (table_name text PRIMARY KEY) ON COMMIT DROP");
    await indexer.query("COMMIT");
  });

  it("still reads the views after the indexer re-creates them for a new deployment", async () => {
    await indexer.query("CREATE SCHEMA idx_2");
    await indexer.query("CREATE TABLE idx_2.license AS SELECT * FROM idx_1.license WHERE token_id = 1");
    await indexer.query("DROP VIEW dimo.license");
    await indexer.query("CREATE VIEW dimo.license AS SELECT * FROM idx_2.license");
    const { rows } = await analyst.query("SELECT token_id FROM dimo.license");
    expect(rows).toEqual([{ token_id: "1" }]);
    await denied("SELECT * FROM idx_2.license");
  });

  it("runs again without error (password change, same grants)", async () => {
    await createAnalystRole(admin, { role: ROLE, password: PASSWORD, connectionLimit: CONNECTION_LIMIT });
    const again = await asAnalyst();
    expect((await again.query("SELECT count(*)::int AS n FROM dimo.license")).rows).toEqual([{ n: 1 }]);
    await again.end();
  });
});
