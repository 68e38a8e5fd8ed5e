import { describe, expect, it } from "vitest";
import type { IndexerProcess } from "./indexer";
import { onRunning, superviseIndexer } from "./supervisor";

// The supervisor's rules on fake processes: restart after an unexpected exit, retry failed starts
// with backoff, release the lock before each restart, never restart after stop().

type Fake = IndexerProcess & { die(code: number): void };

function fakeProcess(id: number): Fake {
  let exit!: (code: number | null) => void;
  const exited = new Promise<number | null>((r) => {
    exit = r;
  });
  const child = { exitCode: null as number | null, signalCode: null as string | null };
  const die = (code: number) => {
    if (child.exitCode !== null) return;
    child.exitCode = code;
    exit(code);
  };
  return {
    url: `fake://${id}`,
    port: id,
    child: child as unknown as IndexerProcess["child"],
    exited,
    waitForReady: async () => {},
    waitForBlock: async () => {},
    indexedBlock: async () => null,
    stop: async () => die(0),
    die,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("superviseIndexer", () => {
  it("restarts an indexer that exits, after failed starts, releasing the lock before each try", async () => {
    const started: Fake[] = [];
    let failNext = 0;
    const events: string[] = [];
    const supervisor = await superviseIndexer({
      start: async () => {
        if (failNext > 0) {
          failNext--;
          throw new Error("database down");
        }
        const p = fakeProcess(started.length + 1);
        started.push(p);
        return p;
      },
      beforeRestart: async ({ diedAt }) => {
        events.push(`release ${typeof diedAt}`);
      },
      onExit: (code) => events.push(`exit ${code}`),
      onStartFailed: (_e, ms) => events.push(`failed, retry in ${ms}`),
      onRestarted: (attempt) => events.push(`restarted after ${attempt}`),
      initialBackoffMs: 5,
      maxBackoffMs: 20,
    });
    expect(supervisor.current()).toBe(started[0]);

    failNext = 2;
    started[0]!.die(75);
    const next = await supervisor.running();
    expect(next).toBe(started[1]);
    expect(supervisor.exits).toBe(1);
    expect(events).toEqual([
      "exit 75",
      "release number",
      "failed, retry in 20",
      "release number",
      "failed, retry in 20",
      "release number",
      "restarted after 3",
    ]);

    await supervisor.stop();
    expect(started[1]!.child.exitCode).toBe(0);
    await sleep(50);
    expect(started).toHaveLength(2);
    await expect(supervisor.running()).rejects.toThrow(/stopped/);
  });

  it("onRunning retries a task whose process died meanwhile, on the next one", async () => {
    const started: Fake[] = [];
    const supervisor = await superviseIndexer({
      start: async () => {
        const p = fakeProcess(started.length + 1);
        started.push(p);
        return p;
      },
      initialBackoffMs: 5,
    });
    let calls = 0;
    const result = await onRunning(supervisor, async (p) => {
      calls++;
      if (p === started[0]) {
        started[0].die(1);
        throw new Error("exited while waiting for /ready");
      }
      return p.url;
    });
    expect(result).toBe("fake://2");
    expect(calls).toBe(2);
    await supervisor.stop();
  });
});
