import { decodeJwt, decodeProtectedHeader, exportPKCS8, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/runtime/ports";
import { Browser, parseForm } from "./browser";
import { type SignInHarness, signInHarness } from "./harness";
import { type OpAccount, startTestOp, type TestOp } from "./oidcProvider";

// Google and Apple sign-in end to end over real HTTP: the API (createApp on a port) against a real
// OpenID Provider (npm oidc-provider, PKCE required) standing in for both; the test plays the
// browser hop by hop, so each hop can be tampered with.

const GOOGLE = { clientId: "console-google", clientSecret: "google-secret-0123456789" };
const APPLE = { clientId: "org.example.console", teamId: "TEAM123456", keyId: "KEY1234567" };

let h: SignInHarness;
let op: TestOp;

beforeAll(async () => {
  const apple = await generateKeyPair("ES256", { extractable: true });
  const applePem = await exportPKCS8(apple.privateKey);
  const opPort = await freePort();
  const issuer = `http://127.0.0.1:${opPort}`;
  h = await signInHarness(() => ({
    GOOGLE_CLIENT_ID: GOOGLE.clientId,
    GOOGLE_CLIENT_SECRET: GOOGLE.clientSecret,
    GOOGLE_ISSUER: issuer,
    APPLE_CLIENT_ID: APPLE.clientId,
    APPLE_TEAM_ID: APPLE.teamId,
    APPLE_KEY_ID: APPLE.keyId,
    // One-line form, as an env file holds it.
    APPLE_PRIVATE_KEY: applePem.replace(/\n/g, "\\n"),
    APPLE_ISSUER: issuer,
    SIGN_IN_RATE_LIMIT_PER_IP: "0",
  }));
  op = await startTestOp({
    port: opPort,
    google: { ...GOOGLE, redirectUri: `${h.url}/console/auth/google/callback` },
    apple: { ...APPLE, publicKey: apple.publicKey, redirectUri: `${h.url}/console/auth/apple/callback` },
  });
});

afterAll(async () => {
  await op?.close();
  await h?.close();
});

let seq = 0;
const person = (email: string, verified: OpAccount["email_verified"] = true): OpAccount => ({
  sub: `sub-${++seq}-${Date.now()}`,
  email,
  email_verified: verified,
});
const unique = (name: string) => `${name}-${++seq}-${Date.now().toString(36)}@example.com`;

type Trip = { res: Response; authUrl: URL };

/**
 * start → the OP (login and consent answered as `op.loginAs` says) → our callback, by GET (Google)
 * or by the OP's auto-posting form (Apple, form_post, posted with the OP's Origin as a browser
 * would). `tamper` edits the authorization URL before the browser goes there.
 */
async function viaProvider(
  browser: Browser,
  provider: "google" | "apple",
  opts: { returnTo?: string; tamper?: (auth: URL) => void } = {},
): Promise<Trip> {
  const query = opts.returnTo === undefined ? "" : `?returnTo=${encodeURIComponent(opts.returnTo)}`;
  const start = await browser.get(`${h.url}/console/auth/${provider}/start${query}`);
  expect(start.status, await start.clone().text()).toBe(302);
  const authUrl = new URL(start.headers.get("location")!);
  opts.tamper?.(authUrl);
  // Each trip logs in at the provider afresh, as whoever op.loginAs names.
  browser.clearCookies(op.issuer);
  const callback = `${h.url}/console/auth/${provider}/callback`;
  const hop = await browser.followUntil(authUrl.href, (loc) => loc.startsWith(callback));
  if (typeof hop === "string") return { res: await browser.get(hop), authUrl };
  const form = parseForm(await hop.text());
  expect(form.action).toBe(callback);
  return { res: await browser.postForm(form.action, form.fields, { origin: op.issuer }), authUrl };
}

async function errorOf(res: Response) {
  const body = (await res.json()) as {
    error: { code: string; message: string; details?: { reason?: string } };
  };
  return { status: res.status, ...body.error };
}

async function me(browser: Browser) {
  const res = await browser.get(`${h.url}/console/me`);
  return { status: res.status, body: (await res.json()) as { id: string; email: string; csrfToken: string } };
}

const count = async (table: "console.accounts" | "console.identities") =>
  Number(
    (
      await h.db
        .selectFrom(table)
        .select((e) => e.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("Google sign-in (OIDC, code + PKCE + state + nonce)", () => {
  it("asks the provider for code flow with PKCE S256, state and nonce, all kept server-side", async () => {
    const browser = new Browser();
    const start = await browser.get(`${h.url}/console/auth/google/start`);
    expect(start.status).toBe(302);
    const auth = new URL(start.headers.get("location")!);
    expect(auth.origin).toBe(op.issuer);
    const q = auth.searchParams;
    expect(q.get("response_type")).toBe("code");
    expect(q.get("client_id")).toBe(GOOGLE.clientId);
    expect(q.get("redirect_uri")).toBe(`${h.url}/console/auth/google/callback`);
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("nonce")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("scope")).toBe("openid email");
    // Bound to this browser by an httpOnly cookie; the state row holds only hashes of both.
    expect(start.headers.getSetCookie().join()).toMatch(/dimo_oauth=[^;]+;.*HttpOnly/i);
    const row = await h.db.selectFrom("console.oauth_states").selectAll().executeTakeFirstOrThrow();
    expect(row.state_hash.length).toBe(32);
  });

  it("first sign-in provisions the account (with a managed wallet); the second signs into the same account", async () => {
    const email = unique("first");
    const alice = person(email);
    op.loginAs(alice);
    const before = await count("console.accounts");

    const one = new Browser();
    const { res } = await viaProvider(one, "google", { returnTo: "/app?tab=licenses" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/app?tab=licenses");
    const first = await me(one);
    expect(first.status).toBe(200);
    expect(first.body.email).toBe(email);
    expect(await count("console.accounts")).toBe(before + 1);
    const wallets = await h.db
      .selectFrom("console.wallets")
      .selectAll()
      .where("account_id", "=", first.body.id)
      .execute();
    expect(wallets.map((w) => w.kind)).toEqual(["managed"]);
    const identity = await h.db
      .selectFrom("console.identities")
      .selectAll()
      .where("account_id", "=", first.body.id)
      .executeTakeFirstOrThrow();
    expect({ provider: identity.provider, subject: identity.subject, email: identity.email }).toEqual({
      provider: "google",
      subject: alice.sub,
      email,
    });

    const two = new Browser();
    const again = await viaProvider(two, "google");
    expect(again.res.status).toBe(302);
    expect(again.res.headers.get("location")).toBe("/");
    expect((await me(two)).body.id).toBe(first.body.id);
    expect(await count("console.accounts")).toBe(before + 1);
  });

  it("a known email signs into its existing account (made by email code), whatever method made it", async () => {
    const email = unique("known");
    const { accountId } = await h.signInByEmail(email);
    op.loginAs(person(email.toUpperCase()));
    const browser = new Browser();
    const { res } = await viaProvider(browser, "google");
    expect(res.status).toBe(302);
    expect((await me(browser)).body.id).toBe(accountId);
  });

  it("signed in by email code, linking Google with the same email links it (no new account or session)", async () => {
    const email = unique("link");
    const { browser, accountId } = await h.signInByEmail(email);
    const session = browser.cookie(h.url, "dimo_session");
    const accounts = await count("console.accounts");
    const bob = person(email);
    op.loginAs(bob);
    const { res } = await viaProvider(browser, "google", { returnTo: "/settings" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/settings");
    expect(browser.cookie(h.url, "dimo_session")).toBe(session);
    expect(await count("console.accounts")).toBe(accounts);
    const linked = await h.db
      .selectFrom("console.identities")
      .selectAll()
      .where("subject", "=", bob.sub)
      .execute();
    expect(linked.map((i) => [i.account_id, i.provider])).toEqual([[accountId, "google"]]);
    // From now on Google alone signs into it.
    const other = new Browser();
    await viaProvider(other, "google");
    expect((await me(other)).body.id).toBe(accountId);
  });

  it("linking a Google account with a DIFFERENT email is refused clearly and creates nothing", async () => {
    const email = unique("mine");
    const { browser } = await h.signInByEmail(email);
    // The other email has an account in one case and none in the other: the answers match.
    const taken = unique("taken");
    await h.signInByEmail(taken);
    const answers = [];
    for (const otherEmail of [taken, unique("free")]) {
      const accounts = await count("console.accounts");
      const identities = await count("console.identities");
      op.loginAs(person(otherEmail));
      const { res } = await viaProvider(browser, "google");
      const error = await errorOf(res);
      expect(error.status).toBe(403);
      expect(error.code).toBe("forbidden");
      expect(error.details?.reason).toBe("email_mismatch");
      expect(error.message).toBe(
        `This Google account's email ${otherEmail} differs from your console account's email; ` +
          "sign in to Google with the account that uses your console email, then link again",
      );
      expect(await count("console.accounts")).toBe(accounts);
      expect(await count("console.identities")).toBe(identities);
      answers.push(error.message.replace(otherEmail, "X"));
    }
    expect(answers[0]).toBe(answers[1]);
    // Still signed in, as before.
    expect((await me(browser)).body.email).toBe(email);
  });

  it("a Google identity already on another account is refused, when linking (409) and signing in (403)", async () => {
    const first = unique("owner");
    const carol = person(first);
    op.loginAs(carol);
    const owner = new Browser();
    await viaProvider(owner, "google");
    const ownerId = (await me(owner)).body.id;

    // Carol's Google account now says another email, which has an account of its own.
    const second = unique("second");
    const { browser } = await h.signInByEmail(second);
    op.loginAs({ ...carol, email: second });
    const link = await errorOf((await viaProvider(browser, "google")).res);
    expect(link).toMatchObject({ status: 409, code: "conflict" });
    expect(link.message).toMatch(/already linked to another console account/);

    const fresh = new Browser();
    const signIn = await errorOf((await viaProvider(fresh, "google")).res);
    expect(signIn).toMatchObject({ status: 403, code: "forbidden" });
    const identities = await h.db
      .selectFrom("console.identities")
      .selectAll()
      .where("subject", "=", carol.sub)
      .execute();
    expect(identities.map((i) => i.account_id)).toEqual([ownerId]);
  });

  it("an unverified email is refused (403) and provisions nothing", async () => {
    const email = unique("unverified");
    op.loginAs(person(email, false));
    const accounts = await count("console.accounts");
    const browser = new Browser();
    const error = await errorOf((await viaProvider(browser, "google")).res);
    expect(error).toMatchObject({ status: 403, code: "forbidden", details: { reason: "email_unverified" } });
    expect(error.message).toMatch(/Google has not verified the email/);
    expect(await count("console.accounts")).toBe(accounts);
    expect(browser.cookie(h.url, "dimo_session")).toBeUndefined();
  });

  it("a replayed state is refused; so are a forged one, a state from another browser and an expired one", async () => {
    op.loginAs(person(unique("replay")));
    const browser = new Browser();
    const start = await browser.get(`${h.url}/console/auth/google/start`);
    const auth = start.headers.get("location")!;
    const callback = (await browser.followUntil(auth, (l) =>
      l.includes("/console/auth/google/callback"),
    )) as string;
    // Another browser (no binding cookie) presenting this browser's answer: login CSRF.
    const elsewhere = await errorOf(await new Browser().get(callback));
    expect(elsewhere).toMatchObject({ status: 400, code: "invalid_request" });
    expect(elsewhere.message).toMatch(/started in another browser/);
    // The state was spent by that attempt: the rightful browser must start again.
    const replay = await errorOf(await browser.get(callback));
    expect(replay.status).toBe(400);
    expect(replay.message).toMatch(/unknown or was already used/);

    // Completed once, replayed: refused.
    const ok = await viaProvider(browser, "google");
    expect(ok.res.status).toBe(302);
    const state = ok.authUrl.searchParams.get("state")!;
    const again = await errorOf(
      await browser.get(`${h.url}/console/auth/google/callback?code=abc&state=${state}`),
    );
    expect(again).toMatchObject({ status: 400, code: "invalid_request" });

    const forged = await errorOf(
      await browser.get(`${h.url}/console/auth/google/callback?code=abc&state=forged`),
    );
    expect(forged).toMatchObject({ status: 400, code: "invalid_request" });
    const none = await errorOf(await browser.get(`${h.url}/console/auth/google/callback?code=abc`));
    expect(none.message).toMatch(/no state/);

    const late = await browser.get(`${h.url}/console/auth/google/start`);
    await h.db
      .updateTable("console.oauth_states")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    const lateCallback = (await browser.followUntil(late.headers.get("location")!, (l) =>
      l.includes("/console/auth/google/callback"),
    )) as string;
    const expired = await errorOf(await browser.get(lateCallback));
    expect(expired).toMatchObject({ status: 400, code: "invalid_request" });
    expect(expired.message).toMatch(/expired/);
  });

  it("an ID token with another nonce than the one sent is refused", async () => {
    op.loginAs(person(unique("nonce")));
    const accounts = await count("console.accounts");
    const { res } = await viaProvider(new Browser(), "google", {
      tamper: (auth) => auth.searchParams.set("nonce", "an-attackers-nonce-0123456789abcdefghijklmno"),
    });
    const error = await errorOf(res);
    expect(error).toMatchObject({ status: 400, code: "invalid_request" });
    expect(error.message).toMatch(/nonce/);
    expect(await count("console.accounts")).toBe(accounts);
  });

  it("without PKCE the provider refuses; a code bound to another verifier is refused at the token endpoint", async () => {
    op.loginAs(person(unique("pkce")));
    const stripped = await viaProvider(new Browser(), "google", {
      tamper: (auth) => {
        auth.searchParams.delete("code_challenge");
        auth.searchParams.delete("code_challenge_method");
      },
    });
    const refused = await errorOf(stripped.res);
    expect(refused.status).toBe(403);
    expect(refused.message).toMatch(/Google did not sign you in: invalid_request/);

    const swapped = await viaProvider(new Browser(), "google", {
      tamper: (auth) => auth.searchParams.set("code_challenge", "A".repeat(43)),
    });
    const grant = await errorOf(swapped.res);
    expect(grant).toMatchObject({ status: 400, code: "invalid_request" });
    expect(grant.message).toMatch(/refused the sign-in code \(invalid_grant\)/);
  });

  it("refuses open redirects in returnTo before going to the provider", async () => {
    const browser = new Browser();
    const states = await h.db.selectFrom("console.oauth_states").select("state_hash").execute();
    for (const returnTo of [
      "https://evil.example/",
      "//evil.example/x",
      "/\\evil.example",
      "javascript:alert(1)",
      "http://localhost.evil.example/",
      `${h.url}@evil.example/`,
      "/ok\nLocation: https://evil.example",
    ]) {
      const res = await browser.get(
        `${h.url}/console/auth/google/start?returnTo=${encodeURIComponent(returnTo)}`,
      );
      const error = await errorOf(res);
      expect(error, returnTo).toMatchObject({ status: 400, code: "invalid_request" });
      expect(error.message).toMatch(/returnTo/);
    }
    expect(await h.db.selectFrom("console.oauth_states").select("state_hash").execute()).toHaveLength(
      states.length,
    );
    // Its own origin, absolute, is fine.
    const own = await browser.get(
      `${h.url}/console/auth/google/start?returnTo=${encodeURIComponent(`${h.url}/app`)}`,
    );
    expect(own.status).toBe(302);
  });

  it("answers 404 for a provider that is not configured, or not known", async () => {
    const off = await errorOf(await fetch(`${h.url}/console/auth/github/start`));
    expect(off).toMatchObject({
      status: 404,
      code: "not_found",
      message: "provider github is not configured on this server",
    });
    const cb = await errorOf(await fetch(`${h.url}/console/auth/github/callback?code=x&state=y`));
    expect(cb.status).toBe(404);
    const unknown = await errorOf(await fetch(`${h.url}/console/auth/myspace/start`));
    expect(unknown).toMatchObject({ status: 404, code: "not_found" });
  });
});

describe("replicas", () => {
  it("a sign-in started on one API process finishes on another (state in Postgres)", async () => {
    const other = await h.replica();
    const email = unique("replica");
    op.loginAs(person(email));
    const browser = new Browser();
    const start = await browser.get(`${h.url}/console/auth/google/start`);
    const callback = (await browser.followUntil(start.headers.get("location")!, (l) =>
      l.includes("/console/auth/google/callback"),
    )) as string;
    // The load balancer sends the callback to the other process: same browser, same cookies.
    const there = callback.replace(h.url, other);
    browser.setCookie(other, "dimo_oauth", browser.cookie(h.url, "dimo_oauth")!);
    const res = await browser.get(there);
    expect(res.status).toBe(302);
    const me = await browser.get(`${other}/console/me`);
    expect(((await me.json()) as { email: string }).email).toBe(email);
  });
});

describe("Sign in with Apple (form_post, client secret JWT)", () => {
  it('signs in from Apple\'s cross-site form POST, with email_verified as the string "true"', async () => {
    const email = unique("apple");
    op.loginAs(person(email, "true"));
    const secretsBefore = op.appleSecrets.length;
    const browser = new Browser();
    const { res, authUrl } = await viaProvider(browser, "apple", { returnTo: "/app" });
    expect(authUrl.searchParams.get("response_mode")).toBe("form_post");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/app");
    expect((await me(browser)).body.email).toBe(email);

    // The token endpoint got (and verified) Apple's client secret: ES256 JWT by the team's key.
    expect(op.appleSecrets.length).toBe(secretsBefore + 1);
    const secret = op.appleSecrets.at(-1)!;
    expect(decodeProtectedHeader(secret)).toEqual({ alg: "ES256", kid: APPLE.keyId });
    const claims = decodeJwt(secret);
    expect(claims).toMatchObject({ iss: APPLE.teamId, sub: APPLE.clientId, aud: op.issuer });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(3600);
  });

  it('an unverified Apple email ("false") is refused', async () => {
    op.loginAs(person(unique("apple-unverified"), "false"));
    const error = await errorOf((await viaProvider(new Browser(), "apple")).res);
    expect(error).toMatchObject({ status: 403, details: { reason: "email_unverified" } });
  });
});
