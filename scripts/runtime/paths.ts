import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, wherever the process was started from. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Ponder 0.17 refuses Node < 22; the machine's Node may be 20. The npm package `node@22` (a
 * devDependency) ships a Node 22 binary, which we run Ponder with explicitly.
 */
export function node22(): string {
  const local = path.join(ROOT, "node_modules/node/bin/node");
  if (fs.existsSync(local)) return local;
  if (Number(process.versions.node.split(".")[0]) >= 22) return process.execPath;
  throw new Error("Node 22 not found: run `npm install` (it installs node@22 into node_modules)");
}

export const PONDER_BIN = path.join(ROOT, "node_modules/ponder/dist/esm/bin/ponder.js");
