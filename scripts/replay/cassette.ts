import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import type { IndexedChain } from "../../config/networks";

// An RPC cassette: the JSON-RPC answers one indexer sync needed, as NDJSON (gzip when the file name
// ends in .gz). Line 1 is the header; every other line one request/answer pair, deduplicated by key.

export const CASSETTE_VERSION = 1;

/** The deployment a cassette was recorded for: replaying it points the indexer at the same contracts. */
export type CassetteChain = IndexedChain;

export type CassetteHeader = {
  kind: "header";
  version: number;
  chain: CassetteChain;
  /** The pinned chain head (hex): "latest"/"pending" mean this block, on record and on replay. */
  head: string;
  /** What the other block tags meant when recording started (hex numbers, ≤ head). */
  tags: { earliest: string; finalized?: string; safe?: string };
  /** Where it was recorded: the RPC's origin only (paths and query strings often hold API keys). */
  source: string;
  recordedAt: string;
  /** State digest of the recording sync (scripts/replay/digest.ts), for comparison on replay. */
  digest?: string;
  /** Free-form notes, e.g. how to re-record. */
  notes?: string;
};

export type CassetteEntry = {
  kind: "rpc";
  method: string;
  params: unknown[];
  result: unknown;
};

export type Cassette = { header: CassetteHeader; entries: CassetteEntry[] };

export type BlockTags = { latest: string; earliest: string; finalized?: string; safe?: string };

/** "latest" and "pending" are the head; the others as recorded. Unknown tags are left as they are. */
export function resolveTag(value: unknown, tags: BlockTags): unknown {
  if (typeof value !== "string") return value;
  switch (value) {
    case "latest":
    case "pending":
      return tags.latest;
    case "earliest":
      return tags.earliest;
    case "finalized":
      return tags.finalized ?? value;
    case "safe":
      return tags.safe ?? value;
    default:
      return value;
  }
}

const HEX = /^0x[0-9a-fA-F]*$/;

/**
 * The canonical form of a JSON value: object keys sorted, undefined dropped, hex strings lowercased
 * (addresses come checksummed or not), block tags resolved to the pinned numbers. Two requests that
 * mean the same thing get the same key, whatever their JSON-RPC id or URL.
 */
export function canonical(value: unknown, tags?: BlockTags): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, tags));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonical(v, tags);
    }
    return out;
  }
  if (typeof value === "string") {
    const resolved = tags ? resolveTag(value, tags) : value;
    return typeof resolved === "string" && HEX.test(resolved) ? resolved.toLowerCase() : resolved;
  }
  return value;
}

export function requestKey(method: string, params: unknown, tags?: BlockTags): string {
  return `${method} ${JSON.stringify(canonical(params ?? [], tags))}`;
}

/** Block tags of a header, as used to normalize requests. */
export function headerTags(header: Pick<CassetteHeader, "head" | "tags">): BlockTags {
  return { latest: header.head, ...header.tags };
}

export async function writeCassette(file: string, cassette: Cassette): Promise<void> {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const entries = [...cassette.entries].sort((a, b) => {
    const ka = requestKey(a.method, a.params);
    const kb = requestKey(b.method, b.params);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  // A generator keeps memory flat: big cassettes are hundreds of MB of JSON.
  async function* lines() {
    yield `${JSON.stringify(cassette.header)}\n`;
    for (const e of entries) yield `${JSON.stringify(e)}\n`;
  }
  const tmp = `${file}.partial`;
  const out = fs.createWriteStream(tmp);
  if (file.endsWith(".gz")) await pipeline(lines, zlib.createGzip({ level: 9 }), out);
  else await pipeline(lines, out);
  fs.renameSync(tmp, file);
}

export async function readCassette(file: string): Promise<Cassette> {
  const raw = fs.createReadStream(file);
  const input = file.endsWith(".gz") ? raw.pipe(zlib.createGunzip()) : raw;
  let header: CassetteHeader | undefined;
  const entries: CassetteEntry[] = [];
  let n = 0;
  for await (const line of readline.createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    n++;
    if (!line.trim()) continue;
    let parsed: { kind?: string };
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`${file}:${n}: not JSON`);
    }
    if (!header) {
      if (parsed.kind !== "header") throw new Error(`${file}: the first line must be the cassette header`);
      header = parsed as CassetteHeader;
      if (header.version !== CASSETTE_VERSION) {
        throw new Error(`${file}: cassette version ${header.version}, this code reads ${CASSETTE_VERSION}`);
      }
      continue;
    }
    if (parsed.kind !== "rpc") throw new Error(`${file}:${n}: unknown line kind ${String(parsed.kind)}`);
    entries.push(parsed as CassetteEntry);
  }
  if (!header) throw new Error(`${file}: empty cassette`);
  return { header, entries };
}
