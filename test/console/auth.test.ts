import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INVALID_CODE } from "../../api/services/console/signIn/emailCodes";
import { createTestDatabase, type TestDatabase } from "../support/database";
import {
  Client,
  type ConsoleApi,
  codeFromMailbox,
  startConsoleApi,
  type TestClock,
  testClock,
} from "./harness";

// Email sign-in, sessions and CSRF through real HTTP on startApi (one API, its own database).

let database: TestDatabase;
let api: ConsoleApi;
let clock: TestClock;

beforeAll(async () => {
  database = await createTestDatabase("console_auth");
  clock = testClock();
  // Each client sends its own X-Forwarded-For (one trusted proxy), so per-IP limits never mix.
  api = await startConsoleApi({ databaseUrl: database.url, clock, env: { TRUST_PROXY_HOPS: "1" } });
});
afterAll(async () => {
  await api?.stop();
  await database?.drop();
});

let seq = 0;
const client = () =>
  new Client(api.url, { "x-forwarded-for": `10.0.${Math.floor(++seq / 250)}.${seq % 250}` });
const uniqueEmail = (tag: string) => `${tag}-${++seq}@example.com`;

describe("email sign-in", () => {
  it("signs a new email in: account with a managed wallet, session cookie, CSRF token", async () => {
    const c = client();
    const me = await c.signIn("  New.User@Example.COM ", api.dataDir);
    expect(me.email).toBe("new.user@example.com");
    expect(me.wallets).toEqual([
      {
        address: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
        kind: "managed",
        createdAt: expect.any(String),
      },
    ]);
    expect(c.cookies.get("dimo_session")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = await c.get("/console/me");
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: me.id, email: "new.user@example.com", csrfToken: me.csrfToken });
    expect(again.res.headers.get("cache-control")).toBe("no-store");
  });

  it("signs a known email into the same account, whatever its letter case, without a second wallet", async () => {
    const email = uniqueEmail("known");
    const first = await client().signIn(email, api.dataDir);
    const second = await client().signIn(email.toUpperCase(), api.dataDir);
    expect(second.id).toBe(first.id);
    expect(second.wallets).toEqual(first.wallets);
  });

  it("answers a code request identically for unknown and known emails", async () => {
    const known = uniqueEmail("exists");
    await client().signIn(known, api.dataDir);
    const unknown = uniqueEmail("nobody");
    const a = await client().post("/console/auth/email/start", { email: known });
    const b = await client().post("/console/auth/email/start", { email: unknown });
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(a.body).toEqual(b.body);
    const headers = (r: Response) =>
      [...r.headers]
        .filter(([k]) => !["date", "x-request-id"].includes(k))
        .sort(([x], [y]) => x.localeCompare(y));
    expect(headers(a.res)).toEqual(headers(b.res));
    // Both really got a code: the answer is the same because the work is the same.
    expect(await codeFromMailbox(api.dataDir, known)).toMatch(/^\d{6}$/);
    expect(await codeFromMailbox(api.dataDir, unknown)).toMatch(/^\d{6}$/);
  });

  it("refuses a wrong code, an unknown email and a used code with one generic 401", async () => {
    const email = uniqueEmail("wrong");
    const c = client();
    await c.post("/console/auth/email/start", { email });
    const code = await codeFromMailbox(api.dataDir, email);
    const wrong = code === "000000" ? "111111" : "000000";
    const bad = await c.post("/console/auth/email/verify", { email, code: wrong });
    const nobody = await c.post("/console/auth/email/verify", { email: uniqueEmail("never-asked"), code });
    expect(bad.status).toBe(401);
    expect(nobody.status).toBe(401);
    expect(bad.body).toEqual({ error: { code: "unauthenticated", message: INVALID_CODE } });
    expect(nobody.body).toEqual(bad.body);
    expect(c.cookies.size).toBe(0);
    expect((await c.post("/console/auth/email/verify", { email, code })).status).toBe(200);
    const reused = await client().post("/console/auth/email/verify", { email, code });
    expect(reused.status).toBe(401);
    expect(reused.body).toEqual(bad.body);
  });

  it("expires a code after 10 minutes (app clock)", async () => {
    const email = uniqueEmail("expired");
    const c = client();
    await c.post("/console/auth/email/start", { email });
    const code = await codeFromMailbox(api.dataDir, email);
    clock.advance(601);
    const late = await c.post("/console/auth/email/verify", { email, code });
    expect(late.status).toBe(401);
    expect(late.body.error.message).toBe(INVALID_CODE);
  });

  it("keeps only the newest code of an email alive", async () => {
    const email = uniqueEmail("twice");
    const c = client();
    await c.post("/console/auth/email/start", { email });
    const first = await codeFromMailbox(api.dataDir, email);
    await new Promise((r) => setTimeout(r, 5)); // distinct mailbox file names
    await c.post("/console/auth/email/start", { email });
    let second = await codeFromMailbox(api.dataDir, email);
    for (let i = 0; second === first && i < 3; i++) {
      // 1 in a million: the new code equals the old; ask again.
      await c.post("/console/auth/email/start", { email });
      second = await codeFromMailbox(api.dataDir, email);
    }
    expect((await c.post("/console/auth/email/verify", { email, code: first })).status).toBe(401);
    expect((await c.post("/console/auth/email/verify", { email, code: second })).status).toBe(200);
  });

  it("kills a code after 5 wrong guesses (429), even for the right code; a new code works", async () => {
    const email = uniqueEmail("guess");
    const c = client();
    await c.post("/console/auth/email/start", { email });
    const code = await codeFromMailbox(api.dataDir, email);
    const wrong = (i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, "0");
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await c.post("/console/auth/email/verify", { email, code: wrong(i) })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const right = await c.post("/console/auth/email/verify", { email, code });
    expect(right.status).toBe(429);
    expect(right.body.error).toEqual({
      code: "rate_limited",
      message: "Too many wrong codes; request a new sign-in code",
    });
    await new Promise((r) => setTimeout(r, 5));
    await c.post("/console/auth/email/start", { email });
    let fresh = await codeFromMailbox(api.dataDir, email);
    if (fresh === code) {
      await c.post("/console/auth/email/start", { email });
      fresh = await codeFromMailbox(api.dataDir, email);
    }
    expect((await c.post("/console/auth/email/verify", { email, code: fresh })).status).toBe(200);
  });

  it("validates input with 400s naming the field", async () => {
    const c = client();
    const notEmail = await c.post("/console/auth/email/start", { email: "not-an-email" });
    expect(notEmail.status).toBe(400);
    expect(notEmail.body.error.details).toEqual([
      { path: "body.email", message: "must be an email address" },
    ]);
    const shortCode = await c.post("/console/auth/email/verify", { email: "a@example.com", code: "12345" });
    expect(shortCode.status).toBe(400);
    expect(shortCode.body.error.message).toBe("body.code: code must be the 6 digits from the email");
  });
});

