// Run after every install (package.json "postinstall"): one fix to Ponder 0.17.7 until upstream has it.
// Its historical sync walks every block of a range of up to 100,001 blocks through a queue backed by
// an array, and Array#shift on an array that large is O(n) (V8 cannot trim it in place): 26 µs per
// block instead of 3, which makes a backfill of a sparse history (DIMO's on Polygon: ~37M blocks,
// nearly all empty) CPU-bound — docs/performance.md. The patch gives that queue an O(1) FIFO. Plain
// ESM with Node built-ins (it runs right after `npm ci`); it changes nothing when Ponder is another
// version or the code differs, and says so.
import fs from "node:fs";
import path from "node:path";

export const MARKER = "/* dimo: O(1) FIFO (scripts/patchPonder.mjs) */";

const FIFO = `${MARKER}
class Fifo {
    items = [];
    head = 0;
    get length() { return this.items.length - this.head; }
    push(item) { this.items.push(item); }
    shift() {
        const item = this.items[this.head];
        this.items[this.head++] = undefined;
        if (this.head > 1024 && this.head * 2 >= this.items.length) {
            this.items = this.items.slice(this.head);
            this.head = 0;
        }
        return item;
    }
    *[Symbol.iterator]() { for (let i = this.head; i < this.items.length; i++) yield this.items[i]; }
}
`;

/** The patched text of ponder/dist/esm/utils/queue.js, the same text if patched already, or null. */
export function patchQueueSource(source) {
  if (source.includes(MARKER)) return source;
  const declared = "    let queue = [];\n";
  const cleared = "            queue = [];\n";
  const entry = "export const createQueue = ";
  if (source.split(declared).length !== 2 || source.split(cleared).length !== 2 || !source.includes(entry))
    return null;
  return source
    .replace(declared, "    let queue = new Fifo();\n")
    .replace(cleared, "            queue = new Fifo();\n")
    .replace(entry, `${FIFO}${entry}`);
}

function main() {
  const dir = path.join(process.cwd(), "node_modules", "ponder");
  const file = path.join(dir, "dist", "esm", "utils", "queue.js");
  if (!fs.existsSync(file)) return; // not installed (yet)
  const { version } = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const source = fs.readFileSync(file, "utf8");
  const patched = version === "0.17.7" ? patchQueueSource(source) : null;
  if (patched === null) {
    console.warn(`patchPonder: ponder ${version} not patched (made for 0.17.7); see scripts/patchPonder.mjs`);
    return;
  }
  if (patched !== source) fs.writeFileSync(file, patched);
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) main();
