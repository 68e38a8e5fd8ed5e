import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MARKER, patchQueueSource } from "./patchPonder.mjs";
import { ROOT } from "./runtime/paths";

const QUEUE = path.join(ROOT, "node_modules/ponder/dist/esm/utils/queue.js");

describe("patchPonder", () => {
  it("gives Ponder's queue an O(1) FIFO once, and leaves unknown code alone", () => {
    const original = [
      "    let queue = [];\n",
      "            queue = [];\n",
      "export const createQueue = () => {};\n",
    ].join("");
    const patched = patchQueueSource(original)!;
    expect(patched).toContain("let queue = new Fifo();");
    expect(patched).toContain("queue = new Fifo();");
    expect(patched.indexOf(MARKER)).toBeLessThan(patched.indexOf("export const createQueue"));
    expect(patchQueueSource(patched)).toBe(patched);
    expect(patchQueueSource("let queue = new Deque();")).toBeNull();
  });

  it("is applied to the installed Ponder, which still runs tasks in order", async () => {
    expect(fs.readFileSync(QUEUE, "utf8")).toContain(MARKER);
    const { createQueue } = await import(QUEUE);
    const seen: number[] = [];
    const queue = createQueue({
      browser: false,
      initialStart: true,
      concurrency: 100,
      worker: async (n: number) => {
        seen.push(n);
        return n * 2;
      },
    });
    const n = 100_001; // one Ponder backfill interval
    const results = await Promise.all(Array.from({ length: n }, (_, i) => queue.add(i)));
    expect(results[n - 1]).toBe((n - 1) * 2);
    expect(seen.every((v, i) => v === i)).toBe(true);
    expect(queue.size()).toBe(0);
  });
});
