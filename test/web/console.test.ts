import type { BrowserContext, CDPSession, Page, Request } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEV_ACCOUNTS, permissionMask } from "../../devnet/scenario";
import {
  axe,
  DESKTOP,
  overflowX,
  PHONE,
  screenshot,
  signInThroughUi,
  type WebHarness,
  webHarness,
} from "./harness";

// The console web app end to end, as a person uses it: Chromium on the app served by the API, the
// API on anvil + the real Ponder indexer. Elements are found by role and accessible name. Each page
// is checked with axe-core (no serious or critical violation) at 1,440 px and at 390 px, where it
// must not scroll sideways. The steps share one account and run in order.

const WALLET = DEV_ACCOUNTS[7]!;
const DRIVER = DEV_ACCOUNTS[8]!;
const REDIRECT = "http://localhost:8080/callback";

let w: WebHarness;
let context: BrowserContext;
let page: Page;
// Each run has its own chain and database, so fixed names are free (and the screenshots stable).
const alias = "my-first-app";
let tokenId: number;
let clientId: string;
let apiKey: string;
let vehicleId: bigint;
/** Every request the page sent, to show the API key never left it. */
const sent: Request[] = [];

beforeAll(async () => {
  w = await webHarness();
  ({ context, page } = await w.newUser({ wallet: WALLET.privateKey }));
  page.on("request", (r) => void sent.push(r));
  page.setDefaultTimeout(15_000);
}, 300_000);
afterAll(() => w?.close());

// The steps build on each other: after a failure, the rest would only time out.
let broken = false;
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== "fail") return;
  broken = true;
  // What the page showed when the step failed (kept outside the repo).
  if (process.env.WEB_FAILURE_SHOTS)
    await page
      ?.screenshot({ path: `${process.env.WEB_FAILURE_SHOTS}/failed.png`, fullPage: true })
      .catch(() => {});
});
beforeEach((ctx) => {
  if (broken) ctx.skip();
});

/** axe at both widths, no sideways scrolling on a phone, and the docs' screenshot. */
async function checkPage(name: string, shot: boolean | "and-phone" = true) {
  await page.setViewportSize(PHONE);
  expect(await axe(page), `${name} at 390 px`).toEqual([]);
  expect(await overflowX(page), `${name} scrolls sideways at 390 px`).toBe(0);
  if (shot === "and-phone") await screenshot(page, `${name}-phone`);
  await page.setViewportSize(DESKTOP);
  expect(await axe(page), `${name} at 1440 px`).toEqual([]);
  if (shot) await screenshot(page, name);
}

/** Waits for an operation's live status line to say it is done. */
async function settled(label: string | RegExp) {
  const status = page.getByRole("status").filter({ hasText: label });
  await status
    .filter({ hasText: /Done: the change is visible|Failed/ })
    .first()
    .waitFor({ timeout: 30_000 });
  await expect(status.first().textContent()).resolves.toContain("Done: the change is visible");
}

