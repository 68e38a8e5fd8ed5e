import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Browser, type BrowserContext, chromium } from "playwright-core";

// Debian's Chromium (apt `chromium`; .ci/run installs it) driven by playwright-core: browsers
// can't be downloaded here. A missing binary is waited for (an install may still be running),
// then a clear error, never a skip.

const CHROMIUM = "/usr/bin/chromium";

export type Chromium = { context: BrowserContext; close(): Promise<void> };

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

async function waitForChromium() {
  for (let i = 0; !fs.existsSync(CHROMIUM); i++) {
    if (i > 600) throw new Error(`${CHROMIUM} not installed (apt-get install chromium)`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** Headless Chromium for several isolated contexts (one cookie jar each): `browser.newContext()`. */
export async function launchBrowser(): Promise<Browser> {
  await waitForChromium();
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** Headless Chromium with a fresh profile directory (Playwright's --user-data-dir), removed on close. */
export async function launchChromium(label: string): Promise<Chromium> {
  await waitForChromium();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), `${label}-chromium-`));
  try {
    const context = await chromium.launchPersistentContext(path.join(profile, "chromium"), {
      executablePath: CHROMIUM,
      args: ARGS,
    });
    return {
      context,
      async close() {
        await context.close();
        fs.rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}
