import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { Client, type ConsoleApi, codeFromMailbox, startConsoleApi, testClock } from "./harness";

// Two API processes' worth of state (two startApi, two pools, two ports) on one Postgres and one
// DATA_DIR, as replicas behind a load balancer: what one creates, the other honours.

let database: TestDatabase;
let dataDir: string;
let a: ConsoleApi;
let b: ConsoleApi;
const clock = testClock();
const replica = () => startConsoleApi({ databaseUrl: database.url, dataDir, clock });

beforeAll(async () => {
  database = await createTestDatabase("console_replicas");
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "console-replicas-"));
  a = await replica();
  b = await replica();
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await database?.drop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** One browser whose requests the load balancer sends to either replica. */
const on = (c: Client, api: ConsoleApi) => {
  c.base = api.url;
  return c;
};

describe("replicas", () => {
  it("runs on separate ports and pools: stopping one leaves the other serving", async () => {
    expect(new URL(a.url).port).not.toBe(new URL(b.url).port);
    // /status reads the database, so each answer is a round trip through that replica's own pool.
    const status = async (api: ConsoleApi) => (await fetch(`${api.url}/status`)).status;
    expect([await status(a), await status(b)]).toEqual([200, 200]);
    // Stopping B closes its listener and its pool; A's are untouched.
    await b.stop();
    await expect(fetch(`${b.url}/status`)).rejects.toThrow();
    expect(await status(a)).toBe(200);
    b = await replica();
    expect(await status(b)).toBe(200);
  });

  it("verifies on one replica a code requested on the other, and shares the session both ways", async () => {
    const email = "replica@example.com";
    const c = new Client(a.url);
    expect((await c.post("/console/auth/email/start", { email })).status).toBe(202);
    const code = await codeFromMailbox(dataDir, email);
    const verified = await on(c, b).post("/console/auth/email/verify", { email, code });
    expect(verified.status).toBe(200);
    c.csrf = verified.body.csrfToken;
    expect((await on(c, a).get("/console/me")).body.id).toBe(verified.body.id);
    // The CSRF token minted on B is valid on A (same secret), and a sign-out on A ends it on B.
    expect((await on(c, a).post("/console/auth/signout")).status).toBe(204);
    const stale = new Client(b.url);
    stale.cookies.set(
      "dimo_session",
      /dimo_session=([^;]+)/.exec(verified.res.headers.get("set-cookie")!)![1]!,
    );
    expect((await stale.get("/console/me")).status).toBe(401);
  });

  it("consumes on one replica a SIWE nonce issued by the other, once", async () => {
    const c = new Client(a.url);
    await c.signIn("siwe-replica@example.com", dataDir);
    const wallet = privateKeyToAccount(generatePrivateKey());
    const challenge = await on(c, a).post("/console/wallets/siwe/nonce", { address: wallet.address });
    const body = {
      message: challenge.body.message,
      signature: await wallet.signMessage({ message: challenge.body.message }),
    };
    const linked = await on(c, b).post("/console/wallets/link", body);
    expect(linked.status).toBe(200);
    expect((await on(c, a).post("/console/wallets/link", body)).status).toBe(400);
    expect((await on(c, b).post("/console/wallets/link", body)).status).toBe(400);
    // The managed wallet's key file is the replicas' shared DATA_DIR's: both list the same wallets.
    expect((await on(c, a).get("/console/wallets")).body).toEqual(
      (await on(c, b).get("/console/wallets")).body,
    );
  });

  it("shares rate-limit counts: the per-email limit is one budget across replicas", async () => {
    const email = "limited-replica@example.com";
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (await new Client(i % 2 === 0 ? a.url : b.url).post("/console/auth/email/start", { email })).status,
      );
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    expect((await new Client(a.url).post("/console/auth/email/start", { email })).status).toBe(429);
  });

  it("shares a code's guess budget across replicas", async () => {
    const email = "guess-replica@example.com";
    await new Client(a.url).post("/console/auth/email/start", { email });
    const code = await codeFromMailbox(dataDir, email);
    const wrong = code === "000000" ? "111111" : "000000";
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (
          await new Client(i % 2 === 0 ? a.url : b.url).post("/console/auth/email/verify", {
            email,
            code: wrong,
          })
        ).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    expect((await new Client(b.url).post("/console/auth/email/verify", { email, code })).status).toBe(429);
  });
});
