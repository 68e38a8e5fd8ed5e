import { HttpStatusError, type RpcAnswer, type RpcRequest, startRpcServer } from "./jsonRpcServer";

// A proxy that makes any JSON-RPC endpoint (e.g. a cassette replay) behave like a free public
// Polygon RPC, for the bench's RPC-shaped backfill: every answer `latencyMs` late, at most
// `requestsPerSecond` requests (a token bucket; the excess is answered HTTP 429 with a JSON-RPC
// -32005 error, as public RPCs do, and Ponder backs off and retries), eth_getLogs over more than
// `getLogsMaxBlocks` blocks refused with the error Polygon's RPCs give, and every request counted by
// method.

export type PublicRpcLimits = {
  latencyMs: number;
  requestsPerSecond: number;
  /** Requests that may arrive at once after a quiet second (the bucket's size). */
  burst: number;
  getLogsMaxBlocks: number;
};

export const PUBLIC_POLYGON_RPC: PublicRpcLimits = {
  latencyMs: 50,
  requestsPerSecond: 25,
  burst: 25,
  getLogsMaxBlocks: 10_000,
};

/** A token bucket: `rate` tokens a second, at most `size` saved up. `now` in ms. */
export function tokenBucket(rate: number, size: number, now: () => number = () => performance.now()) {
  let tokens = size;
  let last = now();
  return {
    /** Takes one token if there is one. */
    take(): boolean {
      const t = now();
      tokens = Math.min(size, tokens + ((t - last) * rate) / 1000);
      last = t;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

const blockNumber = (tag: unknown): number | null =>
  typeof tag === "string" && /^0x[0-9a-fA-F]+$/.test(tag) ? Number.parseInt(tag, 16) : null;

/**
 * The refusal of an eth_getLogs over more than `max` blocks, worded as Polygon's RPCs word it
 * (Ponder's getLogsRetryHelper only recognises "block range too large" in it and halves the range);
 * null when the request is within the cap or names no numbered range.
 */
export function getLogsRangeError(params: unknown[] | undefined, max: number) {
  const filter = (params?.[0] ?? {}) as { fromBlock?: unknown; toBlock?: unknown };
  const from = blockNumber(filter.fromBlock);
  const to = blockNumber(filter.toBlock);
  if (from === null || to === null || to - from + 1 <= max) return null;
  return { code: -32005, message: `eth_getLogs block range too large, range: ${to - from + 1}, max: ${max}` };
}

export type PublicRpcStats = {
  /** Requests answered (not refused for the rate), by method. */
  byMethod: Record<string, number>;
  /** Requests refused with 429 because the bucket was empty. */
  rateLimited: number;
  /** eth_getLogs refused for their range. */
  rangeRefused: number;
};

export type PublicRpc = { rpcUrl: string; stats: PublicRpcStats; stop(): Promise<void> };

async function forward(upstream: string, req: RpcRequest): Promise<RpcAnswer> {
  const res = await fetch(upstream, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: req.method, params: req.params ?? [] }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (!res.ok) throw new HttpStatusError(res.status, text);
  // The replay frames answers as {"jsonrpc":"2.0","id":1,"result":…}: pass the result through as
  // text (log lists are large); anything else is parsed.
  const head = '{"jsonrpc":"2.0","id":1,"result":';
  if (text.startsWith(head) && text.endsWith("}")) return { json: text.slice(head.length, -1) };
  const body = JSON.parse(text) as { result?: unknown; error?: { code: number; message: string } };
  return body.error ? { error: body.error } : { result: body.result ?? null };
}

export async function startPublicRpc(opts: {
  upstream: string;
  limits?: PublicRpcLimits;
}): Promise<PublicRpc> {
  const limits = opts.limits ?? PUBLIC_POLYGON_RPC;
  const bucket = tokenBucket(limits.requestsPerSecond, limits.burst);
  const stats: PublicRpcStats = { byMethod: {}, rateLimited: 0, rangeRefused: 0 };
  const late = () => new Promise((r) => setTimeout(r, limits.latencyMs));
  const server = await startRpcServer(async (req) => {
    const allowed = bucket.take();
    await late();
    if (!allowed) {
      stats.rateLimited++;
      throw new HttpStatusError(
        429,
        JSON.stringify({
          jsonrpc: "2.0",
          id: req.id ?? null,
          error: { code: -32005, message: "Too many requests, rate limit exceeded" },
        }),
      );
    }
    stats.byMethod[req.method] = (stats.byMethod[req.method] ?? 0) + 1;
    if (req.method === "eth_getLogs") {
      const refused = getLogsRangeError(req.params, limits.getLogsMaxBlocks);
      if (refused) {
        stats.rangeRefused++;
        return { error: refused };
      }
    }
    return forward(opts.upstream, req);
  });
  return { rpcUrl: server.url, stats, stop: server.close };
}
