import { rng } from "../../devnet/prng";
import type { Cassette, CassetteEntry } from "./cassette";

// A synthetic history is a few hundred dense blocks (each a burst of thousands of events); DIMO's on
// Polygon is the same kind of bursts spread over tens of millions of blocks, most of them empty.
// `stretchCassette` turns the first into the second: block b becomes block f(b), with a seeded,
// exponentially distributed run of empty blocks before each (so activity clusters as on a real
// chain), while the first blocks up to the start block and the last `tail` blocks (the finality
// window the indexer reads one by one) stay contiguous. Logs, blocks, receipts and the recorded
// eth_getLogs ranges are renumbered; hashes, timestamps and everything else stay as recorded.

export type BlockMap = {
  /** The block a recorded block number becomes. */
  at(block: number): number;
  /** First block of the run that ends with `block` (its leading empty blocks). */
  runStart(block: number): number;
};

/**
 * f over 0..head: identity up to `start`, then `extra` empty blocks shared among the blocks in
 * (start, head - tail], so f(head) = head + extra.
 */
export function blockMap(opts: {
  start: number;
  head: number;
  extra: number;
  tail: number;
  seed: number;
}): BlockMap {
  const { start, head, tail } = opts;
  const last = Math.max(start, head - tail); // the last block that gets a gap before it
  const n = last - start;
  const offsets = new Float64Array(head + 1); // cumulative gap at each block
  if (n > 0 && opts.extra > 0) {
    const random = rng(opts.seed);
    const weights = Array.from({ length: n }, () => -Math.log(1 - random.next()));
    const total = weights.reduce((a, b) => a + b, 0);
    let sum = 0;
    let given = 0;
    for (let i = 0; i < n; i++) {
      sum += weights[i]!;
      const cumulative = i === n - 1 ? opts.extra : Math.floor((opts.extra * sum) / total);
      given = Math.max(given, cumulative);
      offsets[start + 1 + i] = given;
    }
  }
  for (let b = last + 1; b <= head; b++) offsets[b] = offsets[last]!;
  const at = (block: number) => {
    if (block <= start) return block;
    if (block > head) return block + (offsets[head] ?? 0);
    return block + offsets[block]!;
  };
  return { at, runStart: (block) => (block <= start ? block : at(block - 1) + 1) };
}

const isHex = (v: unknown): v is string => typeof v === "string" && /^0x[0-9a-fA-F]+$/.test(v);
const hex = (n: number) => `0x${n.toString(16)}`;

/** Renumbers every `blockNumber` (and a block's own `number`) in a recorded answer. */
function renumber(value: unknown, map: BlockMap): unknown {
  if (Array.isArray(value)) return value.map((v) => renumber(v, map));
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  const isBlock = "hash" in value && "parentHash" in value;
  for (const [key, v] of Object.entries(value)) {
    if ((key === "blockNumber" || (key === "number" && isBlock)) && isHex(v)) {
      out[key] = hex(map.at(Number.parseInt(v, 16)));
    } else if (typeof v === "object") {
      out[key] = renumber(v, map);
    } else {
      out[key] = v;
    }
  }
  return out;
}

function stretchEntry(entry: CassetteEntry, map: BlockMap): CassetteEntry {
  const params = [...entry.params];
  const block = (tag: unknown, edge: "start" | "end") => {
    if (!isHex(tag)) return tag;
    const n = Number.parseInt(tag, 16);
    return hex(edge === "start" ? map.runStart(n) : map.at(n));
  };
  if (entry.method === "eth_getLogs" && params[0] && typeof params[0] === "object") {
    // A recorded range covers the empty blocks before its first block too, so adjacent ranges stay
    // adjacent and the replay knows every stretched block is answered.
    const filter = { ...(params[0] as Record<string, unknown>) };
    if ("fromBlock" in filter) filter.fromBlock = block(filter.fromBlock, "start");
    if ("toBlock" in filter) filter.toBlock = block(filter.toBlock, "end");
    params[0] = filter;
  } else if (entry.method === "eth_getBlockByNumber") {
    params[0] = block(params[0], "end");
  } else if (
    ["eth_call", "eth_getBalance", "eth_getCode", "eth_getTransactionCount"].includes(entry.method)
  ) {
    params[params.length - 1] = block(params[params.length - 1], "end");
  }
  return { ...entry, params, result: renumber(entry.result, map) };
}

/**
 * The cassette's history spread over `blocks` blocks from its start block to its head (at least
 * the blocks it has), `tail` contiguous blocks kept at the head.
 */
export function stretchCassette(
  cassette: Cassette,
  opts: { blocks: number; seed?: number; tail?: number },
): Cassette {
  const { header } = cassette;
  const head = Number.parseInt(header.head, 16);
  const start = header.chain.startBlock;
  const extra = Math.max(0, start + opts.blocks - head);
  const map = blockMap({ start, head, extra, tail: opts.tail ?? 64, seed: opts.seed ?? 1 });
  const tag = (t: string | undefined) => (t === undefined ? t : hex(map.at(Number.parseInt(t, 16))));
  const tags = { ...header.tags, earliest: tag(header.tags.earliest)! };
  if (header.tags.finalized) tags.finalized = tag(header.tags.finalized);
  if (header.tags.safe) tags.safe = tag(header.tags.safe);
  return {
    header: {
      ...header,
      head: hex(map.at(head)),
      tags,
      notes:
        `${header.notes ?? ""} — stretched over ${opts.blocks} blocks (scripts/replay/stretch.ts)`.trim(),
    },
    entries: cassette.entries.map((e) => stretchEntry(e, map)),
  };
}
