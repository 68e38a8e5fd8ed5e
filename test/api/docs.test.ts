import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/runtime/ports";
import { type Chromium, launchChromium } from "../support/chromium";
import { type ApiHarness, apiHarness, type Served, serve } from "./harness";

const PUBLIC_PATHS = [
  "/v1/licenses",
  "/v1/licenses/by-client-id/{clientId}",
  "/v1/licenses/by-alias/{alias}",
  "/v1/licenses/{tokenId}",
  "/v1/licenses/{tokenId}/vehicles",
  "/v1/licenses/{tokenId}/events",
  "/v1/aliases/{alias}",
  "/v1/vehicles/{vehicleId}",
  "/v1/stats",
  "/health",
  "/ready",
  "/status",
];

let h: ApiHarness;
let api: Served;
let browser: BrowserContext;
let chromium: Chromium;

beforeAll(async () => {
  h = await apiHarness();
  api = await serve(h, await freePort());
  chromium = await launchChromium("docs");
  browser = chromium.context;
}, 900_000);

afterAll(async () => {
  await chromium?.close();
  await api?.close();
  await h?.close();
});

describe("/docs", () => {
  it("renders every public route in a real browser with all assets served locally (offline)", async () => {
    const page = await browser.newPage();
    const blocked: string[] = [];
    const loaded: string[] = [];
    const problems: string[] = [];
    // Offline: anything not on loopback is aborted and recorded.
    await page.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.protocol === "data:" || ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
        loaded.push(url.pathname);
        return route.continue();
      }
      blocked.push(url.href);
      return route.abort();
    });
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(e.message));

    const res = await page.goto(`${api.url}/docs`);
    expect(res?.status()).toBe(200);
    await page.waitForSelector(".opblock", { timeout: 30_000 });
    await page.waitForFunction(`document.querySelectorAll(".opblock").length >= ${PUBLIC_PATHS.length}`);

    const shown = await page.$$eval(".opblock-summary-path", (els) =>
      els.map((e) => e.getAttribute("data-path") ?? e.textContent ?? ""),
    );
    for (const p of PUBLIC_PATHS) expect(shown.map((s) => s.replace(/\u200b/g, ""))).toContain(p);
    expect(await page.title()).toBe("DIMO Console API");
    expect(blocked).toEqual([]);
    expect(loaded).toEqual(
      expect.arrayContaining([
        "/docs",
        "/docs/assets/swagger-ui.css",
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/init.js",
        "/openapi.json",
      ]),
    );
    // Nothing refused by the CSP or broken in the page.
    expect(problems).toEqual([]);
    await page.close();
  });
});
