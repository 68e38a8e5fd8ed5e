import { checksumAddress } from "../../../domain/eip55";
import { maskToHex, namesInOrder, permissionIdsOfMask } from "../../../domain/permissions";
import { signerExpired, signerExpiresAt } from "../../../domain/signers";
import { isoFromSeconds } from "../../lib/time";
import type { PrivilegeGrant, SacdGrant, SharedVehicle, Signer } from "./schemas";

// Row → JSON shaping shared by the services: pure functions over what the queries return
// (numeric columns as decimal text), so they are unit-tested without a database.

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

export function sacdGrant(row: SacdRow): SacdGrant {
  return {
    kind: "sacd",
    grantee: checksumAddress(row.grantee),
    permissions: maskToHex(BigInt(row.permissions)),
    expiresAt: isoFromSeconds(row.expires_at),
    source: row.source === "" ? null : row.source,
    templateId: row.template_id === null ? null : row.template_id.toLowerCase(),
  };
}

export function privilegeGrant(row: PrivilegeRow): PrivilegeGrant {
  return {
    kind: "privilege",
    grantee: checksumAddress(row.user),
    privilegeId: toNumber(row.privilege_id),
    expiresAt: isoFromSeconds(row.expires_at),
  };
}

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
    owner: owner === null ? null : checksumAddress(owner),
    permissions: namesInOrder(ids),
    expiresAt: isoFromSeconds(latest < 0n ? 0n : latest),
    grants: [...sacds.map(sacdGrant), ...privileges.map(privilegeGrant)],
  };
}

export type SignerRow = { signer: string; enabled_at: string };

/** A signer as the API shows it; expiry is the contract's rule (domain/signers.ts). */
export function signer(row: SignerRow, periodValidity: string | null, now: bigint): Signer {
  const expiresAt = signerExpiresAt(row.enabled_at, periodValidity);
  return {
    address: checksumAddress(row.signer),
    enabledAt: isoFromSeconds(row.enabled_at),
    expiresAt: isoFromSeconds(expiresAt),
    expired: signerExpired(expiresAt, now),
  };
}
