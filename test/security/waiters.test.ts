import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../../api/db/database";
import { Client, type ConsoleApi, startConsoleApi } from "../console/harness";
import { createTestDatabase, type TestDatabase } from "../support/database";

// Waiting requests (long-polls and event streams on console operations) are long responses, not
// slow requests: they outlive the server's request timeout, but a session holds only a few at once
// and however many wait on one operation, one loop re-reads its row.

let database: TestDatabase;
let db: ReturnType<typeof createDatabase>;
let api: ConsoleApi;

beforeAll(async () => {
  database = await createTestDatabase("security_waiters");
  // A 1 s request timeout: every wait below lasts longer than that.
  api = await startConsoleApi({
    databaseUrl: database.url,
    env: { OPERATIONS_MAX_WAITERS_PER_SESSION: "3" },
    http: { headersMs: 500, requestMs: 1_000 },
  });
  db = createDatabase(database.url, { poolMax: 2, statementTimeoutMs: 5_000 });
});
afterAll(async () => {
  await api?.stop();
  await db?.destroy();
  await database?.drop();
});

let seq = 0;
/** A signed-in session, and a prepared operation of its account (nothing will move it on). */
async function sessionWithOperation(): Promise<{
  c: Client;
  email: string;
  opId: string;
  accountId: string;
}> {
  const c = new Client(api.url);
  const email = `waiter-${++seq}@example.com`;
  const me = await c.signIn(email, api.dataDir);
  const now = new Date();
  const op = await db
    .insertInto("console.operations")
    .values({
      account_id: me.id,
      kind: "add_redirect_uri",
      status: "prepared",
      wallet_address: `0x${"ab".repeat(20)}`,
      wallet_kind: "external",
      chain_id: 31337,
      to_address: `0x${"cd".repeat(20)}`,
      data: "0x",
      value: "0",
      params: "{}",
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { c, email, opId: op.id, accountId: me.id };
}

const gauge = async (name: string): Promise<number> => {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return Number(line?.split(" ")[1] ?? Number.NaN);
};

const until = async (ok: () => Promise<boolean>) => {
  for (let i = 0; i < 200 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 25));
  expect(await ok()).toBe(true);
};

describe("waiting on operations", () => {
  it("answers a long-poll that outlasts the server's request timeout (a long response, not a slow request)", async () => {
    const { c, opId } = await sessionWithOperation();
    const res = await c.get(`/console/operations/${opId}?wait=indexed&timeout=2`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: opId, status: "prepared" });
  });

  it("holds at most OPERATIONS_MAX_WAITERS_PER_SESSION waits per session: the next long-poll or event stream is 429, another session still waits", async () => {
    const { c, email, opId } = await sessionWithOperation();
    const held = [1, 2, 3].map(() => c.get(`/console/operations/${opId}?wait=indexed&timeout=3`));
    await until(async () => (await gauge("console_operation_waiters")) === 3);

    const poll = await c.get(`/console/operations/${opId}?wait=indexed&timeout=3`);
    expect(poll.status).toBe(429);
    expect(poll.body.error).toEqual({
      code: "rate_limited",
      message: "At most 3 long-polls and event streams per session at once: close one, or ask without wait",
      details: { retryAfterSeconds: 1 },
    });
    const stream = await c.get(`/console/operations/${opId}/events`);
    expect(stream.status).toBe(429);
    // Asking without waiting is never refused; nor is another session of the same account.
    expect((await c.get(`/console/operations/${opId}`)).status).toBe(200);
    const other = new Client(api.url);
    await other.signIn(email, api.dataDir);
    expect((await other.get(`/console/operations/${opId}?wait=indexed&timeout=1`)).status).toBe(200);

    for (const res of await Promise.all(held)) expect(res.status).toBe(200);
    await until(async () => (await gauge("console_operation_waiters")) === 0);
    expect((await c.get(`/console/operations/${opId}?wait=indexed&timeout=1`)).status).toBe(200);
  });

  it("re-reads an operation's row in one loop however many wait on it", async () => {
    const a = await sessionWithOperation();
    const b = await sessionWithOperation();
    const waits = [
      ...[1, 2, 3].map(() => a.c.get(`/console/operations/${a.opId}?wait=indexed&timeout=2`)),
      b.c.get(`/console/operations/${b.opId}?wait=indexed&timeout=2`),
    ];
    try {
      // Every waiter subscribed (each reads the row once first), then settled: still two loops.
      await until(async () => (await gauge("console_operation_waiters")) === 4);
      await until(async () => (await gauge("console_operation_polls")) >= 2);
      await new Promise((r) => setTimeout(r, 300));
      expect(await gauge("console_operation_polls")).toBe(2); // two operations, four waiters
    } finally {
      await Promise.all(waits);
    }
    await until(async () => (await gauge("console_operation_polls")) === 0);
  });

  it("streams events past the request timeout, and frees the stream's place when the client leaves", async () => {
    const { c, opId } = await sessionWithOperation();
    const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const controller = new AbortController();
    const res = await fetch(`${api.url}/console/operations/${opId}/events`, {
      headers: { cookie },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('"status":"prepared"');
    await new Promise((r) => setTimeout(r, 1_500)); // past requestTimeout: the stream is still open
    expect(await gauge("console_operation_waiters")).toBe(1);
    controller.abort();
    await until(async () => (await gauge("console_operation_waiters")) === 0);
  });
});
