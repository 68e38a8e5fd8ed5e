import sha3 from "js-sha3";

type AbiInput = { readonly name: string; readonly type: string };
export type HistoryArgs = Record<string, string | boolean | null>;

// Checksumming is the costliest step of recording history (a keccak per address, ~40% of license
// events carry one): js-sha3 hashes 2-3x faster than viem's pure-JS keccak, and the same addresses
// come back (owners, a signer enabled then disabled), so results are memoized, in a bounded map.
const checksums = new Map<string, `0x${string}`>();
const MAX_MEMO = 100_000;

/** EIP-55 checksum of a 20-byte hex address (any case). */
export function checksumAddress(address: string): `0x${string}` {
  const lower = address.toLowerCase();
  let out = checksums.get(lower);
  if (out !== undefined) return out;
  const hex = lower.slice(2);
  const hash = sha3.keccak256(hex);
  let result = "0x";
  for (let i = 0; i < 40; i++) {
    const c = hex[i]!;
    result += c > "9" && Number.parseInt(hash[i]!, 16) >= 8 ? c.toUpperCase() : c;
  }
  out = result as `0x${string}`;
  if (checksums.size >= MAX_MEMO) checksums.clear();
  checksums.set(lower, out);
  return out;
}

/**
 * An event's arguments as the history stores them (docs/indexing.md, "History"): keyed by ABI name, addresses
 * checksummed, integers as decimal strings, byte strings as lowercase hex.
 */
export function historyArgs(inputs: readonly AbiInput[], args: Record<string, unknown>): HistoryArgs {
  const out: HistoryArgs = {};
  for (const { name, type } of inputs) {
    const value = args[name];
    if (type === "address") out[name] = checksumAddress(value as string);
    else if (type.startsWith("uint") || type.startsWith("int")) out[name] = (value as bigint).toString();
    else if (type === "bool") out[name] = Boolean(value);
    else if (type.startsWith("bytes")) out[name] = (value as string).toLowerCase();
    else out[name] = value as string;
  }
  return out;
}
