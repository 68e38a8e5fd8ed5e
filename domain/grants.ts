import type { Address } from "viem";

/** Where a SACD PermissionsSet/PermissionsRenounced belongs (docs/indexing.md). */
export type GrantTarget = "vehicle" | "account" | "ignored";

/** tokenId 0 is an account-level grant (asset = grantor); otherwise only VehicleId grants count. */
export function grantTarget(asset: Address, tokenId: bigint, vehicleId: Address): GrantTarget {
  if (tokenId === 0n) return "account";
  return asset.toLowerCase() === vehicleId.toLowerCase() ? "vehicle" : "ignored";
}

/** 0x + 64 lowercase hex digits, or null for 0 and for the v1 event that has no templateId. */
export function templateIdHex(templateId: bigint | undefined): `0x${string}` | null {
  if (templateId === undefined || templateId === 0n) return null;
  return `0x${templateId.toString(16).padStart(64, "0")}`;
}

export function sourceOrNull(source: string): string | null {
  return source === "" ? null : source;
}
