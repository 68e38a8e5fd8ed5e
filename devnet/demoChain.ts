import { createTestClient, http } from "viem";
import type { IndexedChain } from "../config/networks";
import { type AnvilInstance, startAnvil } from "./anvil";
import { applyDemoHistory } from "./demoHistory";
import { type Deployment, deployDimo } from "./deploy";

// The devnet demo history on a chain that is identical every time: a fixed genesis time and a fixed
// time step per block make every timestamp, expiry argument, transaction and block hash the same, so
// a live sync of it and a replay of its cassette must give the same state digest.

const DEMO_GENESIS_TIME = 1_735_689_600; // 2025-01-01T00:00:00Z
const DEMO_SECONDS_PER_BLOCK = 600;

export type PinnedChain = {
  anvil: AnvilInstance;
  rpcUrl: string;
  /** The options anvil needs to be this chain again. */
  stop(): Promise<void>;
};

/** A fresh anvil whose block timestamps depend only on the block number. */
export async function startPinnedAnvil(
  opts: { genesisTime?: number; secondsPerBlock?: number; extraArgs?: string[] } = {},
): Promise<PinnedChain> {
  const anvil = await startAnvil({
    extraArgs: ["--timestamp", String(opts.genesisTime ?? DEMO_GENESIS_TIME), ...(opts.extraArgs ?? [])],
  });
  const test = createTestClient({ mode: "anvil", transport: http(anvil.rpcUrl) });
  await test.setBlockTimestampInterval({ interval: opts.secondsPerBlock ?? DEMO_SECONDS_PER_BLOCK });
  return { anvil, rpcUrl: anvil.rpcUrl, stop: anvil.stop };
}

export function cassetteChain(deployment: Deployment): IndexedChain {
  return {
    network: "custom",
    chainId: deployment.chainId,
    devLicense: deployment.devLicense,
    vehicleId: deployment.vehicleId,
    sacd: deployment.sacd,
    dimoToken: deployment.dimoToken,
    dimoCredit: deployment.dimoCredit,
    startBlock: deployment.startBlock,
  };
}

/** anvil + the DIMO test contracts + devnet/demoHistory.ts, deterministically. */
export async function startDemoChain(): Promise<
  PinnedChain & { deployment: Deployment; chain: IndexedChain }
> {
  const pinned = await startPinnedAnvil();
  try {
    const deployment = await deployDimo(pinned.rpcUrl);
    await applyDemoHistory(pinned.rpcUrl, deployment);
    return { ...pinned, deployment, chain: cassetteChain(deployment) };
  } catch (error) {
    await pinned.stop();
    throw error;
  }
}
