import fs from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createWalletClient, type Hex, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { localChain } from "../../devnet/deploy";
import { freePort } from "../../scripts/runtime/ports";
import { ensureWebBuild, WEB_DIST } from "../../scripts/web/build";
import { codeFromMailbox } from "../console/harness";
import { type OpsHarness, opsHarness } from "../console/opsHarness";
import { launchBrowser } from "../support/chromium";

// The console web app against a real stack (anvil + Ponder + API serving the built app), driven in
// Debian's Chromium. PUBLIC_URL is http://localhost:PORT so passkeys (RP id "localhost"), SIWE and
// the Origin check see the page's own origin.

export type WebHarness = {
  h: OpsHarness;
  url: string;
  browser: Browser;
  /** A fresh browser profile (its own cookies), optionally with an injected EIP-1193 test wallet. */
  newUser(opts?: { wallet?: Hex }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
};

export const DESKTOP = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };

export async function webHarness(): Promise<WebHarness> {
  await ensureWebBuild();
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const h = await opsHarness({ port, webDir: WEB_DIST, env: { PUBLIC_URL: url } });
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    await h.close();
    throw error;
  }
  const contexts: BrowserContext[] = [];
  return {
    h,
    url,
    browser,
    async newUser(opts = {}) {
      const context = await browser.newContext({ baseURL: url, viewport: DESKTOP });
      contexts.push(context);
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: url });
      if (opts.wallet) await injectWallet(context, opts.wallet, h.stack.anvil.rpcUrl);
      return { context, page: await context.newPage() };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
      await h.close();
    },
  };
}

/**
 * `window.ethereum` (EIP-1193) backed by a viem local account in the test process: the page asks,
 * Node signs (and sends to anvil). What a browser wallet extension does, minus the prompts.
 */
async function injectWallet(context: BrowserContext, key: Hex, rpcUrl: string) {
  const account = privateKeyToAccount(key);
  const wallet = createWalletClient({ account, chain: localChain(rpcUrl, 31337), transport: http(rpcUrl) });
  await context.exposeFunction("__testWallet", async (method: string, params: unknown[]) => {
    switch (method) {
      case "eth_requestAccounts":
      case "eth_accounts":
        return [account.address];
      case "eth_chainId":
        return "0x7a69";
      case "personal_sign":
        return account.signMessage({ message: { raw: params[0] as Hex } });
      case "eth_sendTransaction": {
        const tx = params[0] as { to: Hex; data: Hex; value?: Hex };
        return wallet.sendTransaction({ to: tx.to, data: tx.data, value: BigInt(tx.value ?? "0x0") });
      }
      default:
        throw new Error(`test wallet: ${method} is not supported`);
    }
  });
  await context.addInitScript(() => {
    const call = (window as unknown as { __testWallet(m: string, p: unknown[]): Promise<unknown> })
      .__testWallet;
    (window as unknown as { ethereum: unknown }).ethereum = {
      request: ({ method, params }: { method: string; params?: unknown[] }) => call(method, params ?? []),
    };
  });
}

/** Signs in through the sign-in page with the code the dev mailbox received. */
export async function signInThroughUi(page: Page, h: OpsHarness, email: string) {
  await page.goto("/");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByRole("button", { name: "Email me a sign-in code" }).click();
  // The code field shows once the server answered, so the mail (the newest for this address) is written.
  const field = page.getByLabel("6-digit code");
  await field.waitFor();
  await field.fill(await codeFromMailbox(h.dataDir, email));
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("heading", { name: "My licenses" }).waitFor();
}

const AXE = fs.readFileSync(path.resolve("node_modules/axe-core/axe.min.js"), "utf8");

export type AxeViolation = { id: string; impact: string; help: string; nodes: { target: string[] }[] };

/**
 * axe-core in the page (evaluated through the DevTools protocol, which the page's CSP does not
 * govern): the serious and critical violations of WCAG 2.1 A/AA and best practices.
 */
export async function axe(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE);
  const result = (await page.evaluate(() =>
    (window as unknown as { axe: { run(o: unknown): Promise<unknown> } }).axe.run({
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
      resultTypes: ["violations"],
    }),
  )) as { violations: AxeViolation[] };
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
}

/** How far the page is wider than the viewport (0: no sideways scrolling). */
export async function overflowX(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** `npm run screenshots` sets WEB_SCREENSHOTS: the pages a reader sees in docs/console.md. */
export async function screenshot(page: Page, name: string) {
  const dir = process.env.WEB_SCREENSHOTS;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true, animations: "disabled" });
}
