import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newWorld, randomStep, type World } from "../../devnet/activity";
import { cassetteChain } from "../../devnet/demoChain";
import { localClientId } from "../../devnet/deploy";
import { type Rng, rng } from "../../devnet/prng";
import { DEV_ACCOUNTS, type Step } from "../../devnet/scenario";
import { stateDigest } from "../../scripts/replay/digest";
import { syncedDigest } from "../support/replay";
import { type Stack, startStack } from "../support/stack";
import { type LiveApi, startLiveApi } from "./support/api";
import { BASE_SEED, caseSeed, reproduce, selectCases, withRepro } from "./support/seeds";

// Reorgs during realtime indexing: snapshot → mine branch A (license + grant events) → let the
// indexer and the API show it → revert → mine a longer branch B with different events. The API is
// polled all along (never an error); once its own /status is past A's head it must never show
// anything only branch A had, and the final state equals a fresh sync of the chain. (One poll reads
// many paths over some milliseconds, so it may straddle Ponder's commit; only /status, read first,
// orders a poll after the reorg.)
// Depths stay ≤ 10, well inside the 30 blocks Ponder keeps unfinalized on chain 31337.

const SUITE = "reorg";
const depths = selectCases([3, 10], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

let stack: Stack;
let api: LiveApi;
let world: World;
let nextToken = 1n;
let nextVehicle = 1n;

/** Planned steps per block, with the token and vehicle ids they will create (ids are sequential). */
type Branch = { blocks: Step[][]; world: World; tokens: bigint[]; vehicles: bigint[] };

function cloneWorld(w: World, tag: string): World {
  return {
    licenses: [...w.licenses],
    vehicles: w.vehicles.map((v) => ({ ...v })),
    aliasCount: w.aliasCount,
    tag,
  };
}

function planBranch(r: Rng, base: World, blocks: number, tag: string, now: bigint): Branch {
  const w = cloneWorld(base, tag);
  const devLicense = stack.deployment.devLicense;
  let token = nextToken;
  let vehicle = nextVehicle;
  const tokens: bigint[] = [];
  const vehicles: bigint[] = [];
  const touched = (step: Step) => {
    if (step.kind === "issue") {
      const clientId = localClientId(token, devLicense);
      w.licenses.push({ tokenId: token, clientId });
      tokens.push(token++);
    } else if (step.kind === "mintVehicle") {
      w.vehicles.push({ vehicleId: vehicle, owner: step.owner });
      vehicles.push(vehicle++);
    } else if ("tokenId" in step && typeof step.tokenId !== "undefined") {
      tokens.push(BigInt(step.tokenId));
    }
    if ("vehicleId" in step) vehicles.push(BigInt(step.vehicleId));
    if ("grantee" in step || "user" in step) {
      const to = "grantee" in step ? step.grantee : step.user;
      const lic = w.licenses.find((l) => l.clientId.toLowerCase() === to.toLowerCase());
      if (lic) tokens.push(lic.tokenId);
    }
  };
  const out: Step[][] = [];
  for (let b = 0; b < blocks; b++) {
    const steps: Step[] = [];
    // Every branch issues a license in its first block and grants it a vehicle in its last.
    if (b === 0)
      steps.push({
        kind: "issue",
        owner: r.pick(DEV_ACCOUNTS.slice(1, 6)).address,
        alias: `${tag}-${w.aliasCount++}`,
      });
    for (const s of steps) touched(s);
    const extra = r.int(b === 0 ? 0 : 1, 2);
    for (let i = 0; i < extra; i++) {
      const step = randomStep(r, w, now);
      touched(step);
      steps.push(step);
    }
    if (b === blocks - 1) {
      const lic = w.licenses[w.licenses.length - 1]!;
      const grant: Step = {
        kind: "grant",
        vehicleId: r.pick(w.vehicles).vehicleId,
        grantee: lic.clientId,
        permissions: BigInt(r.int(1, 0xffff)) << 2n,
        expiration: now + 400n * 86_400n,
        source: `ipfs://${tag}`,
      };
      touched(grant);
      steps.push(grant);
    }
    out.push(steps);
  }
  return { blocks: out, world: w, tokens, vehicles };
}

/** What the API says, per path: `status body`. */
type View = Map<string, string>;

function pathsFor(...branches: Branch[]): string[] {
  const tokens = new Set(branches.flatMap((b) => b.tokens));
  const vehicles = new Set(branches.flatMap((b) => b.vehicles));
  const paths: string[] = [];
  for (const t of [...tokens].sort()) {
    paths.push(
      `/v1/licenses/${t}`,
      `/v1/licenses/${t}/vehicles?limit=100`,
      `/v1/licenses/${t}/events?limit=100`,
    );
  }
  for (const v of [...vehicles].sort()) paths.push(`/v1/vehicles/${v}`);
  return paths;
}

async function view(paths: string[]): Promise<View> {
  const answers = await Promise.all(paths.map((p) => api.get(p)));
  return new Map(paths.map((p, i) => [p, `${answers[i]!.status} ${JSON.stringify(answers[i]!.body)}`]));
}

async function apiIndexedBlock(): Promise<number | null> {
  const { status, body } = await api.get("/status");
  return status === 200 ? ((body as { indexedBlock: number | null }).indexedBlock ?? null) : null;
}

async function mine(branch: Branch): Promise<bigint> {
  for (const steps of branch.blocks) {
    if (steps.length === 1) await stack.chain.run(steps[0]!);
    else await stack.chain.batch(steps);
  }
  return stack.chain.blockNumber();
}

type Observation = { at: number; indexedBlock: number | null; view: View; errors: string[] };

/** Polls /status then every path (in that order, so a "processed" status precedes the rows read). */
function poll(paths: string[]) {
  const observations: Observation[] = [];
  let running = true;
  const t0 = performance.now();
  const loop = (async () => {
    while (running) {
      const indexedBlock = await apiIndexedBlock();
      const v = await view(paths);
      const errors = [...v.entries()]
        .filter(([, value]) => !/^(200|404) /.test(value))
        .map(([p, value]) => `${p} → ${value.slice(0, 200)}`);
      observations.push({ at: performance.now() - t0, indexedBlock, view: v, errors });
    }
  })();
  return {
    observations,
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** Paths where `v` shows what only `mine` had (not the common past, not the other branch). */
function evidence(v: View, mine: View, other: View, past: View): string[] {
  return [...v.keys()].filter((p) => {
    const value = v.get(p);
    return value === mine.get(p) && value !== other.get(p) && value !== past.get(p);
  });
}

beforeAll(async () => {
  stack = await startStack({
    before: async (chain) => {
      const [alice, bob, carol, dave] = DEV_ACCOUNTS.slice(1, 5).map((a) => a.address);
      world = newWorld("base");
      for (const owner of [alice!, bob!]) {
        const r = await chain.issue(owner, { alias: `base-${world.aliasCount++}` });
        world.licenses.push({ tokenId: r.tokenId, clientId: r.clientId });
        nextToken = r.tokenId + 1n;
      }
      for (const owner of [carol!, carol!, dave!]) {
        const r = await chain.mintVehicle(owner);
        world.vehicles.push({ vehicleId: r.vehicleId, owner });
        nextVehicle = r.vehicleId + 1n;
      }
    },
  });
  api = await startLiveApi({ env: stack.env, databaseUrl: stack.db.apiUrl, rpcUrl: stack.anvil.rpcUrl });
}, 180_000);

afterAll(async () => {
  await api?.stop();
  await stack?.stop();
});

describe(`reorgs during realtime indexing (seed ${BASE_SEED})`, () => {
  it.each(depths)(
    "depth %i: the API drops branch A once it has processed the longer branch B",
    async (depth) => {
      await withRepro(SUITE, depth, async () => {
        const r = rng(caseSeed(SUITE, depth));
        await stack.synced();
        const now = await stack.chain.now();
        const a = planBranch(r, world, depth, `a${depth}`, now);
        const b = planBranch(r, world, depth + r.int(1, 2), `b${depth}`, now);
        const paths = pathsFor(a, b);
        const past = await view(paths);

        const snapshot = await stack.chain.snapshot();
        const headA = await mine(a);
        await stack.indexer.waitForBlock(headA);
        const seenA = await view(paths);
        expect(evidence(seenA, seenA, past, past).length, "branch A never showed in the API").toBeGreaterThan(
          0,
        );

        const poller = poll(paths);
        await stack.chain.revert(snapshot);
        const headB = await mine(b);
        expect(headB).toBeGreaterThan(headA);
        await stack.indexer.waitForBlock(headB);
        const until = Date.now() + 30_000;
        while (((await apiIndexedBlock()) ?? 0) < Number(headB) && Date.now() < until) {
          await new Promise((res) => setTimeout(res, 50));
        }
        // A few more rounds after the API reports B's head, to catch rows coming back.
        const settled = poller.observations.length + 3;
        while (poller.observations.length < settled) await new Promise((res) => setTimeout(res, 20));
        await poller.stop();
        const seenB = await view(paths);

        const onlyA = (v: View) => evidence(v, seenA, seenB, past);
        const onlyB = (v: View) => evidence(v, seenB, seenA, past);
        expect(onlyB(seenB).length, "branch B never showed in the API").toBeGreaterThan(0);
        expect(onlyA(seenB), "branch A rows after the reorg").toEqual([]);
        let processed = 0;
        for (const o of poller.observations) {
          expect(o.errors, `non-200/404 answers at ${o.at.toFixed(0)} ms`).toEqual([]);
          const fromA = onlyA(o.view);
          if (o.indexedBlock !== null && o.indexedBlock > Number(headA)) {
            processed++;
            expect(
              fromA,
              `branch A served at ${o.at.toFixed(0)} ms, after /status showed block ${o.indexedBlock}`,
            ).toEqual([]);
          }
        }
        expect(processed, "the poller never saw the reorg processed").toBeGreaterThan(0);
        process.stdout.write(
          `[${SUITE}] depth ${depth}: A ${a.blocks.length} blocks → B ${b.blocks.length} blocks; ` +
            `${poller.observations.length} polls of ${paths.length} paths (${processed} after processing), none stale\n`,
        );
        world = b.world;
        nextToken += BigInt(b.blocks.flat().filter((s) => s.kind === "issue").length);
        nextVehicle += BigInt(b.blocks.flat().filter((s) => s.kind === "mintVehicle").length);
      });
    },
    180_000,
  );

  it("ends in the state of a fresh sync of the canonical chain", async () => {
    await withRepro(SUITE, undefined, async () => {
      const head = await stack.synced();
      const got = await stateDigest(stack.pool);
      const fresh = await syncedDigest(stack.anvil.rpcUrl, cassetteChain(stack.deployment), head);
      expect(got.tables, `reproduce: ${reproduce(SUITE)}`).toEqual(fresh.tables);
      expect(got.sha256).toBe(fresh.sha256);
      process.stdout.write(`[${SUITE}] final digest ${got.sha256} equals a fresh sync\n`);
    });
  }, 180_000);
});
