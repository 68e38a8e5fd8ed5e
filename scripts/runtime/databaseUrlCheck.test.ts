import { describe, expect, it } from "vitest";
import type { RoleFacts } from "./databaseRoles";
import { isLocalDatabaseUrl, roleWarning } from "./databaseUrlCheck";

describe("isLocalDatabaseUrl", () => {
  it.each([
    "postgresql://u:p@127.0.0.1:5432/dimo",
    "postgresql://u:p@127.0.0.53/dimo",
    "postgresql://u:p@localhost/dimo",
    "postgres://u@[::1]:5432/dimo",
    "postgresql://u@%2Fvar%2Frun%2Fpostgresql/dimo",
    "postgresql:///dimo?host=/var/run/postgresql",
    "postgresql:///dimo",
  ])("%s is this machine", (url) => {
    expect(isLocalDatabaseUrl(url)).toBe(true);
  });

  it.each([
    "postgresql://u:p@db.example.com/dimo",
    "postgresql://u:p@10.0.0.5:5432/dimo",
    "postgresql://u:p@0.0.0.0/dimo",
    "postgresql://u:p@[2001:db8::1]/dimo",
    "postgresql://u:p@localhost.example.com/dimo",
    "postgresql://u@127.0.0.1/dimo?host=db.example.com",
  ])("%s is not", (url) => {
    expect(isLocalDatabaseUrl(url)).toBe(false);
  });
});

const facts = (role: string, over: Partial<RoleFacts> = {}): RoleFacts => ({
  role,
  superuser: false,
  escalations: [],
  readsConsole: false,
  ...over,
});
const superuser = (role: string) =>
  facts(role, { superuser: true, escalations: ["SUPERUSER", "CREATEROLE"], readsConsole: true });

describe("roleWarning", () => {
  const remote = {
    api: "postgresql://a:pw@db.example.com/dimo",
    indexer: "postgresql://i:pw@db.example.com/dimo",
  };
  const local = { api: "postgresql://a:pw@127.0.0.1/dimo", indexer: "postgresql://i:pw@127.0.0.1/dimo" };

  it("says nothing for two ordinary logins, wherever the server is", () => {
    expect(roleWarning(remote, { api: facts("a", { readsConsole: true }), indexer: facts("i") })).toBeNull();
    expect(roleWarning(local, { api: facts("a", { readsConsole: true }), indexer: facts("i") })).toBeNull();
  });

  it("prints one block naming the variable, the role and its powers for a superuser on another host", () => {
    const block = roleWarning(remote, { api: superuser("postgres"), indexer: facts("i") })!;
    expect(block.match(/^={78}$/gm)).toHaveLength(2);
    expect(block).toContain("WARNING: database logins with more power than they need");
    expect(block).toContain(
      "DATABASE_URL (the API) logs in as postgres, which has SUPERUSER, CREATEROLE, on db.example.com",
    );
    expect(block).toContain("docs/security.md");
    expect(block).not.toContain("pw"); // never the URL's password
  });

  it("leaves a local superuser alone (development), but not an indexer that can read the console", () => {
    expect(roleWarning(local, { api: superuser("postgres"), indexer: facts("i") })).toBeNull();
    const shared = { api: local.api, indexer: local.api };
    const block = roleWarning(shared, { api: superuser("postgres"), indexer: superuser("postgres") })!;
    expect(block).toContain("The indexer logs in as postgres, which can read the API's console tables");
    expect(block).toContain("INDEXER_DATABASE_URL");
    expect(block).not.toContain("which has SUPERUSER");
  });

  it("names INDEXER_DATABASE_URL when the indexer's own login is the powerful one", () => {
    const block = roleWarning(remote, { api: facts("a"), indexer: superuser("root_like") })!;
    expect(block).toContain("INDEXER_DATABASE_URL (the indexer) logs in as root_like");
  });
});
