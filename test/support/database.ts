import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import {
  type AppRoles,
  dropAppRoles,
  provisionAppRoles,
  withLogin,
} from "../../scripts/runtime/databaseRoles";

export type TestDatabase = {
  /** The database as the server's admin (a superuser): for setup and for looking behind the app. */
  url: string;
  name: string;
  /** With `appRoles`: the API's and the indexer's own logins, as `npm start` makes them. */
  roles: AppRoles | null;
  /** The API's login (the admin URL when made without `appRoles`). */
  apiUrl: string;
  /** The indexer's login (the admin URL when made without `appRoles`). */
  indexerUrl: string;
  drop(): Promise<void>;
};

function withDatabase(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function asAdmin(url: string, fn: (c: pg.Client) => Promise<unknown>): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * A fresh database for one suite. Fresh matters: Ponder caches raw chain data per database
 * (ponder_sync), and every new anvil reuses chain id 31337 and the same block numbers. With
 * `appRoles` it also gets its own API and indexer roles (named after it: roles are server-wide
 * and suites run in parallel), provisioned like the embedded database's, dropped with it.
 */
export async function createTestDatabase(
  prefix = "t",
  opts: { appRoles?: boolean } = {},
): Promise<TestDatabase> {
  const adminUrl = inject("pgAdminUrl");
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  await asAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = withDatabase(adminUrl, name);
  const roles: AppRoles | null = opts.appRoles
    ? {
        api: { role: `${name}_api`, password: randomBytes(16).toString("hex") },
        indexer: { role: `${name}_indexer`, password: randomBytes(16).toString("hex") },
      }
    : null;
  if (roles) await asAdmin(url, (admin) => provisionAppRoles(admin, roles));
  return {
    name,
    url,
    roles,
    apiUrl: roles ? withLogin(url, roles.api) : url,
    indexerUrl: roles ? withLogin(url, roles.indexer) : url,
    drop: () =>
      asAdmin(adminUrl, async (admin) => {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        if (roles) await dropAppRoles(admin, roles);
      }),
  };
}
