import sha3 from "js-sha3";

// EIP-55, the one implementation: the indexer checksums addresses in event history, the API every
// address it returns (the views hold them lowercase). The keccak is the costliest step of both
// (js-sha3 hashes 3-4x faster than viem's pure-JS keccak) and the same addresses come back
// (owners, signers, grantees), so results are memoized in a bounded map that restarts when full.

const MAX_MEMO = 100_000;
const memo = new Map<string, `0x${string}`>();
const LOWER_ADDRESS = /^0x[0-9a-f]{40}$/;

/** EIP-55 checksum of a 20-byte 0x address in any case; throws on anything else. */
export function checksumAddress(address: string): `0x${string}` {
  let out = memo.get(address);
  if (out !== undefined) return out;
  const lower = address.toLowerCase();
  if (!LOWER_ADDRESS.test(lower)) throw new Error(`Address "${address}" is invalid.`);
  out = eip55(lower.slice(2));
  if (memo.size >= MAX_MEMO) memo.clear();
  memo.set(address, out);
  return out;
}

/** A hex letter is upper case where the keccak of the lowercase hex has a nibble ≥ 8. */
function eip55(hex: string): `0x${string}` {
  const hash = sha3.keccak256.array(hex);
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const c = hex.charCodeAt(i);
    const nibble = i % 2 === 0 ? hash[i >> 1]! >> 4 : hash[i >> 1]! & 15;
    out += c >= 97 && nibble >= 8 ? String.fromCharCode(c - 32) : hex[i];
  }
  return out as `0x${string}`;
}
