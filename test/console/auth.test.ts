import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database";
import {
  Client,
  type ConsoleApi,
  codeFromMailbox,
  startConsoleApi,
  type TestClock,
  testClock,
} from "./harness";

// Email sign-in, sessions and CSRF through real HTTP on startApi.

let database: TestDatabase;
let api: ConsoleApi;
let clock: TestClock;

beforeAll(async () => {
  database = await createTestDatabase("console_auth");
  clock = testClock();
  // Each test client sends its own X-Forwarded-For, so per-IP limits never mix between tests.
  api = await startConsoleApi({ databaseUrl: database.url, clock, env: { TRUST_PROXY_HOPS: "1" } });
});
afterAll(async () => {
  await api?.stop();
  await database?.drop();
});

let ipSeq = 0;
const client = () => new Client(api.url, { "x-forwarded-for": `10.0.0.${++ipSeq}` });

describe("email sign-in", () => {
  it("signs a new email in: account with a managed wallet, session cookie, CSRF token", async () => {
    const c = client();
    const me = await c.signIn("  New.User@Example.COM ", api.dataDir);
    expect(me.email).toBe("new.user@example.com");
    expect(me.wallets).toHaveLength(1);
    expect(me.wallets[0]).toMatchObject({ kind: "managed" });
    expect(me.wallets[0]!.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(c.cookies.get("dimo_session")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = await c.get("/console/me");
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: me.id, email: "new.user@example.com", csrfToken: me.csrfToken });
  });
});