describe("rate limits", () => {
  it("limits code requests per (email, IP) (429 with Retry-After); another address still gets a code", async () => {
    const email = uniqueEmail("limited");
    const attacker = client();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await attacker.post("/console/auth/email/start", { email })).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    const refused = await attacker.post("/console/auth/email/start", { email });
    expect(refused.body.error.code).toBe("rate_limited");
    expect(refused.body.error.message).toBe(
      "Too many sign-in codes requested for this email; try again later",
    );
    expect(Number(refused.res.headers.get("retry-after"))).toBeGreaterThan(3000);
    // The owner of the address, elsewhere, is not locked out by that.
    const owner = client();
    expect((await owner.signIn(email, api.dataDir)).email).toBe(email);
  });

  it("limits code requests per client IP across emails", async () => {
    const c = client();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++)
      statuses.push((await c.post("/console/auth/email/start", { email: uniqueEmail("ip") })).status);
    expect(statuses.slice(0, 20).every((s) => s === 202)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  it("limits verifications per client IP and per (email, IP); guessing from one address does not lock the owner out", async () => {
    const c = client();
    const byIp: number[] = [];
    for (let i = 0; i < 51; i++) {
      byIp.push(
        (await c.post("/console/auth/email/verify", { email: uniqueEmail("v"), code: "123456" })).status,
      );
    }
    expect(byIp.slice(0, 50).every((s) => s === 401)).toBe(true);
    expect(byIp[50]).toBe(429);
    const email = uniqueEmail("verify-email");
    const attacker = client();
    const byEmail: number[] = [];
    for (let i = 0; i < 16; i++) {
      byEmail.push((await attacker.post("/console/auth/email/verify", { email, code: "123456" })).status);
    }
    expect(byEmail.slice(0, 15).every((s) => s === 401)).toBe(true);
    expect(byEmail[15]).toBe(429);
    // Guessing from one address does not lock the email's owner out of verifying elsewhere.
    expect((await client().signIn(email, api.dataDir)).email).toBe(email);
  });

  it("caps codes per email per day across addresses, counting only what each address's own limits let through", async () => {
    const capped = await startConsoleApi({
      databaseUrl: database.url,
      env: {
        TRUST_PROXY_HOPS: "1",
        RATE_LIMIT_WINDOW_SECONDS: "86400",
        RATE_LIMIT_CODES_PER_EMAIL: "1",
        RATE_LIMIT_CODES_PER_EMAIL_DAY: "3",
      },
    });
    try {
      const email = uniqueEmail("daily");
      const from = (ip: string) =>
        new Client(capped.url, { "x-forwarded-for": ip }).post("/console/auth/email/start", { email });
      // One address: its first request passes, 20 more are refused and spend none of the daily cap.
      const one: number[] = [];
      for (let i = 0; i < 21; i++) one.push((await from("192.0.2.1")).status);
      expect(one.filter((st) => st === 202)).toHaveLength(1);
      expect((await from("192.0.2.2")).status).toBe(202);
      expect((await from("192.0.2.3")).status).toBe(202);
      const fourth = await from("192.0.2.4");
      expect(fourth.status).toBe(429);
      expect(fourth.body.error.message).toBe(
        "Too many sign-in codes requested for this email today; try again tomorrow",
      );
    } finally {
      await capped.stop();
    }
  });
});

describe("sessions", () => {
  it("answers 401 without a cookie, and clears an unknown one", async () => {
    const none = await client().get("/console/me");
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("unauthenticated");
    const c = client();
    c.cookies.set("dimo_session", "A".repeat(43));
    const bogus = await c.get("/console/me");
    expect(bogus.status).toBe(401);
    expect(bogus.res.headers.get("set-cookie")).toMatch(/^dimo_session=; Max-Age=0; Path=\//);
    expect(c.cookies.has("dimo_session")).toBe(false);
  });

  it("sets an httpOnly, SameSite=Lax cookie (not Secure on http://localhost) living SESSION_MAX_SECONDS", async () => {
    const c = client();
    const email = uniqueEmail("cookie");
    await c.post("/console/auth/email/start", { email });
    const res = await c.post("/console/auth/email/verify", {
      email,
      code: await codeFromMailbox(api.dataDir, email),
    });
    const cookie = res.res.headers.get("set-cookie")!;
    expect(cookie).toMatch(
      /^dimo_session=[A-Za-z0-9_-]{43}; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax$/,
    );
  });

  it("ends a session after SESSION_IDLE_SECONDS without requests, and keeps an active one until its absolute expiry", async () => {
    const idle = client();
    await idle.signIn(uniqueEmail("idle"), api.dataDir);
    const active = client();
    await active.signIn(uniqueEmail("active"), api.dataDir);
    const sixDays = 6 * 86_400;
    for (let day = 6; day <= 24; day += 6) {
      clock.advance(sixDays);
      expect((await active.get("/console/me")).status).toBe(200);
    }
    expect((await idle.get("/console/me")).status).toBe(401);
    clock.advance(sixDays + 1); // day 30 + 1 s: past the absolute expiry, though active
    const ended = await active.get("/console/me");
    expect(ended.status).toBe(401);
    expect(ended.body.error.message).toBe("Your session has expired or was signed out; sign in again");
  });

  it("signs out this session only", async () => {
    const email = uniqueEmail("signout");
    const laptop = client();
    await laptop.signIn(email, api.dataDir);
    const phone = client();
    await phone.signIn(email, api.dataDir);
    const stolen = new Map(laptop.cookies);
    const out = await laptop.post("/console/auth/signout");
    expect(out.status).toBe(204);
    expect(laptop.cookies.size).toBe(0);
    const replay = client();
    replay.cookies = stolen;
    expect((await replay.get("/console/me")).status).toBe(401);
    expect((await phone.get("/console/me")).status).toBe(200);
  });

  it("signs out every session of the account", async () => {
    const email = uniqueEmail("everywhere");
    const a = client();
    await a.signIn(email, api.dataDir);
    const b = client();
    await b.signIn(email, api.dataDir);
    const other = client();
    await other.signIn(uniqueEmail("bystander"), api.dataDir);
    const out = await a.post("/console/auth/signout-all");
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ revoked: 2 });
    expect((await b.get("/console/me")).status).toBe(401);
    expect((await other.get("/console/me")).status).toBe(200);
  });

  it("rotates the session at sign-in: the cookie presented before is revoked", async () => {
    const c = client();
    const before = await c.signIn(uniqueEmail("rotate"), api.dataDir);
    const old = new Map(c.cookies);
    const after = await c.signIn(before.email, api.dataDir);
    expect(after.id).toBe(before.id);
    expect(c.cookies.get("dimo_session")).not.toBe(old.get("dimo_session"));
    const replay = client();
    replay.cookies = old;
    expect((await replay.get("/console/me")).status).toBe(401);
    expect((await c.get("/console/me")).status).toBe(200);
  });
});