describe("the console web app", () => {
  it("is served at / and at deep links, keeps the API's paths, and loads only same-origin scripts", async () => {
    const root = await fetch(`${w.url}/`);
    expect(root.status).toBe(200);
    expect(root.headers.get("content-type")).toContain("text/html");
    expect(root.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await root.text();
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"><\/script>/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    const asset = await fetch(`${w.url}${script}`);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await (await fetch(`${w.url}/licenses/7`)).text()).toBe(html);
    const api404 = await fetch(`${w.url}/v1/nope`);
    expect(api404.status).toBe(404);
    expect(await api404.json()).toMatchObject({ error: { code: "not_found" } });
    expect((await fetch(`${w.url}/assets/gone-1234.js`)).status).toBe(404);
    expect((await fetch(`${w.url}/health`)).status).toBe(200);
  });

  it("signs a new user in with the email code read from the dev mailbox", async () => {
    await page.goto("/licenses");
    await page.waitForURL(/\/sign-in\?next=%2Flicenses$/);
    await page.getByRole("heading", { name: "Sign in to the DIMO Developer Console" }).waitFor();
    await checkPage("sign-in");
    const email = "dev@example.com";
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByRole("button", { name: "Email me a sign-in code" }).click();
    await expect(page.getByText("no email leaves this machine").textContent()).resolves.toContain("mailbox");
    // A wrong code is refused next to the code field.
    await page.getByLabel("6-digit code").fill("000000");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: /code/i }).waitFor();
    expect(await page.getByLabel("6-digit code").getAttribute("aria-invalid")).toBe("true");
    await signInThroughUi(page, w.h, email);
    expect(new URL(page.url()).pathname).toBe("/licenses");
    await page.getByText("No license yet.").waitFor();
    await checkPage("licenses-empty", false);
  });

  it("creates a license and sees it appear without reloading", async () => {
    await page.evaluate(() => {
      (window as unknown as { noReload: boolean }).noReload = true;
    });
    await page.getByLabel("License name (alias)").fill(alias);
    await page.getByText(`“${alias}” is available`).waitFor();
    await page.getByRole("button", { name: "Create license" }).click();
    await settled(`Creating “${alias}”`);
    const link = page.getByRole("link", { name: alias });
    await link.waitFor();
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
    tokenId = Number((await link.getAttribute("href"))!.split("/").pop());
    // The name is now taken: typing it again says so.
    await page.getByLabel("License name (alias)").fill(alias);
    await page.getByText(`“${alias}” is taken by license ${tokenId}`).waitFor();
    await page.getByLabel("License name (alias)").fill("");
    await checkPage("licenses");
    await link.click();
    await page.getByRole("heading", { name: new RegExp(alias) }).waitFor();
    clientId = (await page.locator("dd code.mono").first().textContent())!;
    expect(clientId).toMatch(/^0x[0-9a-fA-F]{40}$/);
  });

  it("generates an API key, shows it once with a warning and copies it", async () => {
    await page.getByLabel("Label for a new key").fill("laptop");
    await page.getByRole("button", { name: "Generate API key" }).click();
    const reveal = page.getByRole("region", { name: "Your new API key" });
    await reveal.waitFor();
    await expect(reveal.textContent()).resolves.toContain("this is the only time it is shown");
    apiKey = await reveal.getByLabel("API key (private key)").inputValue();
    expect(apiKey).toMatch(/^0x[0-9a-f]{64}$/);
    await reveal.getByRole("button", { name: "Copy API key" }).click();
    await reveal.getByText("Copied").waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(apiKey);
    await settled("Enabling the new API key");
    await page.getByRole("cell", { name: "laptop", exact: true }).waitFor();
    await reveal.getByRole("button", { name: "I have saved it" }).click();
    await expect(reveal.count()).resolves.toBe(0);
  });

  it("adds a redirect URI, with a refusal shown next to the field first", async () => {
    const field = page.getByLabel("Redirect URI to add");
    await field.fill("not a url");
    await page.getByRole("button", { name: "Add redirect URI" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: /uri|URL/ })
      .first()
      .waitFor();
    expect(await field.getAttribute("aria-invalid")).toBe("true");
    await field.fill(REDIRECT);
    await page.getByRole("button", { name: "Add redirect URI" }).click();
    await settled(`Adding ${REDIRECT}`);
    await page.getByRole("list", { name: "Redirect URIs" }).getByText(REDIRECT).waitFor();
  });

  it("shows a vehicle the devnet shares with the license, as it appears", async () => {
    await page.getByText("No vehicle shares data with this license yet").waitFor();
    const chain = w.h.stack.chain;
    ({ vehicleId } = await chain.mintVehicle(DRIVER.address));
    await chain.run({
      kind: "grant",
      vehicleId,
      grantee: clientId as `0x${string}`,
      permissions: permissionMask(1, 6),
      expiration: (await chain.now()) + 86_400n,
    });
    await w.h.stack.synced();
    const row = page.getByRole("row", { name: new RegExp(`Vehicle ${vehicleId}\\b`) });
    await row.waitFor({ timeout: 20_000 });
    await expect(row.textContent()).resolves.toMatch(/GetNonLocationHistory.*GetLiveData/);
    await checkPage("license", "and-phone");
  });

  it("runs the test-my-API-key panel to a developer JWT and a vehicle token; the key never leaves the page", async () => {
    await page.getByRole("link", { name: "Integrate: snippets and test my API key" }).click();
    await page.getByRole("heading", { name: `Integrate ${alias}` }).waitFor();
    await expect(page.getByRole("figure").first().textContent()).resolves.toContain(clientId);
    await page.getByLabel("API key", { exact: true }).fill(apiKey);
    await page.getByRole("button", { name: "Get a developer JWT" }).click();
    await page.getByText(`Signed in as license ${tokenId}: the key works.`).waitFor();
    const claims = page.getByRole("definition").filter({ hasText: clientId });
    await expect(claims.count()).resolves.toBeGreaterThan(0);
    await page.getByLabel("Shared vehicle").selectOption(String(vehicleId));
    await page.getByRole("button", { name: "Get a vehicle token" }).click();
    await page.getByText(`Vehicle token issued for vehicle ${vehicleId}.`).waitFor();
    await checkPage("integrate");
    const bare = apiKey.slice(2);
    for (const r of sent) {
      expect(r.url()).not.toContain(bare);
      expect(r.postData() ?? "").not.toContain(bare);
    }
  });

  it("revokes the key", async () => {
    await page.getByRole("link", { name: `License ${tokenId}` }).click();
    await page.getByRole("button", { name: "Revoke key laptop" }).click();
    await page.getByRole("button", { name: "Confirm: revoke key laptop" }).click();
    await settled("Revoking key “laptop”");
    await page.getByText("No API key yet.").waitFor();
  });

  it("shows another license's public page only to owners of an active license, explaining the refusal", async () => {
    const other = await w.newUser();
    await signInThroughUi(other.page, w.h, "viewer@example.com");
    await other.page.goto(`/licenses/${tokenId}`);
    const refusal = other.page.getByRole("alert").filter({ hasText: "The server did not show this license" });
    await refusal.waitFor();
    await expect(refusal.textContent()).resolves.toContain(
      "requires owning at least one active developer license",
    );
    const previous = page;
    page = other.page;
    await checkPage("public-license-refused", false);
    page = previous;
    // Once the viewer owns a license of their own, the same address shows the public page.
    await other.page.getByRole("link", { name: "Licenses", exact: true }).click();
    await other.page.getByLabel("License name (alias)").fill("viewer-app");
    await other.page.getByText(`“viewer-app” is available`).waitFor();
    await other.page.getByRole("button", { name: "Create license" }).click();
    await other.page.getByRole("link", { name: "viewer-app" }).waitFor({ timeout: 30_000 });
    await other.page.goto(`/licenses/${tokenId}`);
    await other.page.getByRole("heading", { name: new RegExp(alias) }).waitFor();
    await other.page.getByText("Read-only: you do not own this license.").waitFor();
    await expect(other.page.getByText(REDIRECT).count()).resolves.toBe(1);
    await expect(other.page.getByRole("button", { name: /Revoke|Generate/ }).count()).resolves.toBe(0);
    page = other.page;
    await checkPage("public-license");
    page = previous;
    await other.context.close();
  });

  it("links an external wallet through an injected EIP-1193 wallet, and its prepared write is sent from it", async () => {
    await page.getByRole("link", { name: "Wallets" }).click();
    await page.getByRole("heading", { name: "Wallets", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Link my browser wallet" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: `Linked ${WALLET.address}` })
      .waitFor();
    await page.getByRole("row", { name: new RegExp(WALLET.address) }).waitFor();
    await checkPage("wallets");
    // A license owned by the linked wallet: the API prepares, the browser wallet sends.
    await page.getByRole("link", { name: "Licenses", exact: true }).click();
    await page.getByLabel("License name (alias)").fill("wallet-owned-app");
    await page.getByText(`“wallet-owned-app” is available`).waitFor();
    await page.getByLabel("Owner wallet").selectOption(WALLET.address);
    await page.getByRole("button", { name: "Create license" }).click();
    await page.getByRole("button", { name: "Send with my browser wallet" }).click();
    await settled(`Creating “wallet-owned-app”`);
    await page.getByRole("link", { name: "wallet-owned-app" }).waitFor();
  });

  it("lists my operations and their states", async () => {
    await page.getByRole("link", { name: "Operations" }).click();
    const table = page.getByRole("table", { name: "My latest operations, newest first" });
    await table.waitFor();
    await table
      .getByRole("row", { name: /Create license.*Done/ })
      .first()
      .waitFor();
    await table.getByRole("row", { name: /Revoke API key.*Done/ }).waitFor();
    await checkPage("operations");
  });

  it("registers a passkey through Chromium's virtual authenticator and signs in with it", async () => {
    const cdp: CDPSession = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: {
        protocol: "ctap2",
        transport: "internal",
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    // Adding a passkey needs a sign-in within the last 5 minutes: sign in afresh first.
    await page.getByRole("link", { name: "Account" }).click();
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(/\/sign-in\?next=%2Faccount$/);
    await signInThroughUi(page, w.h, "dev@example.com");
    await page.getByRole("link", { name: "Account" }).click();
    await page.getByText("No passkey yet.").waitFor();
    await page.getByLabel("Name for a new passkey").fill("test authenticator");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByText("Passkey “test authenticator” added").waitFor();
    await page.getByRole("list", { name: "My passkeys" }).getByText("test authenticator").waitFor();
    await checkPage("account");
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(/\/sign-in\?next=%2Faccount$/);
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    // Back where the person signed out, signed in by the passkey.
    await page.getByRole("heading", { name: "Account", level: 1 }).waitFor();
    await page
      .getByRole("list", { name: "My passkeys" })
      .getByText(/last used \w/)
      .waitFor();
  });

  it("signs out everywhere: the session is gone from the server too", async () => {
    await page.getByRole("link", { name: "Account" }).click();
    await page.getByRole("button", { name: "Sign out everywhere" }).click();
    await page.getByRole("heading", { name: "Sign in to the DIMO Developer Console" }).waitFor();
    const me = await page.evaluate(async () => (await fetch("/console/me")).status);
    expect(me).toBe(401);
  });
});
