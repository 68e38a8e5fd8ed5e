import {
  type BlockTags,
  type Cassette,
  type CassetteHeader,
  canonical,
  headerTags,
  readCassette,
  requestKey,
} from "./cassette";
import { type RpcAnswer, type RpcRequest, startRpcServer } from "./jsonRpcServer";

// Serves a cassette as a JSON-RPC endpoint, offline and deterministic. Ponder asks for the same
// data in different shapes from run to run (eth_getLogs chunk sizes grow with each call, so ranges
// depend on timing), so answers are derived, not matched byte for byte:
//
// 1. "latest"/"pending" are the recorded head; "earliest", "finalized", "safe" what they were when
//    recording began; eth_blockNumber is the head; blocks above the head do not exist (null).
// 2. eth_getBlockByNumber / eth_getBlockByHash: any recorded block, by number or hash; a block
//    recorded with full transactions also answers the hashes-only form.
// 3. eth_getLogs: the recorded logs matching the filter (address, topics) in the asked range, or in
//    the asked blockHash — but only when recorded requests whose filters include this one cover
//    every block of the range, so an answer is never silently incomplete.
// 4. Anything else (eth_chainId, eth_call, receipts, …): the recorded answer to the same request
//    (method + canonical params: key order, hex case, block tags, JSON-RPC id and URL don't matter).
// 5. No answer → JSON-RPC error -32601 naming the method and params (Ponder doesn't retry it).

type Block = Record<string, unknown> & { number: string; hash: string; transactions?: unknown[] };
type Log = { block: number; index: number; address: string; topics: string[]; json: string };
type Filter = { addresses: Set<string> | null; topics: Array<Set<string> | null> };
type Coverage = Filter & { from: number; to: number };

const num = (hex: unknown): number => Number.parseInt(String(hex), 16);
const hex = (n: number) => `0x${n.toString(16)}`;

function parseFilter(raw: Record<string, unknown>): Filter {
  const address = raw.address as string | string[] | undefined | null;
  const addresses = address
    ? new Set((Array.isArray(address) ? address : [address]).map((a) => a.toLowerCase()))
    : null;
  const topics = ((raw.topics as unknown[] | undefined) ?? []).map((t) =>
    t === null || t === undefined
      ? null
      : new Set((Array.isArray(t) ? t : [t]).map((x) => String(x).toLowerCase())),
  );
  while (topics.length && topics[topics.length - 1] === null) topics.pop();
  return { addresses, topics };
}

const subset = (inner: Set<string> | null, outer: Set<string> | null) =>
  outer === null || (inner !== null && [...inner].every((x) => outer.has(x)));

/** Every log `inner` can match, `outer` matches too. */
function includes(outer: Filter, inner: Filter): boolean {
  if (!subset(inner.addresses, outer.addresses)) return false;
  return outer.topics.every((t, i) => subset(inner.topics[i] ?? null, t));
}

function matches(f: Filter, log: Log): boolean {
  if (f.addresses && !f.addresses.has(log.address)) return false;
  return f.topics.every((t, i) => t === null || (log.topics[i] !== undefined && t.has(log.topics[i]!)));
}

export class CassetteIndex {
  readonly header: CassetteHeader;
  readonly tags: BlockTags;
  readonly head: number;
  private exact = new Map<string, string>();
  private full = new Map<number, Block>();
  private light = new Map<number, Block>();
  private hashToNumber = new Map<string, number>();
  private logs: Log[] = [];
  private coverage: Coverage[] = [];

  constructor(cassette: Cassette) {
    this.header = cassette.header;
    this.tags = headerTags(cassette.header);
    this.head = num(cassette.header.head);
    const seen = new Set<string>();
    const byHashRequests: Array<{ filter: Filter; hash: string; result: Log[] }> = [];
    for (const { method, params, result } of cassette.entries) {
      const raw = (params[0] ?? {}) as Record<string, unknown>;
      // Blocks and range log queries are answered by rules 2 and 3; keeping their text twice would
      // double the memory of a large cassette.
      const derived =
        (method === "eth_getBlockByNumber" || method === "eth_getBlockByHash") && result
          ? true
          : method === "eth_getLogs" && typeof raw.blockHash !== "string";
      if (!derived) this.exact.set(requestKey(method, params, this.tags), JSON.stringify(result));
      if ((method === "eth_getBlockByNumber" || method === "eth_getBlockByHash") && result) {
        const block = result as Block;
        const n = num(block.number);
        (params[1] === true ? this.full : this.light).set(n, block);
        this.hashToNumber.set(block.hash.toLowerCase(), n);
      }
      if (method === "eth_getLogs" && Array.isArray(result)) {
        const logs: Log[] = [];
        for (const l of result as Array<Record<string, unknown>>) {
          const log: Log = {
            block: num(l.blockNumber),
            index: num(l.logIndex),
            address: String(l.address).toLowerCase(),
            topics: (l.topics as string[]).map((t) => t.toLowerCase()),
            json: JSON.stringify(l),
          };
          logs.push(log);
          const id = `${String(l.blockHash).toLowerCase()}:${log.index}`;
          if (!seen.has(id)) {
            seen.add(id);
            this.logs.push(log);
          }
        }
        const filter = parseFilter(raw);
        if (typeof raw.blockHash === "string") {
          byHashRequests.push({ filter, hash: raw.blockHash.toLowerCase(), result: logs });
        } else {
          const range = this.range(raw);
          if (range) this.coverage.push({ ...filter, ...range });
        }
      }
    }
    for (const { filter, hash, result } of byHashRequests) {
      const n = this.hashToNumber.get(hash) ?? result[0]?.block;
      if (n !== undefined) this.coverage.push({ ...filter, from: n, to: n });
    }
    this.logs.sort((a, b) => a.block - b.block || a.index - b.index);
  }

