import { createPublicClient, http } from "viem";

export type ChainHead = { headBlock(): Promise<bigint> };

/**
 * The chain's latest block number over JSON-RPC, remembered for at most `maxAgeMs` so /ready
 * probes and /status polls cost one RPC call per second however often they come. Concurrent
 * callers share one request; a failure is never cached.
 */
export function createChainHead(
  rpcUrl: string,
  opts: { maxAgeMs?: number; timeoutMs?: number } = {},
): ChainHead {
  const client = createPublicClient({
    transport: http(rpcUrl, { timeout: opts.timeoutMs ?? 3_000, retryCount: 0 }),
    cacheTime: 0,
  });
  return cachedHead(() => client.getBlockNumber({ cacheTime: 0 }), opts.maxAgeMs ?? 1_000);
}

export function cachedHead(
  fetchHead: () => Promise<bigint>,
  maxAgeMs: number,
  now = () => Date.now(),
): ChainHead {
  let cached: { value: bigint; at: number } | null = null;
  let inflight: Promise<bigint> | null = null;
  return {
    headBlock() {
      if (cached && now() - cached.at < maxAgeMs) return Promise.resolve(cached.value);
      inflight ??= fetchHead()
        .then((value) => {
          cached = { value, at: now() };
          return value;
        })
        .finally(() => {
          inflight = null;
        });
      return inflight;
    },
  };
}
