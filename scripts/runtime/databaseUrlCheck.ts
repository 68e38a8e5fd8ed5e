import { isIP } from "node:net";
import pg from "pg";
import { inspectRole, type RoleFacts } from "./databaseRoles";

/**
 * True when `url` reaches Postgres on this machine: a unix socket (a host that is a path), or a
 * loopback name or address. Decided from the URL alone, as written — a name that only resolves to
 * loopback is not taken on trust.
 */
export function isLocalDatabaseUrl(url: string): boolean {
  const u = new URL(url);
  // pg lets ?host= override the URL's host; no host at all means the default socket.
  const host = (u.searchParams.get("host") ?? decodeURIComponent(u.hostname))
    .replace(/^\[|\]$/g, "")
    .toLowerCase();
  if (host === "" || host.startsWith("/")) return true;
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || /^::ffff:127\./.test(host) || /^::ffff:7f/.test(host);
  return false;
}

export type DatabaseUrls = { api: string; indexer: string };

/**
 * The one stderr block `npm start` prints for a DATABASE_URL (and INDEXER_DATABASE_URL) login that
 * is more powerful than its job: a superuser (or a role with server-file or role-making rights)
 * reached over the network, or an indexer login that can read the API's `console` tables (Ponder
 * answers SQL over HTTP with that login). Null when there is nothing to say.
 */
export function roleWarning(
  urls: DatabaseUrls,
  facts: { api: RoleFacts; indexer: RoleFacts },
): string | null {
  const lines: string[] = [];
  for (const part of ["api", "indexer"] as const) {
    const f = facts[part];
    const variable = part === "api" || urls.indexer === urls.api ? "DATABASE_URL" : "INDEXER_DATABASE_URL";
    const host = new URL(urls[part]).host;
    if (f.escalations.length && !isLocalDatabaseUrl(urls[part])) {
      lines.push(
        `${variable} (${part === "api" ? "the API" : "the indexer"}) logs in as ${f.role}, which has ${f.escalations.join(", ")}, ` +
          `on ${host}, which is not this machine: anyone who gets the password or a hole in the app can read ` +
          `server files, run programs or make roles there.`,
      );
    }
  }
  if (facts.indexer.readsConsole || facts.indexer.role === facts.api.role) {
    lines.push(
      `The indexer logs in as ${facts.indexer.role}, which can read the API's console tables (sessions, sealed ` +
        `wallet keys): Ponder's SQL over HTTP runs as that login. Give the indexer its own login with ` +
        `INDEXER_DATABASE_URL.`,
    );
  }
  if (!lines.length) return null;
  const rule = "=".repeat(78);
  return `\n${rule}\nWARNING: database logins with more power than they need\n\n${lines
    .map((l) => `- ${l}`)
    .join("\n")}\n\nThe minimal grants are in docs/security.md ("Database roles").\n${rule}\n\n`;
}

/** Logs in with each URL and returns the warning block for what it finds (null: nothing to say). */
export async function databaseUrlWarning(urls: DatabaseUrls): Promise<string | null> {
  const inspect = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await inspectRole(client);
    } finally {
      await client.end();
    }
  };
  const api = await inspect(urls.api);
  const indexer = urls.indexer === urls.api ? api : await inspect(urls.indexer);
  return roleWarning(urls, { api, indexer });
}
