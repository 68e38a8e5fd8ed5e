import type { NetworkName } from "./networks";

/**
 * Ponder rate-limits each RPC URL on its own (about 20 requests/s to start, ramping slowly). A node
 * on this machine can take far more, so loopback URLs are fanned out into distinct "buckets" that
 * differ only by a query string the node ignores — 12× faster backfills measured on anvil.
 */
export function rpcEndpoints(rpcUrl: string, buckets = 16): string | string[] {
  const url = new URL(rpcUrl);
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (!loopback || !url.protocol.startsWith("http") || buckets <= 1) return rpcUrl;
  return Array.from({ length: buckets }, (_, i) => {
    const u = new URL(rpcUrl);
    u.searchParams.set("bucket", String(i));
    return u.toString();
  });
}

/** How the indexer uses its RPC (ponder.config.ts); docs/performance.md measures the Polygon defaults. */
export type IndexerRpcConfig = {
  /** Blocks per eth_getLogs; null lets Ponder find the limit from the RPC's errors. */
  getLogsBlockRange: number | null;
  /** How often Ponder asks for the latest block once it follows the head, ms. */
  pollingIntervalMs: number;
  /** Rate-limit buckets a loopback RPC URL is fanned out into (1: one, as for a remote RPC). */
  loopbackBuckets: number;
};

/**
 * Public Polygon RPCs refuse eth_getLogs over more than 10,000 blocks (with a message Ponder can only
 * halve ranges from, wasting requests), and Polygon PoS makes a block about every 2 s: asking for
 * exactly 10,000 blocks and polling every 2 s minimises requests against such an RPC
 * (`npm run bench -- --only index`, index.rpc.*; docs/performance.md).
 */
export const POLYGON_RPC_DEFAULTS: IndexerRpcConfig = {
  getLogsBlockRange: 10_000,
  pollingIntervalMs: 2_000,
  loopbackBuckets: 16,
};

export function indexerRpcDefaults(network: NetworkName, chainId: number): IndexerRpcConfig {
  if (network === "polygon" || network === "amoy") return POLYGON_RPC_DEFAULTS;
  // Local chains answer in microseconds: poll fast so a write shows up within a block.
  return { getLogsBlockRange: null, pollingIntervalMs: chainId === 31337 ? 200 : 1_000, loopbackBuckets: 16 };
}
