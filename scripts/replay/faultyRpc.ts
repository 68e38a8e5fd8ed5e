import { hashUnit } from "../../devnet/prng";
import { requestKey } from "./cassette";
import {
  DropConnectionError,
  HttpStatusError,
  type RpcAnswer,
  type RpcRequest,
  startRpcServer,
} from "./jsonRpcServer";

// A fault-injecting JSON-RPC proxy in front of a real node, modelled on Ponder's simulation harness:
// seeded JSON-RPC errors, HTTP 429s, dropped connections, hangs past the client's timeout, slow
// answers, and a provider-style cap on eth_getLogs block ranges. Every fault decision is a hash of
// (seed, request, how many times that request was seen), so a seed injects the same faults into the
// same requests whatever order concurrent requests arrive in, and a retry can succeed.

export type FaultMix = {
  /** JSON-RPC error answers (code -32603 / -32000 / -32005), retried by the client. */
  errorRate: number;
  /** HTTP 429 Too Many Requests. */
  rateLimitRate: number;
  /** Connection reset without an answer. */
  dropRate: number;
  /** No answer for `hangMs` (past Ponder's 10 s request timeout). */
  hangRate: number;
  hangMs: number;
  /** Answers delayed by a uniform [slowMs[0], slowMs[1]] ms. */
  slowRate: number;
  slowMs: readonly [number, number];
  /** eth_getLogs over more blocks than this is refused with a provider's range error; null: no cap. */
  getLogsMaxBlocks: number | null;
};

export const NO_FAULTS: FaultMix = {
  errorRate: 0,
  rateLimitRate: 0,
  dropRate: 0,
  hangRate: 0,
  hangMs: 11_000,
  slowRate: 0,
  slowMs: [0, 0],
  getLogsMaxBlocks: null,
};

type FaultStats = {
  requests: number;
  forwarded: number;
  errors: number;
  rateLimited: number;
  dropped: number;
  hung: number;
  slowed: number;
  rangeRefused: number;
};

export type FaultyRpc = { rpcUrl: string; stats: FaultStats; stop(): Promise<void> };

type Fault = "error" | "rateLimit" | "drop" | "hang" | null;

/** Range errors whose text Ponder's getLogsRetryHelper (@ponder/utils) parses, each with its semantics. */
function rangeError(from: number, to: number, max: number, u: number): { code: number; message: string } {
  const styles = [
    // avalanche: an exact limit (Ponder retries with `max` blocks)
    { code: -32000, message: `requested too many blocks from ${from} to ${to}, maximum is set to ${max}` },
    // coinbase: an exact limit
    { code: -32602, message: `please limit the query to at most ${max} blocks` },
    // base / monad: no limit given (Ponder halves the range until it passes)
    { code: -32000, message: "block range too large" },
    // zkevm: too many results (Ponder halves the range)
    { code: -32005, message: "query returned more than 10000 results" },
  ];
  return styles[Math.floor(u * styles.length)]!;
}

const blockNumber = (tag: unknown): number | null =>
  typeof tag === "string" && /^0x[0-9a-fA-F]+$/.test(tag) ? Number.parseInt(tag, 16) : null;

async function forward(upstream: string, req: RpcRequest): Promise<RpcAnswer> {
  let res: Response;
  try {
    res = await fetch(upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: req.method, params: req.params ?? [] }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    throw new HttpStatusError(502, JSON.stringify({ error: `upstream unreachable: ${String(error)}` }));
  }
  const text = await res.text();
  if (!res.ok) throw new HttpStatusError(res.status, text);
  const body = JSON.parse(text) as { result?: unknown; error?: { code: number; message: string } };
  return body.error ? { error: body.error } : { result: body.result ?? null };
}

/** Starts the proxy on a loopback port; `upstream` is the node every healthy request goes to. */
export async function startFaultyRpc(opts: {
  upstream: string;
  seed: number;
  faults: FaultMix;
  port?: number;
  /**
   * Sees every request first (tests that act at a precise call, e.g. kill a process when it sends
   * a transaction): return an answer to use it, or null to go on with the fault rules.
   */
  intercept?: (req: RpcRequest, forward: () => Promise<RpcAnswer>) => Promise<RpcAnswer | null>;
}): Promise<FaultyRpc> {
  const { faults, seed } = opts;
  const stats: FaultStats = {
    requests: 0,
    forwarded: 0,
    errors: 0,
    rateLimited: 0,
    dropped: 0,
    hung: 0,
    slowed: 0,
    rangeRefused: 0,
  };
  const seen = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const decide = (u: number): Fault => {
    const bands: Array<[Fault, number]> = [
      ["error", faults.errorRate],
      ["rateLimit", faults.rateLimitRate],
      ["drop", faults.dropRate],
      ["hang", faults.hangRate],
    ];
    let edge = 0;
    for (const [fault, rate] of bands) {
      edge += rate;
      if (u < edge) return fault;
    }
    return null;
  };

  const server = await startRpcServer(
    async (req) => {
      stats.requests++;
      const taken = await opts.intercept?.(req, () => forward(opts.upstream, req));
      if (taken) return taken;
      const key = requestKey(req.method, req.params ?? []);
      const nth = (seen.get(key) ?? 0) + 1;
      seen.set(key, nth);
      const u = (purpose: string) => hashUnit(seed, purpose, key, nth);

      // The chain id is asked once at startup and a failure there is fatal by design; fault the rest.
      const fault = req.method === "eth_chainId" ? null : decide(u("fault"));
      if (fault === "error") {
        stats.errors++;
        const errors = [
          { code: -32603, message: "internal error" },
          { code: -32000, message: "upstream request failed" },
          { code: -32005, message: "request limit reached, try again" },
        ];
        return { error: errors[Math.floor(u("which") * errors.length)]! };
      }
      if (fault === "rateLimit") {
        stats.rateLimited++;
        throw new HttpStatusError(429, JSON.stringify({ error: "Too Many Requests" }));
      }
      if (fault === "drop") {
        stats.dropped++;
        throw new DropConnectionError();
      }
      if (fault === "hang") {
        stats.hung++;
        await sleep(faults.hangMs);
        throw new DropConnectionError();
      }

      if (req.method === "eth_getLogs" && faults.getLogsMaxBlocks !== null) {
        const filter = (req.params?.[0] ?? {}) as { fromBlock?: unknown; toBlock?: unknown };
        const from = blockNumber(filter.fromBlock);
        const to = blockNumber(filter.toBlock);
        if (from !== null && to !== null && to - from + 1 > faults.getLogsMaxBlocks) {
          stats.rangeRefused++;
          return { error: rangeError(from, to, faults.getLogsMaxBlocks, u("range")) };
        }
      }
      if (u("slow") < faults.slowRate) {
        stats.slowed++;
        const [min, max] = faults.slowMs;
        await sleep(min + u("delay") * (max - min));
      }
      stats.forwarded++;
      return forward(opts.upstream, req);
    },
    opts.port === undefined ? {} : { port: opts.port },
  );

  return {
    rpcUrl: server.url,
    stats,
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await server.close();
    },
  };
}
