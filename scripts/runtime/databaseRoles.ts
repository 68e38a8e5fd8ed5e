import { createHmac } from "node:crypto";
import pg from "pg";
import { MIGRATION_SCHEMA } from "../../api/db/migrate";
import { DEPLOYMENT_SCHEMA_PREFIX, VIEWS_SCHEMA } from "./deploymentSchema";
import { scramVerifier } from "./scram";

// The API and the indexer log in as ordinary roles that own only their own schemas, never as the
// superuser: a hole in either (Ponder's SQL over HTTP, an injection in the API) then reaches only
// what that role owns — no server files, no programs, no other roles, not the other one's data.
//
//   API role      owns `console` (migrations, UNLOGGED rate-limit tables); USAGE on `dimo` and
//                 SELECT on its views (also the ones Ponder re-creates later); LISTENs for commits.
//   indexer role  CREATE on the database (Ponder runs CREATE SCHEMA IF NOT EXISTS, which Postgres
//                 checks even when the schema exists), TEMPORARY (Ponder's live-query table); owns
//                 its deployment schemas, `ponder_sync`, `dimo_runtime` and the views schema.
//   PUBLIC        nothing on the database (no CONNECT, no TEMPORARY), no CREATE in `public`.
//
// docs/security.md gives the same grants as SQL for a DATABASE_URL deployment.

export type RoleLogin = { role: string; password: string };
export type AppRoles = { api: RoleLogin; indexer: RoleLogin };

export const APP_ROLE_NAMES = { api: "dimo_api", indexer: "dimo_indexer" } as const;
/** Ponder's raw chain cache, one per database. */
export const PONDER_SYNC_SCHEMA = "ponder_sync";
/** npm start's own bookkeeping (chain identity), written with the indexer's login. */
export const RUNTIME_SCHEMA = "dimo_runtime";

const ident = pg.escapeIdentifier;

/**
 * The embedded cluster's app logins. Their passwords derive from the superuser's, so one secret
 * file serves every tool; a role password (it sits in the indexer's environment) reveals nothing
 * of the superuser's.
 */
export function embeddedAppRoles(superuserPassword: string): AppRoles {
  const derive = (role: string) =>
    createHmac("sha256", superuserPassword).update(`dimo-app-role:${role}`).digest("hex");
  return {
    api: { role: APP_ROLE_NAMES.api, password: derive(APP_ROLE_NAMES.api) },
    indexer: { role: APP_ROLE_NAMES.indexer, password: derive(APP_ROLE_NAMES.indexer) },
  };
}

/** `url` with another login (same server and database). */
export function withLogin(url: string, login: RoleLogin): string {
  const u = new URL(url);
  u.username = encodeURIComponent(login.role);
  u.password = encodeURIComponent(login.password);
  return u.toString();
}

/**
 * Creates or repairs the API and indexer roles and their grants in the database `admin` (a
 * superuser) is connected to. Idempotent; on a database made before these roles existed it also
 * hands every existing object of their schemas to them (the superuser owned them all).
 */
