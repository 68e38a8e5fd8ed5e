import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spreadHistory } from "../../devnet/activity";
import { cassetteChain, type PinnedChain, startPinnedAnvil } from "../../devnet/demoChain";
import { deployDimo } from "../../devnet/deploy";
import { createChain } from "../../devnet/scenario";
import type { CassetteChain } from "../../scripts/replay/cassette";
import type { StateDigest } from "../../scripts/replay/digest";
import { type FaultMix, NO_FAULTS, startFaultyRpc } from "../../scripts/replay/faultyRpc";
import { syncedDigest } from "../support/replay";
import { BASE_SEED, caseSeed, FULL, selectCases, withRepro } from "./support/seeds";

// The indexer synced through a misbehaving RPC (seeded errors, 429s, dropped connections, hangs past
// the client timeout, slow answers, eth_getLogs range caps in several providers' words) ends with
// exactly the state of a sync through a healthy one.

const SUITE = "rpcFaults";

/** Case index → fault mix; the total fault rate stays ≤ 5 % as in Ponder's own simulation. */
const MIXES: Array<{ name: string; faults: FaultMix }> = [
  {
    name: "mixed 5% + range cap 100",
    faults: {
      ...NO_FAULTS,
      errorRate: 0.03,
      rateLimitRate: 0.01,
      dropRate: 0.008,
      hangRate: 0.002,
      slowRate: 0.05,
      slowMs: [20, 300],
      getLogsMaxBlocks: 100,
    },
  },
  {
    name: "5% JSON-RPC errors + range cap 100",
    faults: { ...NO_FAULTS, errorRate: 0.05, getLogsMaxBlocks: 100 },
  },
  { name: "5% HTTP 429", faults: { ...NO_FAULTS, rateLimitRate: 0.05 } },
  {
    name: "5% dropped connections + range cap 100",
    faults: { ...NO_FAULTS, dropRate: 0.05, getLogsMaxBlocks: 100 },
  },
  {
    name: "1% hangs, 20% slow answers",
    faults: { ...NO_FAULTS, hangRate: 0.01, slowRate: 0.2, slowMs: [100, 800] },
  },
];

const cases = selectCases(
  [0],
  MIXES.map((_, i) => i),
);
let pinned: PinnedChain;
let chain: CassetteChain;
let head: bigint;
/** The healthy sync, running beside the first faulty one (both only read the pinned chain). */
let clean: Promise<StateDigest>;

beforeAll(async () => {
  await withRepro(SUITE, undefined, async () => {
    pinned = await startPinnedAnvil();
    const deployment = await deployDimo(pinned.rpcUrl);
    chain = cassetteChain(deployment);
    // Events over ~500 blocks: several 100-block windows each hold logs of every contract.
    const history = await spreadHistory(createChain(pinned.rpcUrl, deployment), {
      seed: caseSeed(SUITE, -1),
      txs: FULL ? 60 : 40,
      maxGap: 20,
    });
    head = history.head;
    clean = syncedDigest(pinned.rpcUrl, chain, head);
    clean.catch(() => {}); // awaited (and reported) by each case
  });
}, 180_000);

afterAll(async () => {
  await pinned?.stop();
});

describe(`indexer through a fault-injecting RPC (seed ${BASE_SEED})`, () => {
  it.each(cases)(
    "case %i: digest equals the clean sync",
    async (index) => {
      const mix = MIXES[index]!;
      await withRepro(SUITE, index, async () => {
        const proxy = await startFaultyRpc({
          upstream: pinned.rpcUrl,
          seed: caseSeed(SUITE, index),
          faults: mix.faults,
        });
        try {
          const digest = await syncedDigest(proxy.rpcUrl, chain, head);
          const s = proxy.stats;
          const expected = await clean;
          process.stdout.write(
            `[${SUITE}] case ${index} (${mix.name}): ${s.requests} requests, ${s.errors} errors, ` +
              `${s.rateLimited} 429s, ${s.dropped} drops, ${s.hung} hangs, ${s.slowed} slow, ` +
              `${s.rangeRefused} range refusals; digest ${digest.sha256 === expected.sha256 ? "equal" : "DIFFERENT"}\n`,
          );
          expect(digest.tables).toEqual(expected.tables);
          expect(digest.sha256).toBe(expected.sha256);
          const injected = s.errors + s.rateLimited + s.dropped + s.hung + s.slowed;
          expect(injected, "the proxy injected no fault at all").toBeGreaterThan(0);
          if (mix.faults.getLogsMaxBlocks !== null) expect(s.rangeRefused).toBeGreaterThan(0);
        } finally {
          await proxy.stop();
        }
      });
    },
    300_000,
  );
});
