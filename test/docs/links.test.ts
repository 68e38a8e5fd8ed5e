import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The README and docs/ cite files and each other's sections. Code moves; these checks make a
// citation that no longer resolves fail the suite instead of sending a reader nowhere.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PAGES = [
  "README.md",
  ...fs
    .readdirSync(path.join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
/** Top-level folders whose paths the docs cite in backticks. */
const SOURCE_ROOTS = ["abis", "api", "config", "devnet", "docs", "domain", "indexer", "scripts", "test"];

/** The page without fenced code blocks (their `#` lines and brackets are not markdown). */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, "");
}

/** GitHub's heading anchors: lowercase, punctuation dropped, each space a hyphen, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*$/gm)) {
    const base = m[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), "utf8");

describe("links in README.md and docs/", () => {
  it("finds the pages", () => {
    expect(PAGES).toContain("docs/configuration.md");
    expect(PAGES.length).toBeGreaterThan(5);
  });

  it.each(PAGES)("%s: every relative link points at an existing file and heading", (page) => {
    const broken: string[] = [];
    for (const m of prose(read(page)).matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
      const [file, anchor] = target.split("#") as [string, string | undefined];
      const resolved =
        file === "" ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), file));
      if (!fs.existsSync(path.join(ROOT, resolved))) {
        broken.push(`${target} (no file ${resolved})`);
        continue;
      }
      if (anchor !== undefined && !anchors(read(resolved)).has(anchor)) broken.push(`${target} (no heading)`);
    }
    expect(broken).toEqual([]);
  });

  it.each(PAGES)("%s: every repository path cited in backticks exists", (page) => {
    const pattern = new RegExp(`\`((?:${SOURCE_ROOTS.join("|")})/[^\`\\s*<>{}]*)\``, "g");
    const missing = [...prose(read(page)).matchAll(pattern)]
      .map((m) => m[1]!)
      .filter((p) => !fs.existsSync(path.join(ROOT, p)));
    expect(missing).toEqual([]);
  });

  it("README.md stays a front page (at most 200 lines)", () => {
    expect(read("README.md").split("\n").length).toBeLessThanOrEqual(200);
  });
});
