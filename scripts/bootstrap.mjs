// `npm start` and `npm test` run this first (prestart / pretest), so each works as the first command
// after `git clone`: it installs node_modules when it is missing or older than package-lock.json.
// It runs before anything is installed, on whatever Node is on PATH (the machine's, possibly older
// than the node@22 the install brings), so it is plain ESM with Node built-ins only. Run from the
// package root (npm runs scripts there). `--check` only prints what would be done (exit 1: install due).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = process.cwd();

const readJson = (file) => JSON.parse(fs.readFileSync(path.join(root, file), "utf8"));

/**
 * Why node_modules must be (re)installed, or null when it holds exactly what package-lock.json
 * pins. npm records what it installed in node_modules/.package-lock.json; comparing its packages
 * with the lockfile's (version and integrity) catches a lockfile changed by a pull or a branch
 * switch, and unlike file times it stays right after `npm install` (which updates both).
 * Optional packages may be missing: npm skips those for other platforms.
 */
function staleReason() {
  if (!fs.existsSync(path.join(root, "node_modules"))) return "node_modules is missing";
  let installed;
  try {
    installed = readJson("node_modules/.package-lock.json").packages ?? {};
  } catch {
    return "node_modules has no record of its install (node_modules/.package-lock.json)";
  }
  const wanted = readJson("package-lock.json").packages ?? {};
  for (const [key, want] of Object.entries(wanted)) {
    if (key === "") continue; // the project itself
    const have = installed[key];
    if (!have) {
      if (want.optional) continue;
      return `${key} is missing`;
    }
    if (have.version !== want.version || (want.integrity && have.integrity !== want.integrity)) {
      return `${key} is ${have.version}, package-lock.json wants ${want.version}`;
    }
  }
  for (const key of Object.keys(installed)) {
    if (!(key in wanted)) return `${key} is installed but no longer in package-lock.json`;
  }
  return null;
}

/** `npm ci` with its output and progress shown; stops npm start/test when it fails. */
function install(reason) {
  console.log(`${reason}: installing with npm ci (about a minute on a fresh clone)`);
  const began = Date.now();
  // The npm that runs this script, on the Node that runs that npm (not node_modules' own Node,
  // which npm ci deletes); plain `npm` on PATH when started by hand.
  const npm = process.env.npm_execpath;
  const [command, args] = npm
    ? [process.env.npm_node_execpath ?? process.execPath, [npm, "ci"]]
    : ["npm", ["ci"]];
  const run = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (run.status !== 0) {
    console.error(`npm ci failed (${run.error?.message ?? `exit ${run.status ?? run.signal}`})`);
    process.exit(run.status || 1);
  }
  console.log(`installed in ${Math.round((Date.now() - began) / 1000)} s`);
}

const reason = staleReason();
if (process.argv.includes("--check")) {
  console.log(reason ?? "node_modules matches package-lock.json");
  process.exit(reason ? 1 : 0);
}
if (reason) install(reason);

// Build steps that npm start and npm test both need go here, after the install (e.g. the console
// web app's bundle), each skipping its work when its output is already newer than its sources.
