import fs from "node:fs";
import path from "node:path";
import type { BrowserContext, CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/runtime/ports";
import { type Chromium, launchChromium } from "../support/chromium";
import type { Browser as HttpBrowser } from "./browser";
import { type SignInHarness, signInHarness } from "./harness";

// Passkeys in headless Chromium with a CDP virtual authenticator (ctap2, internal, resident keys,
// user verification), driven by @simplewebauthn/browser on a page served from the API's own
// origin (http://localhost:PORT = PUBLIC_URL, so RP id "localhost"): register while signed in,
// sign out, sign in with the passkey; then the refusals.

const BUNDLE = fs.readFileSync(
  path.resolve("node_modules/@simplewebauthn/browser/dist/bundle/index.umd.min.js"),
  "utf8",
);
const PAGE = `<!doctype html><html><head><title>passkey test</title>
<script src="/__passkey_test/simplewebauthn.js"></script></head><body>passkeys</body></html>`;

let h: SignInHarness;
let context: BrowserContext;
let page: Page;
let cdp: CDPSession;
let authenticatorId: string;
let chromium: Chromium;

/**
 * The test page and the library, answered by Playwright for any origin's /__passkey_test/ paths:
 * the page is same-origin with the API (its fetches are real API calls), yet the API serves no
 * test-only route.
 */
async function servePage(ctx: BrowserContext) {
  await ctx.route(/\/__passkey_test\//, (route) => {
    const isScript = route.request().url().endsWith(".js");
    return route.fulfill({
      status: 200,
      contentType: isScript ? "text/javascript" : "text/html",
      body: isScript ? BUNDLE : PAGE,
    });
  });
}

beforeAll(async () => {
  h = await signInHarness(() => ({ SIGN_IN_RATE_LIMIT_PER_IP: "0" }));
  chromium = await launchChromium("passkey");
  context = chromium.context;
  await servePage(context);
  page = context.pages()[0] ?? (await context.newPage());
  cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  ({ authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  }));
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  await h?.close();
});

/** The slice of @simplewebauthn/browser the page uses (its UMD bundle's global). */
type Swa = {
  startRegistration(o: { optionsJSON: unknown }): Promise<unknown>;
  startAuthentication(o: { optionsJSON: unknown }): Promise<unknown>;
};
type WithSwa = { SimpleWebAuthnBrowser: Swa };

type Answer = {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
};

/** Registers a passkey from the page (signed in through the browser's cookie), as a console would. */
const registerInPage = (csrf: string, label: string) =>
  page.evaluate(
    async ({ csrf, label }) => {
      const w = globalThis as unknown as WithSwa;
      const headers = { "content-type": "application/json", "X-CSRF-Token": csrf };
      const options = await (
        await fetch("/console/passkeys/register/options", { method: "POST", headers })
      ).json();
      const response = await w.SimpleWebAuthnBrowser.startRegistration({ optionsJSON: options });
      const res = await fetch("/console/passkeys/register/verify", {
        method: "POST",
        headers,
        body: JSON.stringify({ response, label }),
      });
      return { status: res.status, body: (await res.json()) as Answer["body"], options, response };
    },
    { csrf, label },
  );

/** Signs in with whatever passkey the authenticator holds for this origin; returns the assertion too. */
const signInInPage = () =>
  page.evaluate(async () => {
    const w = globalThis as unknown as WithSwa;
    const options = await (await fetch("/console/auth/passkey/options", { method: "POST" })).json();
    const response = await w.SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: options });
    const res = await fetch("/console/auth/passkey/verify", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ response }),
    });
    return { status: res.status, body: await res.json(), response };
  });

const meInPage = () =>
  page.evaluate(async () => {
    const res = await fetch("/console/me");
    return { status: res.status, body: await res.json() };
  }) as Promise<Answer>;

/** The browser takes over the session the HTTP-level sign-in made. */
async function adoptSession(from: HttpBrowser) {
  await context.clearCookies();
  await context.addCookies([
    { name: "dimo_session", value: from.cookie(h.url, "dimo_session")!, url: h.url },
  ]);
}

