import pg from "pg";
import { type AppRoles, embeddedAppRoles, provisionAppRoles, type RoleLogin } from "./databaseRoles";
import { type EmbeddedPg, embeddedUrl, startEmbeddedPostgres } from "./embeddedPostgres";

/** The database `npm start` keeps everything in. */
export const EMBEDDED_DATABASE = "dimo";

export type EmbeddedDatabase = {
  server: EmbeddedPg;
  roles: AppRoles;
  /** URL of the `dimo` database with one of the app logins. */
  url(login: RoleLogin): string;
};

/**
 * The embedded cluster in `dir` with the `dimo` database and the app roles ready: started (or
 * reached on `opts.port`), the database created on first use, the roles made or repaired (which
 * also moves a data folder from before them onto them), and the built-in databases closed to
 * ordinary roles so an analyst login has nowhere to create temporary tables.
 */
export async function startEmbeddedDatabase(opts: {
  dir: string;
  port?: number;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const server = await startEmbeddedPostgres(opts);
  try {
    const roles = embeddedAppRoles(server.password);
    await withClient(server.url(), async (admin) => {
      const { rowCount } = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [
        EMBEDDED_DATABASE,
      ]);
      if (!rowCount) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(EMBEDDED_DATABASE)}`);
      await admin.query(`REVOKE ALL ON DATABASE postgres, template1 FROM PUBLIC`);
    });
    await withClient(server.url(EMBEDDED_DATABASE), (admin) => provisionAppRoles(admin, roles));
    return {
      server,
      roles,
      url: (login) =>
        embeddedUrl(server.port, { user: login.role, password: login.password }, EMBEDDED_DATABASE),
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
