import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { SECRET_FILE } from "../api/lib/secret";
import { WALLET_KEY_FILE } from "../api/lib/walletKey";
import { embeddedAppRoles, type RoleLogin } from "../scripts/runtime/databaseRoles";
import { embeddedUrl, passwordFileOf, startEmbeddedPostgres } from "../scripts/runtime/embeddedPostgres";
import { ROOT } from "../scripts/runtime/paths";
import { freePort } from "../scripts/runtime/ports";

// `npm start` with no configuration but ports and a data folder: embedded Postgres, devnet with the
// demo history, indexer, API and web app — ready, serving the demo, stopping cleanly on SIGINT, and resuming
// from the same data folder on a second start. In between, the attacks a local user (or a hole in
// one part) would try on its database, each refused; the second start runs on the data folder
// turned back into what earlier versions left (postgres/postgres, everything the superuser's).

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "dimo-start-"));
fs.chmodSync(dataDir, 0o755);
const pgDir = path.join(dataDir, "postgres");
const children: ChildProcess[] = [];
const scratch: string[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  for (const dir of [dataDir, ...scratch]) fs.rmSync(dir, { recursive: true, force: true });
});

function spawnTsx(script: string, args: string[], env: Record<string, string>) {
  const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), [script, ...args], {
    cwd: ROOT,
    env: {
      PATH: `${path.join(ROOT, "node_modules/.bin")}:${process.env.PATH}`,
      HOME: process.env.HOME,
      ...env,
    } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, output: () => output, exited };
}

async function start(env: Record<string, string>) {
  const run = spawnTsx("scripts/start.ts", [], env);
  const began = Date.now();
  while (!/\] ready: indexed through block (\d+)/.test(run.output())) {
    if (run.child.exitCode !== null)
      throw new Error(`npm start exited (${run.child.exitCode}):\n${run.output()}`);
    if (Date.now() - began > 120_000) throw new Error(`npm start not ready in 120 s:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    readyMs: Date.now() - began,
    output: run.output,
    stop: async () => {
      run.child.kill("SIGINT");
      return run.exited;
    },
  };
}

/** The embedded server's port, from the line npm start prints. */
const portOf = (output: string) => Number(/postgres: embedded at 127\.0\.0\.1:(\d+)/.exec(output)![1]);

const login = async (port: number, user: { user: string; password: string }, database = "dimo") => {
  const client = new pg.Client({ connectionString: embeddedUrl(port, user, database) });
  await client.connect();
  return client;
};
const as = (role: RoleLogin) => ({ user: role.role, password: role.password });
const superuser = () => ({
  user: "postgres",
  password: fs.readFileSync(passwordFileOf(pgDir), "utf8").trim(),
});

const refused = async (client: pg.Client, sql: string) =>
  expect(client.query(sql), sql).rejects.toThrow(/permission denied|must be superuser/);

/** The logins the running API and indexer hold to `dimo` (never the superuser). */
async function appLogins(port: number): Promise<string[]> {
  const admin = await login(port, superuser());
  try {
    const { rows } = await admin.query<{ usename: string }>(
      `SELECT DISTINCT usename FROM pg_stat_activity
        WHERE datname = 'dimo' AND backend_type = 'client backend' AND pid <> pg_backend_pid() ORDER BY usename`,
    );
    return rows.map((r) => r.usename);
  } finally {
    await admin.end();
  }
}

/**
 * Makes the data folder what an earlier version left: roles gone (everything the superuser's
 * again), PUBLIC's default rights back, the superuser's password `postgres`, no password file.
 */
async function turnIntoLegacyDataFolder(): Promise<string> {
  const server = await startEmbeddedPostgres({ dir: pgDir });
  try {
    const db = await login(server.port, superuser());
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO console.accounts (email, created_at) VALUES ('before-the-roles@example.com', now()) RETURNING id`,
    );
    for (const statement of [
      `REASSIGN OWNED BY dimo_api, dimo_indexer TO postgres`,
      `DROP OWNED BY dimo_api, dimo_indexer`,
      `DROP ROLE dimo_api`,
      `DROP ROLE dimo_indexer`,
      `GRANT CONNECT, TEMPORARY ON DATABASE dimo, postgres, template1 TO PUBLIC`,
      `ALTER ROLE postgres PASSWORD 'postgres'`,
    ]) {
      await db.query(statement);
    }
    await db.end();
    return rows[0]!.id;
  } finally {
    await server.stop();
    fs.rmSync(passwordFileOf(pgDir));
  }
}

