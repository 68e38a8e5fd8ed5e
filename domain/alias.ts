import { type Hex, hexToBytes } from "viem";

/** The contract stores aliases in a bytes32 key: at most this many UTF-8 bytes. */
const MAX_ALIAS_BYTES = 32;

const utf8 = new TextDecoder("utf-8");
const encoder = new TextEncoder();

/**
 * The alias a `LicenseAliasSet` event means. The string overload is taken as emitted; the legacy
 * bytes32 overload is read like the contract's own view (LibString.fromSmallString): the bytes up
 * to the first zero byte, as UTF-8. An empty alias means "no alias" (null).
 */
export function decodeAlias(value: string | Hex, kind: "string" | "bytes32"): string | null {
  if (kind === "string") return value === "" ? null : value;
  const bytes = hexToBytes(value as Hex);
  const end = bytes.indexOf(0);
  const decoded = utf8.decode(end === -1 ? bytes : bytes.subarray(0, end));
  return decoded === "" ? null : decoded;
}

export function aliasByteLength(alias: string): number {
  return encoder.encode(alias).length;
}

export type AliasProblem = "empty" | "too_long";

/** Why an alias cannot be set on chain, or null when its shape is fine (uniqueness is a separate question). */
export function aliasProblem(alias: string): AliasProblem | null {
  if (alias === "") return "empty";
  if (aliasByteLength(alias) > MAX_ALIAS_BYTES) return "too_long";
  return null;
}