/** The HTTP client takes over the browser's current session (page sign-ins rotate it). */
async function syncSession(to: HttpBrowser): Promise<string> {
  const cookie = (await context.cookies(h.url)).find((c) => c.name === "dimo_session");
  to.setCookie(h.url, "dimo_session", cookie!.value);
  const res = await to.get(`${h.url}/console/auth/csrf`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { csrfToken: string }).csrfToken;
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer["body"] };
}

describe("passkeys in Chromium (virtual authenticator)", () => {
  let accountId: string;
  let http: HttpBrowser;
  let csrf: string;
  let passkeyId: string;
  let usedAssertion: unknown;

  it("registers a passkey while signed in, signs out, and signs in with it alone", async () => {
    const email = `passkey-${Date.now()}@example.com`;
    ({ browser: http, csrf, accountId } = await h.signInByEmail(email));
    await adoptSession(http);
    await page.goto(`${h.url}/__passkey_test/page`);

    const registered = await registerInPage(csrf, "Virtual authenticator");
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const options = registered.options as {
      rp: { id: string; name: string };
      user: { name: string };
      authenticatorSelection: Record<string, string>;
    };
    expect(options.rp).toEqual({ id: "localhost", name: "DIMO Developer Console" });
    expect(options.user.name).toBe(email);
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: "required",
      userVerification: "required",
    });
    passkeyId = registered.body.id as string;
    expect(registered.body).toMatchObject({
      label: "Virtual authenticator",
      lastUsedAt: null,
      backedUp: false,
    });
    // The account's owner hears of it (a session thief adding a way in would not go unnoticed).
    for (let i = 0; i < 100 && !h.mails.some((m) => m.to === email && /passkey/.test(m.subject)); i++)
      await new Promise((r) => setTimeout(r, 20));
    const notice = h.mails.find((m) => m.to === email && /passkey/.test(m.subject));
    expect(notice?.subject).toBe("DIMO Developer Console: a passkey was added to your account");
    expect(notice?.text).toContain('A passkey ("Virtual authenticator") was added to your account');
    const stored = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    expect(stored.credentials).toHaveLength(1);
    expect(stored.credentials[0]!.isResidentCredential).toBe(true);

    // Registering the same authenticator twice is prevented by excludeCredentials.
    const twice = await registerInPage(csrf, "again").catch((e: Error) => ({ status: 0, error: e.message }));
    expect(twice.status).toBe(0);

    const signOut = await page.evaluate(
      async (csrf) =>
        (await fetch("/console/auth/signout", { method: "POST", headers: { "X-CSRF-Token": csrf } })).status,
      csrf,
    );
    expect(signOut).toBe(204);
    expect((await meInPage()).status).toBe(401);

    const signInStarted = new Date();
    const signedIn = await signInInPage();
    const signInEnded = new Date();
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect(signedIn.body).toMatchObject({ id: accountId, email });
    usedAssertion = signedIn.response;
    const me = await meInPage();
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(accountId);

    const list = (await page.evaluate(async () => (await fetch("/console/passkeys")).json())) as {
      items: Array<{ id: string; label: string; lastUsedAt: string | null }>;
    };
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ id: passkeyId, label: "Virtual authenticator" });
    // Stamped by this sign-in (the API's clock is the wall clock here).
    const lastUsed = new Date(list.items[0]!.lastUsedAt!);
    expect(list.items[0]!.lastUsedAt).toBe(lastUsed.toISOString());
    expect(lastUsed >= signInStarted && lastUsed <= signInEnded, lastUsed.toISOString()).toBe(true);
    csrf = await syncSession(http);
  });

  it("a challenge issued by one API process is verified by another (challenges in Postgres)", async () => {
    const other = await h.replica();
    const options = await postJson(`${other}/console/auth/passkey/options`, {});
    const response = await page.evaluate(
      async (optionsJSON) =>
        (globalThis as unknown as WithSwa).SimpleWebAuthnBrowser.startAuthentication({ optionsJSON }),
      options.body,
    );
    const verified = await postJson(`${h.url}/console/auth/passkey/verify`, { response });
    expect(verified.status).toBe(200);
    expect(verified.body.id).toBe(accountId);
  });

  it("a reused challenge (the same assertion again) is refused", async () => {
    const again = await postJson(`${h.url}/console/auth/passkey/verify`, { response: usedAssertion });
    expect(again.status).toBe(401);
    expect(again.body.error).toMatchObject({ code: "unauthenticated" });
    expect(again.body.error!.message).toMatch(/challenge is unknown, expired or already used/);
  });

  it("an assertion made on another origin (same RP id, other port) is refused", async () => {
    const otherOrigin = `http://localhost:${await freePort()}`;
    const options = await postJson(`${h.url}/console/auth/passkey/options`, {});
    await page.goto(`${otherOrigin}/__passkey_test/page`);
    const response = await page.evaluate(
      async (optionsJSON) =>
        (globalThis as unknown as WithSwa).SimpleWebAuthnBrowser.startAuthentication({
          optionsJSON,
        }),
      options.body,
    );
    const verified = await postJson(`${h.url}/console/auth/passkey/verify`, { response });
    expect(verified.status).toBe(401);
    expect(verified.body.error!.message).toMatch(/origin/i);
    await page.goto(`${h.url}/__passkey_test/page`);
  });

  it("a credential created for another RP id and origin cannot be registered", async () => {
    const options = await http.post(
      `${h.url}/console/passkeys/register/options`,
      {},
      { "X-CSRF-Token": csrf },
    );
    expect(options.status).toBe(200);
    const json = (await options.json()) as { rp: { id: string } };
    const evil = `http://evil.localhost:${await freePort()}`;
    await page.goto(`${evil}/__passkey_test/page`);
    const response = await page.evaluate(
      async (optionsJSON) =>
        (globalThis as unknown as WithSwa).SimpleWebAuthnBrowser.startRegistration({
          optionsJSON,
        }),
      { ...json, rp: { ...json.rp, id: "evil.localhost" }, excludeCredentials: [] },
    );
    const res = await http.post(
      `${h.url}/console/passkeys/register/verify`,
      { response },
      { "X-CSRF-Token": csrf },
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as Answer["body"];
    expect(body.error!.message).toMatch(/could not be registered: .*(origin|RP ID)/i);
    const count = await h.db
      .selectFrom("console.passkeys")
      .select("id")
      .where("account_id", "=", accountId)
      .execute();
    expect(count).toHaveLength(1);
    await page.goto(`${h.url}/__passkey_test/page`);
  });

  it("a cloned authenticator (signature counter gone backwards) is refused", async () => {
    const [credential] = (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials.filter(
      (c) => c.rpId === "localhost",
    );
    expect(credential!.signCount).toBeGreaterThan(0);
    await cdp.send("WebAuthn.removeCredential", { authenticatorId, credentialId: credential!.credentialId });
    await cdp.send("WebAuthn.addCredential", {
      authenticatorId,
      credential: { ...credential!, signCount: 0 },
    });
    const cloned = await signInInPage();
    expect(cloned.status).toBe(401);
    expect((cloned.body as Answer["body"]).error!.message).toMatch(/counter/i);
    // Put the authenticator back ahead of the stored counter.
    await cdp.send("WebAuthn.removeCredential", { authenticatorId, credentialId: credential!.credentialId });
    await cdp.send("WebAuthn.addCredential", {
      authenticatorId,
      credential: { ...credential!, signCount: 1000 },
    });
    expect((await signInInPage()).status).toBe(200);
    csrf = await syncSession(http);
  });

  it("a deleted passkey no longer signs in; deleting someone else's is 404", async () => {
    const other = await h.signInByEmail(`other-${Date.now()}@example.com`);
    const foreign = await other.browser.fetch(`${h.url}/console/passkeys/${passkeyId}`, {
      method: "DELETE",
      headers: { "X-CSRF-Token": other.csrf },
    });
    expect(foreign.status).toBe(404);

    const removed = await http.fetch(`${h.url}/console/passkeys/${passkeyId}`, {
      method: "DELETE",
      headers: { "X-CSRF-Token": csrf },
    });
    expect(removed.status).toBe(204);
    const refused = await signInInPage();
    expect(refused.status).toBe(401);
    expect((refused.body as Answer["body"]).error!.message).toMatch(/not registered with the console/);
  });

  it("registration needs a session and its CSRF token", async () => {
    const anonymous = await postJson(`${h.url}/console/passkeys/register/options`, {});
    expect(anonymous.status).toBe(401);
    const noCsrf = await http.post(`${h.url}/console/passkeys/register/options`, {});
    expect(noCsrf.status).toBe(403);
  });
});
