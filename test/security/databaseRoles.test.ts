import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../../api/db/database";
import { migrateToLatest } from "../../api/db/migrate";
import {
  type AppRoles,
  dropAppRoles,
  inspectRole,
  provisionAppRoles,
  withLogin,
} from "../../scripts/runtime/databaseRoles";
import { databaseUrlWarning } from "../../scripts/runtime/databaseUrlCheck";
import { ROOT } from "../../scripts/runtime/paths";
import { freePort } from "../../scripts/runtime/ports";
import { createTestDatabase, type TestDatabase } from "../support/database";

// The API and the indexer log in as roles that own their own schemas and nothing else. Each attack
// below is what a hole in one of them (an injection in the API, a gap in Ponder's SQL-over-HTTP
// allow-list) would try next; the database refuses it. The roles are provisioned exactly as
// `npm start` provisions the embedded database's (scripts/runtime/databaseRoles.ts).

let database: TestDatabase;
let admin: pg.Client;
let api: pg.Client;
let indexer: pg.Client;

const connect = async (url: string) => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
};

/** As Ponder does it, as the indexer's role: its schemas, tables, views, trigger, temp table. */
async function indexLikePonder(c: pg.Client, deployment: string) {
  for (const statement of [
    `CREATE SCHEMA IF NOT EXISTS ponder_sync`,
    `CREATE TABLE IF NOT EXISTS ponder_sync.blocks (chain_id bigint, number bigint, body text)`,
    `INSERT INTO ponder_sync.blocks VALUES (31337, 1, 'raw block')`,
    `CREATE SCHEMA IF NOT EXISTS ${deployment}`,
    `CREATE TABLE ${deployment}.license (token_id numeric(78) PRIMARY KEY, alias text)`,
    `CREATE TABLE ${deployment}._ponder_checkpoint (chain_name text PRIMARY KEY, latest_checkpoint text)`,
    `INSERT INTO ${deployment}.license VALUES (1, 'weather-app')`,
    `CREATE OR REPLACE FUNCTION ${deployment}.live_query_notify() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN PERFORM pg_notify('dimo_live_query', NULL); RETURN NULL; END; $$`,
    `CREATE OR REPLACE TRIGGER live AFTER INSERT OR UPDATE ON ${deployment}._ponder_checkpoint
       FOR EACH STATEMENT EXECUTE PROCEDURE ${deployment}.live_query_notify()`,
    `CREATE SCHEMA IF NOT EXISTS dimo`,
    `DROP VIEW IF EXISTS dimo.license`,
    `CREATE VIEW dimo.license AS SELECT * FROM ${deployment}.license`,
    `BEGIN`,
    `CREATE TEMP TABLE live_query_tables (table_name text PRIMARY KEY) ON COMMIT DROP`,
    `INSERT INTO ${deployment}._ponder_checkpoint VALUES ('local', '1')
       ON CONFLICT (chain_name) DO UPDATE SET latest_checkpoint = EXCLUDED.latest_checkpoint`,
    `COMMIT`,
  ]) {
    await c.query(statement);
  }
}

beforeAll(async () => {
  database = await createTestDatabase("roles", { appRoles: true });
  admin = await connect(database.url);
  indexer = await connect(database.indexerUrl);
  await indexLikePonder(indexer, "idx_one");
  const db = createDatabase(database.apiUrl, { poolMax: 1, statementTimeoutMs: 5_000 });
  try {
    await migrateToLatest(db); // as the API's role, like startApi
  } finally {
    await db.destroy();
  }
  api = await connect(database.apiUrl);
  await api.query(
    `INSERT INTO console.accounts (email, created_at) VALUES ('someone@example.com', now());
     INSERT INTO console.sessions (account_id, token_hash, created_at, last_seen_at, expires_at)
       SELECT id, 'hash-of-a-session-token', now(), now(), now() + interval '1 day' FROM console.accounts`,
  );
});

afterAll(async () => {
  for (const c of [api, indexer, admin]) await c?.end();
  await database?.drop();
});

const refused = async (
  client: pg.Client,
  sql: string,
  why: RegExp = /permission denied|must be superuser/,
) => {
  await expect(client.query(sql), sql).rejects.toThrow(why);
};

