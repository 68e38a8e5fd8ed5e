import { type Address, createPublicClient, defineChain, getAddress, http, type PublicClient } from "viem";
import type { ChainConfig } from "../../../../config/env";

/** The chain the console writes to: a public client plus the contracts its operations call. */
export type OpsChain = {
  chainId: number;
  network: ChainConfig["network"];
  client: PublicClient;
  devLicense: Address;
  dimoToken: Address | null;
  dimoCredit: Address | null;
};

/**
 * A public client for writes and receipts: no response cache (a receipt or nonce must be fresh)
 * and a short polling interval, since operations are followed until the indexer shows them.
 */
export function createOpsChain(rpcUrl: string, chain: ChainConfig): OpsChain {
  const definition = defineChain({
    id: chain.chainId,
    name: chain.network,
    nativeCurrency: { name: "native", symbol: chain.chainId === 31337 ? "ETH" : "POL", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const client = createPublicClient({
    chain: definition,
    transport: http(rpcUrl, { timeout: 10_000, retryCount: 1 }),
    cacheTime: 0,
    pollingInterval: 100,
  }) as PublicClient;
  return {
    chainId: chain.chainId,
    network: chain.network,
    client,
    devLicense: getAddress(chain.devLicense),
    dimoToken: chain.dimoToken ? getAddress(chain.dimoToken) : null,
    dimoCredit: chain.dimoCredit ? getAddress(chain.dimoCredit) : null,
  };
}
