import secp256k1 from "secp256k1";
import { bytesToHex, hashMessage, keccak256 } from "viem";

// EIP-191 personal_sign verification for logins. Recovery runs in libsecp256k1 through the native
// `secp256k1` addon (prebuilt for linux-x64; it falls back to pure JS where none loads): ~0.06 ms
// against ~0.26 ms in WASM (tiny-secp256k1) and ~3 ms in pure-JS curves on this hardware, the
// login hot path's biggest cost. viem still builds the EIP-191 hash, so the bytes signed are
// exactly viem's.

export type ParsedSignature = { compact: Uint8Array; recoveryId: 0 | 1 };

const SIGNATURE_RE = /^(0x)?[0-9a-fA-F]{130}$/;

/**
 * A 65-byte r‖s‖v signature as wallets and SDKs send it, `0x` optional; v may be 27/28
 * (personal_sign, web3 `eth.accounts.sign`) or 0/1 (raw recovery id). Null for anything else.
 */
export function parseSignature(value: string): ParsedSignature | null {
  if (!SIGNATURE_RE.test(value)) return null;
  const bytes = Buffer.from(value.replace(/^0x/, ""), "hex");
  const v = bytes[64]!;
  const recoveryId = v >= 27 ? v - 27 : v;
  if (recoveryId !== 0 && recoveryId !== 1) return null;
  return { compact: new Uint8Array(bytes.subarray(0, 64)), recoveryId };
}

/**
 * The address (lowercase, as the indexer stores addresses) whose key signed `message` with
 * EIP-191 personal_sign, or null when the signature recovers no key (r or s out of range).
 */
export function recoverPersonalSigner(message: string, signature: ParsedSignature): string | null {
  let publicKey: Uint8Array;
  try {
    publicKey = secp256k1.ecdsaRecover(
      signature.compact,
      signature.recoveryId,
      hashMessage(message, "bytes"),
      false,
    );
  } catch {
    return null;
  }
  return bytesToHex(keccak256(publicKey.subarray(1), "bytes").subarray(12));
}