describe("the API's role", () => {
  it("is an ordinary login: no superuser, no role making, no server files or programs", async () => {
    expect(await inspectRole(api)).toEqual({
      role: database.roles!.api.role,
      superuser: false,
      escalations: [],
      readsConsole: true,
    });
  });

  it("runs its migrations and reads and writes its console tables and the dimo views", async () => {
    const { rows } = await api.query(`SELECT alias FROM dimo.license`);
    expect(rows).toEqual([{ alias: "weather-app" }]);
    const { rows: sessions } = await api.query(`SELECT count(*)::int AS n FROM console.sessions`);
    expect(sessions).toEqual([{ n: 1 }]);
    await api.query(`LISTEN dimo_live_query`); // the follower's wake-up call
  });

  it("cannot read server files, run programs, or load files as large objects", async () => {
    await refused(api, `SELECT pg_read_file('/etc/passwd')`);
    await refused(api, `SELECT pg_read_binary_file('postmaster.pid')`);
    await refused(api, `SELECT pg_ls_dir('.')`);
    await refused(api, `COPY (SELECT 1) TO PROGRAM 'id'`);
    await refused(api, `COPY console.accounts FROM '/etc/passwd'`);
    await refused(api, `COPY (SELECT 1) TO '/tmp/dimo-roles-test'`);
    await refused(api, `SELECT lo_import('/etc/passwd')`);
  });

  it("cannot make roles, raise itself, or become another role", async () => {
    await refused(api, `CREATE ROLE intruder LOGIN SUPERUSER PASSWORD 'x'`);
    await refused(api, `ALTER ROLE CURRENT_USER SUPERUSER`);
    await refused(api, `ALTER ROLE CURRENT_USER CREATEROLE`);
    await refused(api, `SET ROLE ${database.roles!.indexer.role}`);
    await refused(api, `SET SESSION AUTHORIZATION postgres`);
  });

  it("cannot read what is the indexer's (the raw chain cache, the deployment tables)", async () => {
    await refused(api, `SELECT * FROM ponder_sync.blocks`);
    await refused(api, `SELECT * FROM idx_one.license`);
    await refused(api, `DROP VIEW dimo.license`, /must be owner/);
  });

  it("cannot create schemas, temporary tables, or objects outside its own schema", async () => {
    await refused(api, `CREATE SCHEMA elsewhere`);
    await refused(api, `CREATE TEMP TABLE t (x int)`);
    await refused(api, `CREATE TABLE public.t (x int)`);
    await refused(api, `CREATE TABLE dimo.t (x int)`);
  });
});

describe("the indexer's role", () => {
  it("is an ordinary login that cannot read the console", async () => {
    expect(await inspectRole(indexer)).toEqual({
      role: database.roles!.indexer.role,
      superuser: false,
      escalations: [],
      readsConsole: false,
    });
  });

  it("cannot read sessions, accounts or sealed wallet keys, nor change them", async () => {
    await refused(indexer, `SELECT * FROM console.sessions`);
    await refused(indexer, `SELECT * FROM console.wallets`);
    await refused(indexer, `INSERT INTO console.sessions (account_id) VALUES (gen_random_uuid())`);
    await refused(indexer, `DROP SCHEMA console CASCADE`, /must be owner/);
  });

  it("cannot read server files, run programs, or make roles", async () => {
    await refused(indexer, `SELECT pg_read_file('/etc/passwd')`);
    await refused(indexer, `COPY (SELECT 1) TO PROGRAM 'id'`);
    await refused(indexer, `CREATE ROLE intruder LOGIN PASSWORD 'x'`);
    await refused(indexer, `SET ROLE ${database.roles!.api.role}`);
  });

  it("can rebuild its deployment and the views stay readable by the API (default privileges)", async () => {
    await indexLikePonder(indexer, "idx_two");
    await indexer.query(`DROP SCHEMA idx_one CASCADE`);
    expect((await api.query(`SELECT alias FROM dimo.license`)).rows).toEqual([{ alias: "weather-app" }]);
  });
});

describe("PUBLIC and other roles", () => {
  it("a login with no grants cannot even connect to the database", async () => {
    const role = `nobody_${randomBytes(4).toString("hex")}`;
    const password = randomBytes(12).toString("hex");
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    try {
      const url = withLogin(database.url, { role, password });
      await expect(connect(url)).rejects.toThrow(/permission denied for database/);
    } finally {
      await admin.query(`DROP ROLE ${role}`);
    }
  });
});