describe("npm start on the embedded defaults", () => {
  it("refuses an api-secret other users can read, naming the chmod to run, before starting anything", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dimo-start-secret-"));
    scratch.push(dir);
    const file = path.join(dir, SECRET_FILE);
    fs.writeFileSync(file, `${"a".repeat(64)}\n`);
    fs.chmodSync(file, 0o644);
    const run = spawnTsx("scripts/start.ts", [], { DATA_DIR: dir, PORT: String(await freePort()) });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(`${file}: mode 0644 lets other users read it; run \`chmod 600 ${file}\``);
    expect(fs.existsSync(path.join(dir, "postgres"))).toBe(false);
    expect(run.output()).not.toContain("a".repeat(64));
  });

  it("runs, serves the demo history, is closed to everyone but its own roles, stops cleanly, and resumes from a data folder of an earlier version", async () => {
    const env = {
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      INDEXER_PORT: String(await freePort()),
      DEVNET_PORT: String(await freePort()),
      LOG_LEVEL: "warn",
    };
    const api = `http://127.0.0.1:${env.PORT}`;
    const indexerPort = Number(env.INDEXER_PORT);

    const first = await start(env);
    expect(first.output()).toContain("devnet: deploying the DIMO test contracts");
    const licenses = (await (await fetch(`${api}/v1/licenses?status=all`)).json()) as {
      items: { alias: string | null; status: string }[];
    };
    expect(licenses.items.map((l) => [l.alias, l.status])).toEqual([
      [null, "revoked"],
      ["legacy-demo", "active"],
      ["fleet-dash", "active"],
      ["weather-app", "active"],
    ]);
    expect((await fetch(`${api}/ready`)).status).toBe(200);

    // --- the database: a random superuser password, and the app on its own roles.
    const port = portOf(first.output());
    const { password } = superuser();
    expect(fs.statSync(passwordFileOf(pgDir)).mode & 0o777).toBe(0o600);
    expect(first.output()).not.toContain(password);
    await expect(login(port, { user: "postgres", password: "postgres" })).rejects.toThrow(
      /password authentication failed for user "postgres"/,
    );
    expect(await appLogins(port)).toEqual(["dimo_api", "dimo_indexer"]);

    const roles = embeddedAppRoles(password);
    for (const secret of [roles.api.password, roles.indexer.password])
      expect(first.output()).not.toContain(secret);
    const asApi = await login(port, as(roles.api));
    const asIndexer = await login(port, as(roles.indexer));
    try {
      // What a hole in the API could try: the wallet key, a program, a role, Ponder's cache.
      await refused(asApi, `SELECT pg_read_file('${path.join(dataDir, WALLET_KEY_FILE)}')`);
      await refused(asApi, `COPY (SELECT 1) TO PROGRAM 'id'`);
      await refused(asApi, `CREATE ROLE intruder SUPERUSER LOGIN PASSWORD 'x'`);
      await refused(asApi, `SELECT count(*) FROM ponder_sync.blocks`);
      // What Ponder's login (and so SQL over HTTP, whatever its allow-list lets through) could try.
      await refused(asIndexer, `SELECT * FROM console.sessions`);
      await refused(asIndexer, `COPY (SELECT 1) TO PROGRAM 'id'`);
    } finally {
      await asApi.end();
      await asIndexer.end();
    }
    const sql = await fetch(
      `http://127.0.0.1:${indexerPort}/sql/db?${new URLSearchParams({
        sql: JSON.stringify({ json: { sql: "SELECT * FROM console.sessions", params: [], method: "all" } }),
      })}`,
    );
    expect(sql.status).not.toBe(200);
    // The indexer's HTTP port answers on 127.0.0.1 only (a wildcard bind would also answer here).
    expect((await fetch(`http://127.0.0.1:${indexerPort}/health`)).status).toBe(200);
    await expect(fetch(`http://127.0.0.2:${indexerPort}/health`)).rejects.toThrow();

    // --- an analyst login made with the CLI reads the views and can do nothing else.
    const analyst = { role: "dimo_analyst", password: "analyst-password-123" };
    const cli = spawnTsx("scripts/analystRole.ts", ["--password", analyst.password], { DATA_DIR: dataDir });
    expect(await cli.exited, cli.output()).toBe(0);
    expect(cli.output()).toContain("no temporary tables, no CREATE");
    const asAnalyst = await login(port, as(analyst));
    try {
      const { rows } = await asAnalyst.query(`SELECT count(*)::int AS n FROM dimo.license`);
      expect(rows[0].n).toBe(licenses.items.length);
      await asAnalyst.query("SET default_transaction_read_only = off");
      await refused(asAnalyst, `CREATE TEMP TABLE mine (x int)`);
      await refused(asAnalyst, `CREATE TABLE public.mine (x int)`);
      await refused(asAnalyst, `CREATE TABLE dimo.mine (x int)`);
      await refused(asAnalyst, `SELECT * FROM console.sessions`);
      await refused(asAnalyst, `SELECT pg_read_file('${path.join(dataDir, WALLET_KEY_FILE)}')`);
    } finally {
      await asAnalyst.end();
    }
    // Nor can it go round the grants through the cluster's built-in databases.
    await expect(login(port, as(analyst), "postgres")).rejects.toThrow(/permission denied for database/);

    // The console web app, built on start when missing or stale, answers at `/`.
    const home = await fetch(`${api}/`);
    expect(home.headers.get("content-type")).toContain("text/html");
    expect(await home.text()).toMatch(/<script type="module" crossorigin src="\/assets\/[^"]+\.js">/);
    expect(first.output()).toContain("console    http://localhost:");
    expect(await first.stop()).toBe(0);
    expect(first.output()).toContain("stopped");

    // --- the same data folder as an earlier version left it: moved onto the roles on start.
    const accountId = await turnIntoLegacyDataFolder();
    const second = await start(env);
    expect(second.output()).toContain("devnet: resumed at block");
    expect(second.output()).not.toContain("deploying");
    const again = (await (await fetch(`${api}/v1/licenses?status=all`)).json()) as typeof licenses;
    expect(again).toEqual(licenses);
    const port2 = portOf(second.output());
    await expect(login(port2, { user: "postgres", password: "postgres" })).rejects.toThrow(
      /password authentication failed/,
    );
    expect(fs.statSync(passwordFileOf(pgDir)).mode & 0o777).toBe(0o600);
    expect(superuser().password).not.toBe(password); // a new one, made for the old folder
    expect(await appLogins(port2)).toEqual(["dimo_api", "dimo_indexer"]);
    const kept = await login(port2, as(embeddedAppRoles(superuser().password).api));
    try {
      const { rows } = await kept.query(`SELECT email FROM console.accounts WHERE id = $1`, [accountId]);
      expect(rows).toEqual([{ email: "before-the-roles@example.com" }]);
    } finally {
      await kept.end();
    }
    expect(await second.stop()).toBe(0);
  }, 300_000);
});
