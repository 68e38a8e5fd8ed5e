import { getAddress, keccak256 } from "viem";
import { maskToHex, namesInOrder, permissionIdsOfMask } from "../../../domain/permissions";
import { isoFromSeconds } from "../../lib/time";

// Row → JSON shaping shared by the services: pure functions over what the queries return
// (numeric columns as decimal text), so they are unit-tested without a database.

const CHECKSUM_CACHE_SIZE = 100_000;
const checksums = new Map<string, string>();
const utf8 = new TextEncoder();
const LOWER_ADDRESS = /^0x[0-9a-f]{40}$/;

/**
 * Ponder stores addresses lowercase; the API shows them EIP-55 checksummed. The keccak behind a
 * checksum is the costliest step of shaping a license, and the same addresses come back request
 * after request, so results are memoized (bounded: the memo restarts when full). Lowercase input,
 * the only form the views hold, takes a lean path straight to the hash.
 */
export function checksum(address: string): string {
  let out = checksums.get(address);
  if (out === undefined) {
    out = LOWER_ADDRESS.test(address) ? eip55(address) : getAddress(address);
    if (checksums.size >= CHECKSUM_CACHE_SIZE) checksums.clear();
    checksums.set(address, out);
  }
  return out;
}

/** EIP-55 of a lowercase 0x address: a hex letter is upper case where its hash nibble is ≥ 8. */
function eip55(lower: string): string {
  const hex = lower.slice(2);
  const hash = keccak256(utf8.encode(hex), "bytes");
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const c = hex.charCodeAt(i);
    const nibble = i % 2 === 0 ? hash[i >> 1]! >> 4 : hash[i >> 1]! & 15;
    out += c >= 97 && nibble >= 8 ? String.fromCharCode(c - 32) : hex[i];
  }
  return out;
}

/** ids (tokenId, vehicleId, block, log index, privilege id) are JSON numbers; < 2^53 in practice. */
export const toNumber = (value: string | number): number => Number(value);

export type SacdRow = {
  grantee: string;
  permissions: string;
  expires_at: string;
  source: string | null;
  template_id: string | null;
};
export type PrivilegeRow = { user: string; privilege_id: string; expires_at: string };

export type SacdGrant = {
  kind: "sacd";
  grantee: string;
  permissions: string;
  expiresAt: string;
  source: string | null;
  templateId: string | null;
};
export type PrivilegeGrant = { kind: "privilege"; grantee: string; privilegeId: number; expiresAt: string };
export type Grant = SacdGrant | PrivilegeGrant;

export function sacdGrant(row: SacdRow): SacdGrant {
  return {
    kind: "sacd",
    grantee: checksum(row.grantee),
    permissions: maskToHex(BigInt(row.permissions)),
    expiresAt: isoFromSeconds(row.expires_at),
    source: row.source === "" ? null : row.source,
    templateId: row.template_id === null ? null : row.template_id.toLowerCase(),
  };
}

export function privilegeGrant(row: PrivilegeRow): PrivilegeGrant {
  return {
    kind: "privilege",
    grantee: checksum(row.user),
    privilegeId: toNumber(row.privilege_id),
    expiresAt: isoFromSeconds(row.expires_at),
  };
}

export type SharedVehicle = {
  vehicleId: number;
  owner: string | null;
  permissions: string[];
  expiresAt: string;
  grants: Grant[];
};

/**
 * One vehicle shared with a license: the union of permission names over its grants (SACD mask
 * bits and privilege ids alike; ids outside 1..8 name nothing), the latest expiry, and the grants
 * themselves, SACD first then privileges by id (the caller passes them in that order).
 */
export function sharedVehicle(
  vehicleId: string,
  owner: string | null,
  sacds: readonly SacdRow[],
  privileges: readonly PrivilegeRow[],
): SharedVehicle {
  const ids: number[] = [];
  let latest = -1n;
  for (const s of sacds) {
    ids.push(...permissionIdsOfMask(BigInt(s.permissions)));
    const e = BigInt(s.expires_at);
    if (e > latest) latest = e;
  }
  for (const p of privileges) {
    ids.push(Number(p.privilege_id));
    const e = BigInt(p.expires_at);
    if (e > latest) latest = e;
  }
  return {
    vehicleId: toNumber(vehicleId),
    owner: owner === null ? null : checksum(owner),
    permissions: namesInOrder(ids),
    expiresAt: isoFromSeconds(latest < 0n ? 0n : latest),
    grants: [...sacds.map(sacdGrant), ...privileges.map(privilegeGrant)],
  };
}

/** Seconds a signer stays valid when the contract never emitted UpdatePeriodValidity. */
export const DEFAULT_PERIOD_VALIDITY = 31_536_000n;

export type SignerRow = { signer: string; enabled_at: string };
export type Signer = { address: string; enabledAt: string; expiresAt: string; expired: boolean };

/** expiresAt = enabledAt + the contract's latest periodValidity; expired once that time is reached. */
export function signer(row: SignerRow, periodValidity: bigint, now: bigint): Signer {
  const expiresAt = BigInt(row.enabled_at) + periodValidity;
  return {
    address: checksum(row.signer),
    enabledAt: isoFromSeconds(row.enabled_at),
    expiresAt: isoFromSeconds(expiresAt),
    expired: expiresAt <= now,
  };
}
