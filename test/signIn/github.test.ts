import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Browser } from "./browser";
import { type GithubStandIn, type GithubUser, startGithubStandIn } from "./githubStandIn";
import { type SignInHarness, signInHarness } from "./harness";

// GitHub sign-in (plain OAuth 2 + PKCE, then /user and /user/emails) over real HTTP against a
// local stand-in for GitHub's token endpoint and REST API.

const CLIENT = { clientId: "Iv1.console", clientSecret: "github-secret-0123456789" };

let h: SignInHarness;
let gh: GithubStandIn;

beforeAll(async () => {
  gh = await startGithubStandIn(CLIENT);
  h = await signInHarness(() => ({ ...gh.env, SIGN_IN_RATE_LIMIT_PER_IP: "0" }));
});

afterAll(async () => {
  await h?.close();
  await gh?.close();
});

let seq = 0;
const unique = (name: string) => `${name}-${++seq}-${Date.now().toString(36)}@example.com`;
const user = (emails: GithubUser["emails"]): GithubUser => ({
  id: 1000 + ++seq,
  login: `octo${seq}`,
  emails,
});

async function viaGithub(browser: Browser, returnTo?: string) {
  const query = returnTo === undefined ? "" : `?returnTo=${encodeURIComponent(returnTo)}`;
  const start = await browser.get(`${h.url}/console/auth/github/start${query}`);
  expect(start.status, await start.clone().text()).toBe(302);
  const auth = new URL(start.headers.get("location")!);
  const hop = await browser.followUntil(auth.href, (l) =>
    l.startsWith(`${h.url}/console/auth/github/callback`),
  );
  if (typeof hop !== "string") throw new Error(`GitHub stand-in answered ${hop.status}`);
  return { auth, res: await browser.get(hop), callback: hop };
}

async function errorOf(res: Response) {
  const body = (await res.json()) as {
    error: { code: string; message: string; details?: { reason?: string } };
  };
  return { status: res.status, ...body.error };
}

const accountsCount = async () =>
  Number(
    (
      await h.db
        .selectFrom("console.accounts")
        .select((e) => e.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("GitHub sign-in", () => {
  it("asks for code + PKCE S256 + state (no nonce: GitHub is not OIDC) with the email scope", async () => {
    const start = await new Browser().get(`${h.url}/console/auth/github/start`);
    const q = new URL(start.headers.get("location")!).searchParams;
    expect(q.get("response_type")).toBe("code");
    expect(q.get("client_id")).toBe(CLIENT.clientId);
    expect(q.get("redirect_uri")).toBe(`${h.url}/console/auth/github/callback`);
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("nonce")).toBeNull();
    expect(q.get("scope")).toBe("read:user user:email");
  });

  it("signs in with the primary verified email (the numeric id is the subject), then again into the same account", async () => {
    const email = unique("octo");
    const octo = user([
      { email: unique("secondary"), primary: false, verified: true },
      { email, primary: true, verified: true },
    ]);
    gh.loginAs(octo);
    const browser = new Browser();
    const { res } = await viaGithub(browser, "/app");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/app");
    // The token request carried the PKCE verifier and the client secret in the body.
    const sent = gh.tokenRequests.at(-1)!;
    expect(sent.code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sent.client_secret).toBe(CLIENT.clientSecret);
    const me = (await (await browser.get(`${h.url}/console/me`)).json()) as { id: string; email: string };
    expect(me.email).toBe(email);
    const identity = await h.db
      .selectFrom("console.identities")
      .selectAll()
      .where("account_id", "=", me.id)
      .executeTakeFirstOrThrow();
    expect([identity.provider, identity.subject]).toEqual(["github", String(octo.id)]);

    const again = new Browser();
    expect((await viaGithub(again)).res.status).toBe(302);
    const second = (await (await again.get(`${h.url}/console/me`)).json()) as { id: string };
    expect(second.id).toBe(me.id);
  });

  it("refuses a primary email GitHub has not verified, even with another verified one (403, nothing created)", async () => {
    gh.loginAs(
      user([
        { email: unique("unverified"), primary: true, verified: false },
        { email: unique("verified-secondary"), primary: false, verified: true },
      ]),
    );
    const before = await accountsCount();
    const error = await errorOf((await viaGithub(new Browser())).res);
    expect(error).toMatchObject({ status: 403, code: "forbidden", details: { reason: "email_unverified" } });
    expect(error.message).toMatch(/GitHub has not verified the email/);
    expect(await accountsCount()).toBe(before);
  });

  it("refuses an account without any email (403)", async () => {
    gh.loginAs(user([]));
    const before = await accountsCount();
    const error = await errorOf((await viaGithub(new Browser())).res);
    expect(error).toMatchObject({ status: 403, code: "forbidden", details: { reason: "email_missing" } });
    expect(error.message).toMatch(/no primary email/);
    expect(await accountsCount()).toBe(before);
  });

  it("links GitHub to a signed-in account with the same email; refuses a different email with the clear message", async () => {
    const email = unique("linker");
    const { browser, accountId } = await h.signInByEmail(email);
    const same = user([{ email: email.toUpperCase(), primary: true, verified: true }]);
    gh.loginAs(same);
    expect((await viaGithub(browser)).res.status).toBe(302);
    const linked = await h.db
      .selectFrom("console.identities")
      .selectAll()
      .where("subject", "=", String(same.id))
      .execute();
    expect(linked.map((i) => i.account_id)).toEqual([accountId]);

    const otherEmail = unique("someone-else");
    gh.loginAs(user([{ email: otherEmail, primary: true, verified: true }]));
    const before = await accountsCount();
    const error = await errorOf((await viaGithub(browser)).res);
    expect(error).toMatchObject({ status: 403, code: "forbidden", details: { reason: "email_mismatch" } });
    expect(error.message).toContain(
      `This GitHub account's email ${otherEmail} differs from your console account's email`,
    );
    expect(await accountsCount()).toBe(before);
  });

  it("a replayed callback (code and state already spent) is refused", async () => {
    gh.loginAs(user([{ email: unique("replay"), primary: true, verified: true }]));
    const browser = new Browser();
    const { res, callback } = await viaGithub(browser);
    expect(res.status).toBe(302);
    const replay = await errorOf(await browser.get(callback));
    expect(replay).toMatchObject({ status: 400, code: "invalid_request" });
    expect(replay.message).toMatch(/already used/);
  });

  it("a code GitHub refuses (tampered PKCE challenge; said in a 200 body, as GitHub does) is a 400 naming its error", async () => {
    gh.loginAs(user([{ email: unique("pkce"), primary: true, verified: true }]));
    const browser = new Browser();
    const start = await browser.get(`${h.url}/console/auth/github/start`);
    const auth = new URL(start.headers.get("location")!);
    auth.searchParams.set("code_challenge", "B".repeat(43));
    const callback = (await browser.followUntil(auth.href, (l) =>
      l.includes("/console/auth/github/callback"),
    )) as string;
    const error = await errorOf(await browser.get(callback));
    expect(error).toMatchObject({ status: 400, code: "invalid_request" });
    expect(error.message).toBe(
      "GitHub refused the sign-in code (invalid_grant); start again from the console",
    );
  });
});