export async function provisionAppRoles(admin: pg.ClientBase, roles: AppRoles): Promise<void> {
  const { api, indexer } = roles;
  for (const login of [api, indexer]) await ensureLoginRole(admin, login);
  const q = (sql: string) => admin.query(sql);
  const { rows } = await admin.query<{ db: string }>(`SELECT current_database() AS db`);
  const db = ident(rows[0]!.db);
  await q(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC`);
  await q(`GRANT CONNECT ON DATABASE ${db} TO ${ident(api.role)}`);
  await q(`GRANT CONNECT, CREATE, TEMPORARY ON DATABASE ${db} TO ${ident(indexer.role)}`);
  // Postgres 15+ already withholds this; older servers let every role create in `public`.
  const { rowCount: hasPublic } = await admin.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'public'`);
  if (hasPublic) await q(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);

  await ensureSchema(admin, MIGRATION_SCHEMA, api.role);
  await ensureSchema(admin, VIEWS_SCHEMA, indexer.role);
  const { rows: indexerSchemas } = await admin.query<{ nspname: string }>(
    `SELECT nspname FROM pg_namespace WHERE nspname = ANY($1) OR starts_with(nspname, $2)`,
    [[PONDER_SYNC_SCHEMA, RUNTIME_SCHEMA], DEPLOYMENT_SCHEMA_PREFIX],
  );
  for (const { nspname } of indexerSchemas) await ensureSchema(admin, nspname, indexer.role);

  const views = ident(VIEWS_SCHEMA);
  await q(`GRANT USAGE ON SCHEMA ${views} TO ${ident(api.role)}`);
  await q(`GRANT SELECT ON ALL TABLES IN SCHEMA ${views} TO ${ident(api.role)}`);
  // Ponder drops and re-creates the views for each deployment: every role allowed into the views
  // schema (the API, analyst roles made earlier) keeps SELECT on the new ones.
  const { rows: readers } = await admin.query<{ rolname: string }>(
    `SELECT r.rolname FROM pg_namespace n, aclexplode(n.nspacl) a JOIN pg_roles r ON r.oid = a.grantee
      WHERE n.nspname = $1 AND a.privilege_type = 'USAGE' AND a.grantee <> n.nspowner`,
    [VIEWS_SCHEMA],
  );
  for (const { rolname } of readers) {
    await q(
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(indexer.role)} IN SCHEMA ${views} GRANT SELECT ON TABLES TO ${ident(rolname)}`,
    );
  }
}

/** Removes the roles (after their database is gone, or with DROP OWNED in each database first). */
export async function dropAppRoles(admin: pg.ClientBase, roles: AppRoles): Promise<void> {
  for (const { role } of [roles.api, roles.indexer]) await admin.query(`DROP ROLE IF EXISTS ${ident(role)}`);
}

const ROLE_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS";

async function ensureLoginRole(admin: pg.ClientBase, login: RoleLogin): Promise<void> {
  const role = ident(login.role);
  // A verifier, not the password: the password never reaches the server or its log.
  const password = pg.escapeLiteral(scramVerifier(login.password));
  const { rowCount } = await admin.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [login.role]);
  await admin.query(
    `${rowCount ? "ALTER" : "CREATE"} ROLE ${role} WITH ${ROLE_ATTRIBUTES} PASSWORD ${password}`,
  );
  // Nor may it inherit or SET ROLE into anything (pg_read_server_files, pg_execute_server_program…).
  const { rows } = await admin.query<{ granted: string }>(
    `SELECT g.rolname AS granted FROM pg_auth_members m
       JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1`,
    [login.role],
  );
  for (const { granted } of rows) await admin.query(`REVOKE ${ident(granted)} FROM ${role}`);
}

/** `schema` exists and it and everything in it belong to `owner`. */
async function ensureSchema(admin: pg.ClientBase, schema: string, owner: string): Promise<void> {
  const s = ident(schema);
  const o = ident(owner);
  await admin.query(`CREATE SCHEMA IF NOT EXISTS ${s} AUTHORIZATION ${o}`);
  await admin.query(`ALTER SCHEMA ${s} OWNER TO ${o}`);
  // Objects someone else owns (before these roles existed, the superuser owned all). Indexes,
  // TOAST tables, triggers, row types and the sequences of identity/serial columns follow their
  // table; everything else is handed over one by one.
  const { rows } = await admin.query<{ statement: string }>(
    `SELECT format('ALTER %s %s OWNER TO %I',
              CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                             WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
              c.oid::regclass, $2::text) AS statement
       FROM pg_class c
      WHERE c.relnamespace = to_regnamespace($1) AND c.relowner <> to_regrole($2)
        AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d
                         WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                           AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') AND c.relkind = 'S')
     UNION ALL
     SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, $2::text)
       FROM pg_proc p WHERE p.pronamespace = to_regnamespace($1) AND p.proowner <> to_regrole($2)
     UNION ALL
     SELECT format('ALTER %s %s OWNER TO %I', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
                   t.oid::regtype, $2::text)
       FROM pg_type t
      WHERE t.typnamespace = to_regnamespace($1) AND t.typowner <> to_regrole($2)
        AND (t.typtype IN ('e', 'd', 'r')
             OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))`,
    [schema, owner],
  );
  for (const { statement } of rows) await admin.query(statement);
}

/** What a login may do beyond its own objects: the facts `npm start` checks a DATABASE_URL with. */
export type RoleFacts = {
  role: string;
  superuser: boolean;
  /** CREATEROLE, server-file roles and the like: each one a way out of the role's own schemas. */
  escalations: string[];
  /** Can read the API's tables (sessions, sealed wallet keys): wrong for the indexer's login. */
  readsConsole: boolean;
};

export async function inspectRole(client: pg.ClientBase): Promise<RoleFacts> {
  const { rows } = await client.query<{
    role: string;
    superuser: boolean;
    createrole: boolean;
    createdb: boolean;
    replication: boolean;
    bypassrls: boolean;
    read_files: boolean;
    write_files: boolean;
    programs: boolean;
    reads_console: boolean;
  }>(
    `SELECT r.rolname AS role, r.rolsuper AS superuser, r.rolcreaterole AS createrole,
            r.rolcreatedb AS createdb, r.rolreplication AS replication, r.rolbypassrls AS bypassrls,
            pg_has_role(r.oid, 'pg_read_server_files', 'MEMBER') AS read_files,
            pg_has_role(r.oid, 'pg_write_server_files', 'MEMBER') AS write_files,
            pg_has_role(r.oid, 'pg_execute_server_program', 'MEMBER') AS programs,
            coalesce(r.rolsuper OR has_schema_privilege(r.oid, to_regnamespace($1), 'USAGE'), false)
              AS reads_console
       FROM pg_roles r WHERE r.rolname = current_user`,
    [MIGRATION_SCHEMA],
  );
  const r = rows[0]!;
  const escalations = [
    r.superuser && "SUPERUSER",
    r.createrole && "CREATEROLE",
    r.createdb && "CREATEDB",
    r.replication && "REPLICATION",
    r.bypassrls && "BYPASSRLS",
    r.read_files && "pg_read_server_files",
    r.write_files && "pg_write_server_files",
    r.programs && "pg_execute_server_program",
  ].filter((x): x is string => typeof x === "string");
  return { role: r.role, superuser: r.superuser, escalations, readsConsole: r.reads_console };
}
