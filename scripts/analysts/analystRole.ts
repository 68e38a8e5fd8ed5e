import pg from "pg";
import { scramVerifier } from "../runtime/scram";

// A read-only Postgres login for analysts: CONNECT to this database, USAGE on the views schema and
// SELECT on its views, nothing else — no TEMPORARY, no CREATE anywhere, no role memberships.
// Ponder drops and re-creates the views at every new deployment, so the grant is also made a
// default privilege of the role that creates them; a new deployment stays readable.
//
// What a role can enforce (docs/analysts.md): CONNECTION LIMIT, and temp_file_limit when a
// superuser sets it (a superuser-only setting the analyst cannot change). statement_timeout,
// idle_in_transaction_session_timeout and read-only sessions are defaults the analyst may SET
// differently; the grants, not the read-only default, are what stop writes. Row limits are not
// a role's to enforce at all.

export type AnalystRoleOptions = {
  role: string;
  password: string;
  /** The views schema (default "dimo"). */
  schema?: string;
  /** The role that creates the views (Ponder's database user); default: their owner, else the schema's. */
  owner?: string;
  statementTimeout?: string;
  idleInTransactionTimeout?: string;
  /** Largest temporary-file use per session (sorts, hashes spilling to disk); needs a superuser. */
  tempFileLimit?: string;
  connectionLimit?: number;
};

export type AnalystRoleResult = {
  owner: string;
  /** Left as it was, and why (e.g. temp_file_limit without a superuser). */
  notes: string[];
};

const { escapeIdentifier: ident, escapeLiteral: literal } = pg;

/** Creates (or updates) the role and its grants in the database `client` is connected to. */
export async function createAnalystRole(
  client: pg.ClientBase,
  opts: AnalystRoleOptions,
): Promise<AnalystRoleResult> {
  const schema = opts.schema ?? "dimo";
  const role = ident(opts.role);
  const notes: string[] = [];
  const { rows: existing } = await client.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [opts.role]);
  // A SCRAM verifier, so the password never reaches the server (or a statement log) in clear.
  const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT CONNECTION LIMIT ${Math.floor(opts.connectionLimit ?? 10)} PASSWORD ${literal(scramVerifier(opts.password))}`;
  await client.query(`${existing.length ? "ALTER" : "CREATE"} ROLE ${role} WITH ${attributes}`);
  const { rows: memberships } = await client.query<{ granted: string }>(
    `SELECT g.rolname AS granted FROM pg_auth_members m
       JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1`,
    [opts.role],
  );
  for (const { granted } of memberships) await client.query(`REVOKE ${ident(granted)} FROM ${role}`);

  await client.query(`ALTER ROLE ${role} SET default_transaction_read_only = on`);
  await client.query(`ALTER ROLE ${role} SET statement_timeout = ${literal(opts.statementTimeout ?? "60s")}`);
  await client.query(
    `ALTER ROLE ${role} SET idle_in_transaction_session_timeout = ${literal(opts.idleInTransactionTimeout ?? "60s")}`,
  );
  const { rows: me } = await client.query<{ u: string; superuser: boolean }>(
    `SELECT current_user AS u, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`,
  );
  if (me[0]!.superuser) {
    await client.query(`ALTER ROLE ${role} SET temp_file_limit = ${literal(opts.tempFileLimit ?? "1GB")}`);
  } else {
    notes.push("temp_file_limit not set: only a superuser can set it for a role");
  }

  const { rows: db } = await client.query<{ name: string }>(`SELECT current_database() AS name`);
  const database = ident(db[0]!.name);

  await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
  const { rows: owners } = await client.query<{ owner: string }>(
    `SELECT DISTINCT pg_get_userbyid(c.relowner) AS owner FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('v', 'r', 'm')`,
    [schema],
  );
  // No views yet: whoever owns the schema (the indexer's role under npm start) will make them.
  const { rows: schemaOwner } = await client.query<{ owner: string }>(
    `SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = $1`,
    [schema],
  );
  const owner = opts.owner ?? owners[0]?.owner ?? schemaOwner[0]?.owner ?? me[0]!.u;

  await client.query(`GRANT CONNECT ON DATABASE ${database} TO ${role}`);
  await client.query(`REVOKE CREATE, TEMPORARY ON DATABASE ${database} FROM ${role}`);
  // Every role may make temporary tables by default (a grant to PUBLIC). Ponder needs that right,
  // so its role gets it by name before PUBLIC loses it; then the analyst has none.
  await client.query(`GRANT TEMPORARY ON DATABASE ${database} TO ${ident(owner)}`);
  await client.query(`REVOKE TEMPORARY ON DATABASE ${database} FROM PUBLIC`);
  // Before Postgres 15 everyone may create objects in `public`; a no-op (with a notice) on 15+.
  const { rowCount: hasPublic } = await client.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'public'`);
  if (hasPublic) await client.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);

  await client.query(`GRANT USAGE ON SCHEMA ${ident(schema)} TO ${role}`);
  await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${ident(schema)} TO ${role}`);
  await client.query(
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(owner)} IN SCHEMA ${ident(schema)} GRANT SELECT ON TABLES TO ${role}`,
  );

  const escalations = await analystEscalations(client, opts.role);
  if (escalations.length) {
    throw new Error(
      `role ${opts.role} can still ${escalations.join("; ")} — revoke that from PUBLIC (as the owner or a superuser) and run again`,
    );
  }
  notes.push(...(await otherDatabases(client, opts.role)));
  return { owner, notes };
}

/** What the role could do beyond reading: each one a way to use the server for more than queries. */
export async function analystEscalations(client: pg.ClientBase, role: string): Promise<string[]> {
  const { rows } = await client.query<{ what: string }>(
    `SELECT 'make temporary tables in this database' AS what
      WHERE has_database_privilege($1, current_database(), 'TEMPORARY')
     UNION ALL SELECT 'create schemas in this database' WHERE has_database_privilege($1, current_database(), 'CREATE')
     UNION ALL SELECT format('create objects in schema %I', nspname) FROM pg_namespace
      WHERE has_schema_privilege($1, oid, 'CREATE')
     UNION ALL SELECT format('act as role %I', g.rolname) FROM pg_auth_members m
       JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1`,
    [role],
  );
  return rows.map((r) => r.what);
}

/** Other databases on the server the role may enter and make temporary tables in (not ours to fix). */
async function otherDatabases(client: pg.ClientBase, role: string): Promise<string[]> {
  const { rows } = await client.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datallowconn AND datname <> current_database()
        AND has_database_privilege($1, datname, 'CONNECT') AND has_database_privilege($1, datname, 'TEMPORARY')
      ORDER BY datname`,
    [role],
  );
  return rows.map(
    (r) =>
      `it may connect to database ${r.datname} and make temporary tables there: REVOKE CONNECT, TEMPORARY ON DATABASE ${ident(r.datname)} FROM PUBLIC`,
  );
}

/** Removes the role's grants in this database and, when it has none elsewhere, the role itself. */
export async function dropAnalystRole(client: pg.ClientBase, role: string): Promise<void> {
  const { rows } = await client.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [role]);
  if (!rows.length) return;
  await client.query(`DROP OWNED BY ${ident(role)}`); // its grants and default privileges here
  await client.query(`DROP ROLE ${ident(role)}`);
}