describe("a database made before the app roles", () => {
  it("is handed to them: console objects to the API, indexer schemas (tables, sequences, functions, types) to the indexer", async () => {
    const legacy = await createTestDatabase("legacy_roles");
    const suffix = randomBytes(3).toString("hex");
    const roles: AppRoles = {
      api: { role: `${legacy.name}_api`, password: randomBytes(16).toString("hex") },
      indexer: { role: `${legacy.name}_indexer`, password: randomBytes(16).toString("hex") },
    };
    const old = await connect(legacy.url);
    try {
      // As the superuser, the way every earlier version ran.
      const db = createDatabase(legacy.url, { poolMax: 1, statementTimeoutMs: 5_000 });
      await migrateToLatest(db);
      await db.destroy();
      for (const statement of [
        `INSERT INTO console.accounts (email, created_at) VALUES ('kept-${suffix}@example.com', now())`,
        `CREATE SCHEMA ponder_sync`,
        `CREATE TABLE ponder_sync.blocks (id serial PRIMARY KEY, n bigint GENERATED ALWAYS AS IDENTITY)`,
        `CREATE SCHEMA dimo_runtime`,
        `CREATE TABLE dimo_runtime.chain (chain_id bigint PRIMARY KEY, genesis_hash text)`,
        `CREATE SCHEMA idx_old`,
        `CREATE TYPE idx_old.kind AS ENUM ('a', 'b')`,
        `CREATE SEQUENCE idx_old.loose`,
        `CREATE TABLE idx_old.license (token_id numeric(78) PRIMARY KEY, alias text, k idx_old.kind)`,
        `CREATE TABLE idx_old._reorg__license (operation_id serial PRIMARY KEY, token_id numeric(78))`,
        `CREATE FUNCTION idx_old.reorg() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN INSERT INTO idx_old._reorg__license (token_id) VALUES (NEW.token_id); RETURN NULL; END; $$`,
        `CREATE TRIGGER reorg AFTER INSERT ON idx_old.license FOR EACH ROW EXECUTE PROCEDURE idx_old.reorg()`,
        `INSERT INTO idx_old.license VALUES (1, 'legacy-app', 'a')`,
        `CREATE SCHEMA dimo`,
        `CREATE VIEW dimo.license AS SELECT token_id, alias FROM idx_old.license`,
      ]) {
        await old.query(statement);
      }

      await provisionAppRoles(old, roles);
      await provisionAppRoles(old, roles); // a second start finds nothing left to move

      const { rows: strays } = await old.query(
        `SELECT n.nspname, c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname IN ('console', 'ponder_sync', 'dimo_runtime', 'idx_old', 'dimo')
            AND pg_get_userbyid(c.relowner) NOT IN ($1, $2)`,
        [roles.api.role, roles.indexer.role],
      );
      expect(strays).toEqual([]);

      const asApi = await connect(withLogin(legacy.url, roles.api));
      const asIndexer = await connect(withLogin(legacy.url, roles.indexer));
      try {
        const dbAsApi = createDatabase(withLogin(legacy.url, roles.api), {
          poolMax: 1,
          statementTimeoutMs: 5_000,
        });
        expect(await migrateToLatest(dbAsApi)).toEqual([]); // its migration table is its own now
        await dbAsApi.destroy();
        expect((await asApi.query(`SELECT email FROM console.accounts`)).rows).toEqual([
          { email: `kept-${suffix}@example.com` },
        ]);
        await asApi.query(`DELETE FROM console.accounts`);
        expect((await asApi.query(`SELECT alias FROM dimo.license`)).rows).toEqual([{ alias: "legacy-app" }]);
        await refused(asApi, `SELECT * FROM idx_old.license`);

        // Ponder resumes on the old deployment: writes (through the trigger and both sequences).
        await asIndexer.query(`INSERT INTO idx_old.license VALUES (2, 'resumed', 'b')`);
        await asIndexer.query(`INSERT INTO ponder_sync.blocks DEFAULT VALUES`);
        await asIndexer.query(`SELECT nextval('idx_old.loose')`);
        await asIndexer.query(`INSERT INTO dimo_runtime.chain VALUES (31337, '0xabc')`);
        await refused(asIndexer, `SELECT * FROM console.accounts`);
        // The views it re-creates stay readable by the API.
        await asIndexer.query(`DROP VIEW dimo.license`);
        await asIndexer.query(`CREATE VIEW dimo.license AS SELECT token_id, alias FROM idx_old.license`);
        expect((await asApi.query(`SELECT count(*)::int AS n FROM dimo.license`)).rows).toEqual([{ n: 2 }]);
        await asIndexer.query(`DROP SCHEMA idx_old CASCADE`);
      } finally {
        await asApi.end();
        await asIndexer.end();
      }
    } finally {
      await old.end();
      await legacy.drop();
      await dropAppRoles(admin, roles); // roles are server-wide; the database held all their grants
    }
  });
});

