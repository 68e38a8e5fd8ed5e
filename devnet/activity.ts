import type { Address } from "viem";
import { type Rng, rng } from "./prng";
import { DEV_ACCOUNTS, permissionMask, type ScenarioChain, type Step } from "./scenario";

// Seeded chain activity for the fault suites: licenses (issue, alias, signer, redirect URI, revoke)
// and vehicle sharing (mint, SACD grants both versions, privileges, transfers) spread over many
// blocks, so eth_getLogs range caps and realtime polling both see events everywhere.

const YEAR = 365n * 86_400n;
const OWNERS = DEV_ACCOUNTS.slice(1, 6).map((a) => a.address);
const MASKS = [permissionMask(1), permissionMask(1, 3), permissionMask(1, 2, 3, 4), permissionMask(5, 6)];

type License = { tokenId: bigint; clientId: Address };
type Vehicle = { vehicleId: bigint; owner: Address };

/** What the activity built so far; steps pick among these. */
export type World = { licenses: License[]; vehicles: Vehicle[]; aliasCount: number; tag: string };

export function newWorld(tag: string): World {
  return { licenses: [], vehicles: [], aliasCount: 0, tag };
}

/** One seeded step that is valid in `world` (issues and mints first, so later steps have targets). */
export function randomStep(r: Rng, world: World, now: bigint): Step {
  const owner = r.pick(OWNERS);
  if (world.licenses.length < 2 || r.chance(0.15)) {
    const alias = r.chance(0.7) ? `${world.tag}-${world.aliasCount++}` : undefined;
    return { kind: "issue", owner, ...(alias ? { alias } : {}) };
  }
  if (world.vehicles.length < 2 || r.chance(0.12)) return { kind: "mintVehicle", owner };
  const license = r.pick(world.licenses);
  const vehicle = r.pick(world.vehicles);
  const expiration = now + YEAR + BigInt(r.int(0, 86_400));
  switch (r.int(0, 7)) {
    case 0:
      return { kind: "setAlias", tokenId: license.tokenId, alias: `${world.tag}-${world.aliasCount++}` };
    case 1:
      return { kind: "enableSigner", tokenId: license.tokenId, signer: r.pick(OWNERS) };
    case 2:
      return {
        kind: "setRedirectUri",
        tokenId: license.tokenId,
        uri: `https://${world.tag}.example/cb/${r.int(0, 3)}`,
        enabled: r.chance(0.8),
      };
    case 3:
      return {
        kind: "grantLegacy",
        vehicleId: vehicle.vehicleId,
        grantee: license.clientId,
        permissions: r.pick(MASKS),
        expiration,
      };
    case 4:
      return {
        kind: "setPrivilege",
        vehicleId: vehicle.vehicleId,
        privId: r.int(1, 6),
        user: license.clientId,
        expires: expiration,
      };
    case 5:
      if (r.chance(0.3)) return { kind: "transferVehicle", vehicleId: vehicle.vehicleId, to: r.pick(OWNERS) };
      break;
  }
  return {
    kind: "grant",
    vehicleId: vehicle.vehicleId,
    grantee: license.clientId,
    permissions: r.pick(MASKS),
    expiration,
    templateId: BigInt(r.int(0, 9)),
  };
}

/** Runs `step` and records what it created (token ids come from the receipts). */
export async function applyStep(chain: ScenarioChain, world: World, step: Step): Promise<bigint> {
  const result = await chain.run(step);
  if (result.kind === "issue") world.licenses.push({ tokenId: result.tokenId, clientId: result.clientId });
  if (result.kind === "mintVehicle")
    world.vehicles.push({ vehicleId: result.vehicleId, owner: result.owner });
  if (result.kind === "transferVehicle" && step.kind === "transferVehicle") {
    const v = world.vehicles.find((x) => x.vehicleId === BigInt(step.vehicleId));
    if (v) v.owner = step.to;
  }
  return result.blockNumber;
}

/**
 * `txs` seeded transactions with 0..maxGap empty blocks between them; returns the head. With
 * automine each transaction is its own block.
 */
export async function spreadHistory(
  chain: ScenarioChain,
  opts: { seed: number; txs: number; maxGap: number; tag?: string; world?: World },
): Promise<{ head: bigint; world: World }> {
  const r = rng(opts.seed);
  const world = opts.world ?? newWorld(opts.tag ?? `h${opts.seed % 10_000}`);
  const now = await chain.now();
  for (let i = 0; i < opts.txs; i++) {
    await applyStep(chain, world, randomStep(r, world, now));
    const gap = r.int(0, opts.maxGap);
    if (gap > 0) await chain.mine(gap);
  }
  return { head: await chain.blockNumber(), world };
}
