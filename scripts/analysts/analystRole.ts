import pg from "pg";

// A read-only Postgres login for analysts: USAGE on the views schema and SELECT on its views,
// nothing else. Ponder drops and re-creates the views at every new deployment, so the grant is also
// made a default privilege of the role that creates them; a new deployment stays readable.
// Sessions start read-only with a statement timeout; roles are server-wide, grants per database.

export type AnalystRoleOptions = {
  role: string;
  password: string;
  /** The views schema (default "dimo"). */
  schema?: string;
  /** The role that creates the views (Ponder's database user); default: their owner, else current_user. */
  owner?: string;
  statementTimeout?: string;
  connectionLimit?: number;
};

const { escapeIdentifier: ident, escapeLiteral: literal } = pg;

/** Creates (or updates) the role and its grants in the database `client` is connected to. */
export async function createAnalystRole(
  client: pg.ClientBase,
  opts: AnalystRoleOptions,
): Promise<{ owner: string }> {
  const schema = opts.schema ?? "dimo";
  const role = ident(opts.role);
  const { rows: existing } = await client.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [opts.role]);
  const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT CONNECTION LIMIT ${Math.floor(opts.connectionLimit ?? 10)} PASSWORD ${literal(opts.password)}`;
  await client.query(`${existing.length ? "ALTER" : "CREATE"} ROLE ${role} WITH ${attributes}`);
  await client.query(`ALTER ROLE ${role} SET default_transaction_read_only = on`);
  await client.query(`ALTER ROLE ${role} SET statement_timeout = ${literal(opts.statementTimeout ?? "60s")}`);

  const { rows: db } = await client.query<{ name: string; version: number }>(
    `SELECT current_database() AS name, current_setting('server_version_num')::int AS version`,
  );
  await client.query(`GRANT CONNECT ON DATABASE ${ident(db[0]!.name)} TO ${role}`);
  // Before Postgres 15 everyone may create objects in `public`; the documented hardening.
  if (db[0]!.version < 150_000) await client.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);

  await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
  const { rows: owners } = await client.query<{ owner: string }>(
    `SELECT DISTINCT pg_get_userbyid(c.relowner) AS owner FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('v', 'r', 'm')`,
    [schema],
  );
  const { rows: me } = await client.query<{ u: string }>(`SELECT current_user AS u`);
  const owner = opts.owner ?? owners[0]?.owner ?? me[0]!.u;
  await client.query(`GRANT USAGE ON SCHEMA ${ident(schema)} TO ${role}`);
  await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${ident(schema)} TO ${role}`);
  await client.query(
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(owner)} IN SCHEMA ${ident(schema)} GRANT SELECT ON TABLES TO ${role}`,
  );
  return { owner };
}

/** Removes the role's grants in this database and, when it has none elsewhere, the role itself. */
export async function dropAnalystRole(client: pg.ClientBase, role: string): Promise<void> {
  const { rows } = await client.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [role]);
  if (!rows.length) return;
  await client.query(`DROP OWNED BY ${ident(role)}`); // its grants and default privileges here
  await client.query(`DROP ROLE ${ident(role)}`);
}