  private blockNumberOf(tag: unknown): number | null {
    const resolved = canonical(tag ?? "latest", this.tags);
    return typeof resolved === "string" && /^0x[0-9a-f]+$/.test(resolved) ? num(resolved) : null;
  }

  private range(raw: Record<string, unknown>): { from: number; to: number } | null {
    const from = this.blockNumberOf(raw.fromBlock);
    const to = this.blockNumberOf(raw.toBlock);
    return from === null || to === null ? null : { from, to };
  }

  private block(n: number, withTransactions: boolean): RpcAnswer | null {
    if (n > this.head) return { result: null }; // not mined yet on the pinned chain
    const full = this.full.get(n);
    if (withTransactions) return full ? { result: full } : null;
    const light = this.light.get(n);
    if (light) return { result: light };
    if (!full) return null;
    const transactions = (full.transactions ?? []).map((t) => (t as { hash: string }).hash);
    return { result: { ...full, transactions } };
  }

  private covered(filter: Filter, from: number, to: number): boolean {
    const spans = this.coverage
      .filter((c) => c.to >= from && c.from <= to && includes(c, filter))
      .sort((a, b) => a.from - b.from);
    let next = from;
    for (const s of spans) {
      if (s.from > next) return false;
      next = Math.max(next, s.to + 1);
      if (next > to) return true;
    }
    return next > to;
  }

  private getLogs(raw: Record<string, unknown>): RpcAnswer | null {
    const filter = parseFilter(raw);
    let from: number;
    let to: number;
    if (typeof raw.blockHash === "string") {
      const n = this.hashToNumber.get(raw.blockHash.toLowerCase());
      if (n === undefined) return null;
      from = to = n;
    } else {
      const range = this.range(raw);
      if (!range) return null;
      ({ from, to } = range);
    }
    if (from > to) return { json: "[]" };
    if (!this.covered(filter, from, Math.min(to, this.head))) return null;
    // First log at or after `from` (logs are sorted by block).
    let lo = 0;
    let hi = this.logs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.logs[mid]!.block < from) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < this.logs.length && this.logs[i]!.block <= to; i++) {
      if (matches(filter, this.logs[i]!)) out.push(this.logs[i]!.json);
    }
    return { json: `[${out.join(",")}]` };
  }

  /** The answer to one request, or null when the cassette can't give one. */
  answer(method: string, params: unknown[] = []): RpcAnswer | null {
    switch (method) {
      case "eth_blockNumber":
        return { result: this.header.head };
      case "eth_chainId":
        return { result: hex(this.header.chain.chainId) };
      case "eth_getBlockByNumber": {
        const n = this.blockNumberOf(params[0]);
        const found = n === null ? null : this.block(n, params[1] === true);
        if (found) return found;
        break;
      }
      case "eth_getBlockByHash": {
        const n = this.hashToNumber.get(String(params[0]).toLowerCase());
        const found = n === undefined ? null : this.block(n, params[1] === true);
        if (found) return found;
        break;
      }
      case "eth_getLogs": {
        const found = this.getLogs((params[0] ?? {}) as Record<string, unknown>);
        if (found) return found;
        break;
      }
    }
    const json = this.exact.get(requestKey(method, params, this.tags));
    return json === undefined ? null : { json };
  }
}

export type ReplayServer = {
  rpcUrl: string;
  header: CassetteHeader;
  /** Requests the cassette could not answer (each also logged). */
  misses: string[];
  stop(): Promise<void>;
};

/** Serves a cassette (a file or one already read) on a loopback port. */
export async function serveCassette(
  source: string | Cassette,
  opts: { port?: number; log?: (line: string) => void } = {},
): Promise<ReplayServer> {
  const cassette = typeof source === "string" ? await readCassette(source) : source;
  const index = new CassetteIndex(cassette);
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const misses: string[] = [];
  const server = await startRpcServer(
    async (req: RpcRequest) => {
      const answer = index.answer(req.method, req.params ?? []);
      if (answer) return answer;
      const message = `cassette has no answer for ${req.method} ${JSON.stringify(req.params ?? [])}`;
      misses.push(message);
      log(`[replay] ${message}`);
      return { error: { code: -32601, message } };
    },
    opts.port === undefined ? {} : { port: opts.port },
  );
  return { rpcUrl: server.url, header: cassette.header, misses, stop: server.close };
}
