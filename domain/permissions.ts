/**
 * DIMO vehicle permissions. The same ids name legacy VehicleId privileges and SACD mask positions:
 * a SACD mask grants permission i iff (mask >> 2i) & 3 == 3 (two bits each, bits 0–1 unused).
 */
export const PERMISSIONS = [
  { id: 1, name: "GetNonLocationHistory" },
  { id: 2, name: "ExecuteCommands" },
  { id: 3, name: "GetCurrentLocation" },
  { id: 4, name: "GetLocationHistory" },
  { id: 5, name: "GetVINCredential" },
  { id: 6, name: "GetLiveData" },
  { id: 7, name: "GetRawData" },
  { id: 8, name: "GetApproximateLocation" },
] as const;

export type PermissionName = (typeof PERMISSIONS)[number]["name"];
export type PermissionId = (typeof PERMISSIONS)[number]["id"];

const byName = new Map<string, PermissionId>(PERMISSIONS.map((p) => [p.name, p.id]));
const byId = new Map<number, PermissionName>(PERMISSIONS.map((p) => [p.id, p.name]));

export function hasPermission(mask: bigint, id: number): boolean {
  return ((mask >> BigInt(2 * id)) & 3n) === 3n;
}

/** Permission ids a SACD mask grants, ascending. */
export function permissionIdsOfMask(mask: bigint): PermissionId[] {
  return PERMISSIONS.filter((p) => hasPermission(mask, p.id)).map((p) => p.id);
}

/** The SACD mask granting exactly these permission ids. */
export function maskOf(ids: Iterable<number>): bigint {
  let mask = 0n;
  for (const id of ids) mask |= 3n << BigInt(2 * id);
  return mask;
}

export function permissionName(id: number | bigint): PermissionName | null {
  return byId.get(Number(id)) ?? null;
}

/**
 * Parses a permission as clients send it: a name ("GetLiveData"), the token-exchange form
 * ("privilege:GetLiveData"), or an id (6). Null when it names no known permission.
 */
export function parsePermission(value: string | number): PermissionId | null {
  if (typeof value === "number") return byId.has(value) ? (value as PermissionId) : null;
  const name = value.startsWith("privilege:") ? value.slice("privilege:".length) : value;
  return byName.get(name) ?? null;
}

/** Names of a set of ids in permission-id order, each once. */
export function namesInOrder(ids: Iterable<number>): PermissionName[] {
  const set = new Set(ids);
  return PERMISSIONS.filter((p) => set.has(p.id)).map((p) => p.name);
}

/** Lowercase minimal hex, as the API shows masks ("0x3fffc"; zero is "0x0"). */
export function maskToHex(mask: bigint): string {
  return `0x${mask.toString(16)}`;
}