describe("CSRF", () => {
  it("refuses cookie-authenticated writes without the token or with another session's", async () => {
    const c = client();
    const me = await c.signIn(uniqueEmail("csrf"), api.dataDir);
    const other = client();
    const otherMe = await other.signIn(uniqueEmail("csrf-other"), api.dataDir);
    const missing = await c.post("/console/auth/signout", undefined, { "x-csrf-token": "" });
    expect(missing.status).toBe(403);
    expect(missing.body.error).toEqual({
      code: "forbidden",
      message: "Missing X-CSRF-Token header: send the csrfToken from GET /console/me with every write",
    });
    const foreign = await c.post("/console/auth/signout", undefined, { "x-csrf-token": otherMe.csrfToken });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.message).toMatch(/^Invalid X-CSRF-Token for this session/);
    expect((await c.get("/console/me")).status).toBe(200);
    const token = await c.get("/console/auth/csrf");
    expect(token.body).toEqual({ csrfToken: me.csrfToken });
    expect((await c.post("/console/auth/signout")).status).toBe(204);
  });

  it("refuses writes from another origin, before anything else", async () => {
    const evil = await client().post(
      "/console/auth/email/start",
      { email: uniqueEmail("origin") },
      { origin: "https://evil.example" },
    );
    expect(evil.status).toBe(403);
    expect(evil.body.error.message).toBe(
      "Cross-origin write refused: Origin https://evil.example is not this console's",
    );
    const own = await client().post(
      "/console/auth/email/start",
      { email: uniqueEmail("origin") },
      { origin: api.config.publicUrl },
    );
    expect(own.status).toBe(202);
  });
});