describe("a DATABASE_URL login with more power than it needs", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "dimo-dburl-"));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  /** npm start up to its chain check, which fails at once here (nothing listens on the RPC port). */
  async function startOutput(env: Record<string, string>): Promise<string> {
    const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["scripts/start.ts"], {
      cwd: ROOT,
      env: {
        PATH: `${path.join(ROOT, "node_modules/.bin")}:${process.env.PATH}`,
        HOME: process.env.HOME,
        DATA_DIR: dataDir,
        DIMO_NETWORK: "custom",
        RPC_URL: `http://127.0.0.1:${await freePort()}`,
        CHAIN_ID: "31337",
        DEV_LICENSE_ADDRESS: "0x0000000000000000000000000000000000000001",
        VEHICLE_ID_ADDRESS: "0x0000000000000000000000000000000000000002",
        SACD_ADDRESS: "0x0000000000000000000000000000000000000003",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    expect(code, output).toBe(1);
    return output;
  }

  it("npm start warns in one stderr block when it is a superuser on a host that is not named as this machine", async () => {
    // 0.0.0.0 reaches this machine's Postgres, but the URL does not say so: as good as remote.
    const remote = new URL(database.url);
    remote.hostname = "0.0.0.0";
    const output = await startOutput({ DATABASE_URL: remote.toString() });
    expect(output.match(/WARNING: database logins with more power than they need/g)).toHaveLength(1);
    expect(output).toMatch(/DATABASE_URL \(the API\) logs in as \S+, which has SUPERUSER/);
    expect(output).toContain("The indexer logs in as");
    expect(output).not.toContain(new URL(database.url).password || "\u0000");
  });

  it("says nothing for the API's and the indexer's own logins", async () => {
    const output = await startOutput({
      DATABASE_URL: database.apiUrl,
      INDEXER_DATABASE_URL: database.indexerUrl,
    });
    expect(output).toContain("postgres: ");
    expect(output).not.toContain("WARNING");
  });
});

describe("the grants docs/security.md gives for DATABASE_URL", () => {
  it("are enough for the API and Ponder, and give neither more", async () => {
    const page = fs.readFileSync(path.join(ROOT, "docs/security.md"), "utf8");
    const section = page.slice(page.indexOf("### Database roles with DATABASE_URL"));
    const sqlBlock = /```sql\n([\s\S]*?)```/.exec(section)![1]!;
    const db = await createTestDatabase("docs_grants");
    const roles: AppRoles = {
      api: { role: `${db.name}_api`, password: randomBytes(16).toString("hex") },
      indexer: { role: `${db.name}_indexer`, password: randomBytes(16).toString("hex") },
    };
    const sql = sqlBlock
      .replaceAll("DATABASE dimo ", `DATABASE "${db.name}" `)
      .replaceAll("dimo_api", roles.api.role)
      .replaceAll("dimo_indexer", roles.indexer.role)
      .replace("'api-password'", `'${roles.api.password}'`)
      .replace("'indexer-password'", `'${roles.indexer.password}'`);
    const setup = await connect(db.url);
    try {
      await setup.query(sql);
      const apiUrl = withLogin(db.url, roles.api);
      const indexerUrl = withLogin(db.url, roles.indexer);
      const asIndexer = await connect(indexerUrl);
      const asApi = await connect(apiUrl);
      try {
        await indexLikePonder(asIndexer, "idx_docs");
        const kysely = createDatabase(apiUrl, { poolMax: 1, statementTimeoutMs: 5_000 });
        expect((await migrateToLatest(kysely)).length).toBeGreaterThan(0);
        await kysely.destroy();
        expect((await asApi.query(`SELECT alias FROM dimo.license`)).rows).toEqual([
          { alias: "weather-app" },
        ]);
        expect((await inspectRole(asApi)).escalations).toEqual([]);
        expect(await inspectRole(asIndexer)).toMatchObject({ escalations: [], readsConsole: false });
        await refused(asIndexer, `SELECT * FROM console.kysely_migration`);
        await refused(asApi, `SELECT * FROM ponder_sync.blocks`);
        await refused(asApi, `CREATE SCHEMA elsewhere`);
        expect(await databaseUrlWarning({ api: apiUrl, indexer: indexerUrl })).toBeNull();
      } finally {
        await asApi.end();
        await asIndexer.end();
      }
    } finally {
      await setup.end();
      await db.drop();
      await dropAppRoles(admin, roles);
    }
  });
});
