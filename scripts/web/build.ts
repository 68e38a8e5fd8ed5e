import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "../runtime/paths";

// Builds the console web app (web/) with Vite into web/dist, which the API serves at `/`. Build
// output is not committed: `npm start` and the browser tests call ensureWebBuild(), which builds
// only when web/dist is missing or was built from other sources (a hash of every input file).
// `npm run web:build` does the same from the command line (`--force` rebuilds anyway).

export const WEB_ROOT = path.join(ROOT, "web");
export const WEB_DIST = path.join(WEB_ROOT, "dist");
const HASH_FILE = ".source-hash";
const LOCK = path.join(WEB_ROOT, ".build-lock");
/** Inputs besides web/: the dependency versions and this build's own settings. */
const EXTRA_INPUTS = [path.join(ROOT, "package-lock.json"), path.join(ROOT, "scripts/web/build.ts")];

function inputFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(full);
    }
  };
  walk(path.join(WEB_ROOT, "src"));
  for (const dir of ["public"]) if (fs.existsSync(path.join(WEB_ROOT, dir))) walk(path.join(WEB_ROOT, dir));
  files.push(path.join(WEB_ROOT, "index.html"), ...EXTRA_INPUTS);
  return files.sort();
}

/** sha256 over every input's path and bytes. */
export function sourceHash(): string {
  const hash = createHash("sha256");
  for (const file of inputFiles()) {
    hash.update(path.relative(ROOT, file));
    hash.update("\0");
    hash.update(fs.readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

export function builtHash(dir = WEB_DIST): string | null {
  try {
    return fs.readFileSync(path.join(dir, HASH_FILE), "utf8").trim();
  } catch {
    return null;
  }
}

/** One build at a time on this checkout (npm start and parallel test files may ask together). */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // A lock older than any build is a crashed builder's.
      const age = Date.now() - (fs.statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 3 * 60_000) fs.rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`web build: ${LOCK} held for 5 minutes`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Runs Vite: a fresh folder, then swapped in, so a server never reads a half-written build. */
async function viteBuild(hash: string): Promise<void> {
  const { build } = await import("vite");
  const out = path.join(WEB_ROOT, `.dist-${process.pid}`);
  fs.rmSync(out, { recursive: true, force: true });
  // Vite takes NODE_ENV from the environment when set: under vitest it is "test", which would ship
  // React's development build. The app is always built for production.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await runVite(build, out);
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  fs.writeFileSync(path.join(out, HASH_FILE), `${hash}\n`);
  fs.rmSync(WEB_DIST, { recursive: true, force: true });
  fs.renameSync(out, WEB_DIST);
}

async function runVite(build: typeof import("vite").build, out: string) {
  await build({
    root: WEB_ROOT,
    configFile: false,
    logLevel: "warn",
    base: "/",
    mode: "production",
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
    // Vite 8 transforms TSX with Oxc: React's automatic runtime, no Babel or plugin needed.
    oxc: { jsx: { runtime: "automatic", importSource: "react" } },
    build: {
      outDir: out,
      emptyOutDir: true,
      target: "es2022",
      sourcemap: false,
      reportCompressedSize: false,
      // Every script is a file of its own: the API's CSP allows scripts from 'self' only.
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      rolldownOptions: {
        // React libraries mark modules "use client" for server components; a browser bundle has none.
        onwarn(warning, warn) {
          if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
        },
      },
    },
  });
}

/**
 * Builds web/dist unless it already holds a build of the current sources. Returns whether it
 * built. Needs the dev dependencies (vite, react…): `npm install` installs them.
 */
export async function ensureWebBuild(opts: { force?: boolean; log?: (line: string) => void } = {}) {
  const hash = sourceHash();
  if (!opts.force && builtHash() === hash) return { built: false, dir: WEB_DIST };
  return withLock(async () => {
    if (!opts.force && builtHash() === hash) return { built: false, dir: WEB_DIST };
    const t0 = Date.now();
    opts.log?.("web: building the console app (web/ changed or not built yet)…");
    await viteBuild(hash);
    opts.log?.(`web: built in ${((Date.now() - t0) / 1000).toFixed(1)}s → ${path.relative(ROOT, WEB_DIST)}`);
    return { built: true, dir: WEB_DIST };
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  ensureWebBuild({
    force: process.argv.includes("--force"),
    log: (l) => process.stdout.write(`${l}\n`),
  }).then(
    (r) => {
      if (!r.built) process.stdout.write("web: up to date\n");
      process.exit(0);
    },
    (error) => {
      process.stderr.write(`web build failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
