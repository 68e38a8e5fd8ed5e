import fs from "node:fs";
import path from "node:path";
import { createPublicClient, http } from "viem";
import { type AnvilInstance, startAnvil } from "./anvil";
import { applyDemoHistory } from "./demoHistory";
import { type Deployment, deployDimo } from "./deploy";

export type Devnet = { rpcUrl: string; deployment: Deployment; created: boolean; stop(): Promise<void> };

/**
 * The embedded default chain: anvil with the project's DIMO-compatible contracts and a small demo
 * history. Its state (blocks, receipts, logs, accounts) is dumped to DATA_DIR/devnet on exit and
 * every few seconds (anvil --state), and loaded on the next start, so the chain — genesis and block
 * hashes included — survives restarts and the indexer resumes instead of re-syncing.
 */
export async function startDevnet(opts: {
  dataDir: string;
  port: number;
  blockTime: number | null;
  log: (line: string) => void;
}): Promise<Devnet> {
  const dir = path.resolve(opts.dataDir, "devnet");
  fs.mkdirSync(dir, { recursive: true });
  const statePath = path.join(dir, "anvil-state.json");
  const deploymentPath = path.join(dir, "deployment.json");

  let anvil: AnvilInstance;
  try {
    anvil = await startAnvil({
      port: opts.port,
      statePath,
      ...(opts.blockTime ? { blockTime: opts.blockTime } : {}),
      // Dump periodically too, so a crash loses at most a few seconds of devnet history.
      extraArgs: ["--state-interval", "5"],
    });
  } catch (error) {
    throw new Error(
      `devnet: ${error instanceof Error ? error.message : String(error)}\n(is DEVNET_PORT=${opts.port} taken? set DEVNET_PORT to another port)`,
    );
  }

  const client = createPublicClient({ transport: http(anvil.rpcUrl), cacheTime: 0 });
  const saved = fs.existsSync(deploymentPath)
    ? (JSON.parse(fs.readFileSync(deploymentPath, "utf8")) as Deployment)
    : null;
  const code = saved ? await client.getCode({ address: saved.devLicense }) : undefined;
  if (saved && code && code !== "0x") {
    opts.log(
      `devnet: resumed at block ${await client.getBlockNumber()} from ${path.relative(process.cwd(), statePath)}`,
    );
    return { rpcUrl: anvil.rpcUrl, deployment: saved, created: false, stop: anvil.stop };
  }
  if ((await client.getBlockNumber()) > 0n) {
    await anvil.stop();
    throw new Error(
      `devnet: ${statePath} holds a chain without the DIMO contracts; remove ${dir} to start a fresh devnet`,
    );
  }
  opts.log("devnet: deploying the DIMO test contracts and replaying the demo history…");
  const deployment = await deployDimo(anvil.rpcUrl);
  await applyDemoHistory(anvil.rpcUrl, deployment);
  fs.writeFileSync(deploymentPath, `${JSON.stringify(deployment, null, 2)}\n`);
  return { rpcUrl: anvil.rpcUrl, deployment, created: true, stop: anvil.stop };
}
