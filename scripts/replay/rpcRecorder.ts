import { type BlockTags, type CassetteEntry, type CassetteHeader, requestKey, resolveTag } from "./cassette";
import { HttpStatusError, type RpcAnswer, type RpcRequest, startRpcServer } from "./jsonRpcServer";

// A recording JSON-RPC proxy: forwards every request to an upstream RPC and keeps each answer, keyed
// by method + canonical params (batches are split into their requests). The chain is pinned for
// the whole recording so a replay can answer the same way: the head is fixed once (--to, or the
// upstream's latest at start), "latest"/"pending" are rewritten to it before forwarding,
// eth_blockNumber answers it, and blocks above it are reported as not mined yet (null).
// Errors are passed through and not recorded (a retry, or a smaller eth_getLogs range, follows).

type RecorderStats = {
  requests: number;
  forwarded: number;
  errors: number;
  logs: number;
  blocks: number;
};

export type Recorder = {
  rpcUrl: string;
  head: bigint;
  tags: BlockTags;
  chainId: number;
  stats: RecorderStats;
  entries(): CassetteEntry[];
  stop(): Promise<void>;
};

type Upstream = (method: string, params: unknown[]) => Promise<{ result?: unknown; error?: RpcAnswer }>;

function upstreamClient(url: string, concurrency: number): Upstream {
  let active = 0;
  const waiting: Array<() => void> = [];
  const acquire = async () => {
    if (active >= concurrency) await new Promise<void>((r) => waiting.push(r));
    active++;
  };
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  let id = 0;
  return async (method, params) => {
    await acquire();
    try {
      let res: Response;
      try {
        res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
          signal: AbortSignal.timeout(60_000),
        });
      } catch (error) {
        throw new HttpStatusError(502, JSON.stringify({ error: `upstream unreachable: ${String(error)}` }));
      }
      const text = await res.text();
      if (!res.ok) throw new HttpStatusError(res.status, text);
      const body = JSON.parse(text) as { result?: unknown; error?: { code: number; message: string } };
      if (body.error) return { error: { error: body.error } };
      return { result: body.result ?? null };
    } finally {
      release();
    }
  };
}

const toHex = (n: bigint) => `0x${n.toString(16)}`;

function mapTags(value: unknown, tags: BlockTags): unknown {
  if (Array.isArray(value)) return value.map((v) => mapTags(v, tags));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapTags(v, tags)]));
  }
  return resolveTag(value, tags);
}

/** The upstream's number for a block tag, or undefined when it doesn't support the tag. */
async function tagNumber(upstream: Upstream, tag: string): Promise<bigint | undefined> {
  const { result } = await upstream("eth_getBlockByNumber", [tag, false]).catch(() => ({ result: null }));
  const n = (result as { number?: string } | null)?.number;
  return typeof n === "string" && /^0x[0-9a-fA-F]+$/.test(n) ? BigInt(n) : undefined;
}

export async function startRecorder(opts: {
  upstream: string;
  /** The pinned head; default: the upstream's latest block now. */
  head?: bigint;
  concurrency?: number;
}): Promise<Recorder> {
  const upstream = upstreamClient(opts.upstream, opts.concurrency ?? 16);
  const chain = await upstream("eth_chainId", []);
  if (chain.error) throw new Error(`upstream eth_chainId failed: ${JSON.stringify(chain.error)}`);
  const chainId = Number(chain.result);
  const latest = await tagNumber(upstream, "latest");
  if (latest === undefined) throw new Error("upstream did not return its latest block");
  const head = opts.head ?? latest;
  if (head > latest) throw new Error(`--to ${head} is above the upstream's latest block ${latest}`);
  const tags: BlockTags = { latest: toHex(head), earliest: "0x0" };
  for (const tag of ["finalized", "safe"] as const) {
    let n = await tagNumber(upstream, tag);
    if (n === undefined) continue;
    if (n > head) n = head;
    tags[tag] = toHex(n);
  }

  const recorded = new Map<string, CassetteEntry>();
  const inflight = new Map<string, Promise<RpcAnswer>>();
  const stats: RecorderStats = { requests: 0, forwarded: 0, errors: 0, logs: 0, blocks: 0 };

  const record = (key: string, method: string, params: unknown[], result: unknown) => {
    if (recorded.has(key)) return;
    recorded.set(key, { kind: "rpc", method, params, result });
    if (method === "eth_getLogs" && Array.isArray(result)) stats.logs += result.length;
    if (method.startsWith("eth_getBlockBy") && result) stats.blocks++;
  };

  const forward = async (method: string, params: unknown[], key: string): Promise<RpcAnswer> => {
    if (method === "eth_blockNumber") {
      record(key, method, params, tags.latest);
      return { result: tags.latest };
    }
    const n = params[0];
    if (method === "eth_getBlockByNumber" && typeof n === "string" && /^0x/.test(n) && BigInt(n) > head) {
      return { result: null };
    }
    stats.forwarded++;
    const answer = await upstream(method, params);
    if (answer.error) {
      stats.errors++;
      return answer.error;
    }
    record(key, method, params, answer.result);
    return { result: answer.result };
  };

  const server = await startRpcServer(async (req: RpcRequest) => {
    stats.requests++;
    const params = mapTags(req.params ?? [], tags) as unknown[];
    const key = requestKey(req.method, params, tags);
    const done = recorded.get(key);
    if (done) return { result: done.result };
    let pending = inflight.get(key);
    if (!pending) {
      pending = forward(req.method, params, key).finally(() => inflight.delete(key));
      inflight.set(key, pending);
    }
    return pending;
  });

  return {
    rpcUrl: server.url,
    head,
    tags,
    chainId,
    stats,
    entries: () => [...recorded.values()],
    stop: server.close,
  };
}

/** The header fields a recorder knows (the caller adds the chain config and digest). */
export function recorderHeader(
  recorder: Recorder,
  source: string,
): Pick<CassetteHeader, "head" | "tags" | "source" | "recordedAt"> {
  const { latest: _latest, ...tags } = recorder.tags;
  return {
    head: recorder.tags.latest,
    tags,
    source: new URL(source).origin,
    recordedAt: new Date().toISOString(),
  };
}
