import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { envSchema } from "./env";

// docs/configuration.md promises ONE table of every environment variable. These checks keep it
// true: a variable added to the schema (or read with process.env anywhere) without a row fails,
// and so does a row whose variable nothing reads any more, or a default the schema no longer has.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DOC = path.join(ROOT, "docs", "configuration.md");
/** The operating system's, not ours. */
const SYSTEM = new Set(["PATH", "HOME", "TMPDIR"]);
const PARTS = new Set(["all", "npm start", "indexer", "API", "scripts", "tests", "bench"]);
const SOURCE_DIRS = ["abis", "api", "config", "devnet", "domain", "indexer", "scripts", "test"];

type Row = { variable: string; defaultCell: string; meaning: string; readBy: string[] };

function tableRows(markdown: string): Row[] {
  const section = markdown.split(/^## Every variable$/m)[1];
  if (!section) throw new Error("docs/configuration.md has no '## Every variable' section");
  const lines = section.split("\n").filter((l) => l.startsWith("| `"));
  return lines.map((line) => {
    const cells = line
      .slice(1, -1)
      .split("|")
      .map((c) => c.trim());
    if (cells.length !== 4) throw new Error(`not a 4-column row: ${line}`);
    const [name, defaultCell, meaning, readBy] = cells as [string, string, string, string];
    return {
      variable: name.replace(/`/g, ""),
      defaultCell,
      meaning,
      readBy: readBy.split(",").map((p) => p.trim()),
    };
  });
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name)) out.push(full);
  }
  return out;
}

/** Every variable the repository's code reads from process.env (dotted or bracketed, literal names). */
function variablesReadByCode(): Set<string> {
  const files = [
    ...SOURCE_DIRS.flatMap((d) => sourceFiles(path.join(ROOT, d))),
    ...fs
      .readdirSync(ROOT)
      .filter((f) => /\.(ts|mts)$/.test(f))
      .map((f) => path.join(ROOT, f)),
  ];
  const found = new Set<string>();
  const pattern = /process\.env(?:\.([A-Z_][A-Z0-9_]*)|\[["']([A-Z_][A-Z0-9_]*)["']\])/g;
  for (const file of files) {
    for (const m of fs.readFileSync(file, "utf8").matchAll(pattern)) {
      const name = (m[1] ?? m[2])!;
      if (!SYSTEM.has(name)) found.add(name);
    }
  }
  return found;
}

const rows = tableRows(fs.readFileSync(DOC, "utf8"));
const documented = rows.map((r) => r.variable);
const schemaKeys = Object.keys(envSchema.shape);
const readByCode = variablesReadByCode();

describe("docs/configuration.md", () => {
  it("parses as one table of many rows", () => {
    expect(rows.length).toBeGreaterThan(schemaKeys.length);
  });

  it("lists each variable once", () => {
    const seen = new Set<string>();
    const twice = documented.filter((v) => seen.has(v) || !seen.add(v));
    expect(twice).toEqual([]);
  });

  it("documents every variable of the config/env.ts schema", () => {
    expect(schemaKeys.filter((k) => !documented.includes(k))).toEqual([]);
  });

  it("documents every variable the code reads from process.env", () => {
    expect([...readByCode].filter((k) => !documented.includes(k)).sort()).toEqual([]);
  });

  it("documents no variable that neither the schema nor the code reads", () => {
    expect(documented.filter((v) => !schemaKeys.includes(v) && !readByCode.has(v))).toEqual([]);
  });

  it("states the schema's literal defaults", () => {
    const wrong: string[] = [];
    for (const [key, schema] of Object.entries(envSchema.shape)) {
      // What the variable becomes when unset: the schema's default, or undefined.
      const parsed = (schema as z.ZodType).safeParse(undefined);
      expect(parsed.success, key).toBe(true);
      const value = parsed.data;
      const literal =
        typeof value === "number" ||
        typeof value === "boolean" ||
        (typeof value === "string" && value !== "");
      if (!literal) continue;
      const row = rows.find((r) => r.variable === key);
      if (row && !row.defaultCell.includes(`\`${String(value)}\``))
        wrong.push(`${key}: schema default ${String(value)}, documented ${row.defaultCell}`);
    }
    expect(wrong).toEqual([]);
  });

  it("names a known part in every 'read by' cell and a meaning in every row", () => {
    const bad = rows
      .filter((r) => r.meaning === "" || r.readBy.some((p) => !PARTS.has(p)))
      .map((r) => `${r.variable}: ${r.readBy.join(", ")}`);
    expect(bad).toEqual([]);
  });
});
