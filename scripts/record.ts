// `npm run record -- --rpc <url> --out <file> [--from N] [--to M]`: records the JSON-RPC answers a
// real indexer sync of the configured contracts needs into a cassette (NDJSON, gzip for *.gz).
// `--demo` records the devnet demo history on a fresh, deterministic anvil instead of --rpc.
// The deployment comes from the usual environment (DIMO_NETWORK, addresses, START_BLOCK; see
// docs/configuration.md); without DIMO_NETWORK the RPC's chain id picks polygon, amoy or the local devnet.

import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config";
import { startDemoChain } from "../devnet/demoChain";
import { fileSize, progress, runMain } from "./lib/cli";
import type { CassetteChain } from "./replay/cassette";
import { recordCassette } from "./replay/recordCassette";

const say = progress("record");

async function chainIdOf(rpc: string): Promise<number> {
  const res = await fetch(rpc, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
  });
  const body = (await res.json()) as { result?: string };
  if (!body.result) throw new Error(`${new URL(rpc).origin} did not answer eth_chainId`);
  return Number(body.result);
}

/** The deployment to record, from the environment as config/ reads it. */
async function configuredChain(rpc: string, from: string | undefined): Promise<CassetteChain> {
  const env: Record<string, string | undefined> = { ...process.env, RPC_URL: rpc };
  if (from !== undefined) env.START_BLOCK = from;
  if (!env.DIMO_NETWORK && !env.CHAIN_ID) {
    const id = await chainIdOf(rpc);
    env.DIMO_NETWORK = id === 137 ? "polygon" : id === 80002 ? "amoy" : id === 31337 ? "local" : "custom";
    env.CHAIN_ID = String(id);
  }
  try {
    const { chain } = loadConfig(env);
    const { rpcUrl: _rpc, ...rest } = chain;
    return rest;
  } catch (error) {
    if (error instanceof ConfigError) throw new Error(`invalid configuration: ${error.message}`);
    throw error;
  }
}

runMain("record", async () => {
  const { values } = parseArgs({
    options: {
      rpc: { type: "string" },
      out: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      demo: { type: "boolean" },
      concurrency: { type: "string" },
    },
  });
  if (!values.out) throw new Error("--out <file> is required (a .gz name compresses)");
  const stops: Array<() => Promise<void>> = [];
  try {
    let upstream: string;
    let chain: CassetteChain;
    let notes: string | undefined;
    if (values.demo) {
      say("starting a deterministic devnet with the demo history…");
      const demo = await startDemoChain();
      stops.push(demo.stop);
      upstream = demo.rpcUrl;
      chain = demo.chain;
      notes = "devnet demo history (devnet/demoHistory.ts); re-record: npm run record -- --demo --out <file>";
    } else {
      const rpc = values.rpc ?? process.env.RPC_URL;
      if (!rpc) throw new Error("--rpc <url> (or RPC_URL) is required, or --demo");
      upstream = rpc;
      chain = await configuredChain(rpc, values.from ?? process.env.START_BLOCK);
    }
    const result = await recordCassette({
      upstream,
      chain,
      out: values.out,
      ...(values.to ? { head: BigInt(values.to) } : {}),
      ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
      databaseServerUrl: process.env.DATABASE_URL ?? null,
      ...(notes ? { notes } : {}),
      log: say,
    });
    say(
      `wrote ${values.out}: ${result.entries} answers (${result.logs} logs, ${result.blocks} blocks), ${fileSize(result.bytes)}`,
    );
    process.stdout.write(`${result.header.digest}\n`);
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
});