describe("OpenAPI", () => {
  it("documents every console route with the session cookie scheme", async () => {
    const doc = (await fetch(`${api.url}/openapi.json`).then((r) => r.json())) as {
      paths: Record<string, Record<string, { security?: unknown }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(
      Object.keys(doc.paths)
        .filter((p) => p.startsWith("/console/"))
        .sort(),
    ).toEqual(
      expect.arrayContaining([
        "/console/auth/csrf",
        "/console/auth/email/start",
        "/console/auth/email/verify",
        "/console/auth/signout",
        "/console/auth/signout-all",
        "/console/licenses",
        "/console/licenses/{tokenId}",
        "/console/licenses/{tokenId}/private",
        "/console/me",
        "/console/wallets",
        "/console/wallets/link",
        "/console/wallets/siwe/nonce",
        "/console/wallets/{address}",
      ]),
    );
    expect(doc.components.securitySchemes.session).toMatchObject({
      type: "apiKey",
      in: "cookie",
      name: "dimo_session",
    });
    expect(doc.paths["/console/me"]!.get!.security).toEqual([{ session: [] }]);
  });
});

describe("adding a passkey needs a recent sign-in", () => {
  const fakeRegistration = {
    response: {
      id: "AAAA",
      rawId: "AAAA",
      type: "public-key",
      response: { clientDataJSON: "AAAA", attestationObject: "AAAA" },
    },
  };

  it("refuses a session older than 5 minutes (a stolen cookie alone) until its owner signs in again", async () => {
    const c = client();
    const email = uniqueEmail("stale");
    await c.signIn(email, api.dataDir);
    expect((await c.post("/console/passkeys/register/options")).status).toBe(200);

    clock.advance(301);
    const options = await c.post("/console/passkeys/register/options");
    const verify = await c.post("/console/passkeys/register/verify", fakeRegistration);
    for (const refused of [options, verify]) {
      expect(refused.status).toBe(403);
      expect(refused.body.error).toEqual({
        code: "forbidden",
        message:
          "Adding a passkey needs a recent sign-in (within 5 minutes): sign in again with an email code or a passkey, then add it",
        details: { reason: "reauthenticate" },
      });
    }
    // The session itself still works for everything else.
    expect((await c.get("/console/me")).status).toBe(200);

    // A fresh email code starts a new session: adding is allowed again.
    await c.signIn(email, api.dataDir);
    expect((await c.post("/console/passkeys/register/options")).status).toBe(200);
  });
});
