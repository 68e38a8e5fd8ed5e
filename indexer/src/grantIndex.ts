import type { Context } from "ponder:registry";
import { vehicleGrantKeys, vehiclePrivilege, vehicleSacd } from "ponder:schema";
import type { Address } from "viem";
import { parsePrivilegeKey, privilegeKey, withKey, withoutKey } from "../lib/grants";

// Every live grant on a vehicle is listed in vehicle_grant_keys, so a transfer or burn can drop
// them all with keyed Store API deletes (which stay in Ponder's write cache).

type Db = Context["db"];
type Keys = { sacdGrantees: Address[]; privileges: string[] };

async function update(db: Db, vehicleId: bigint, change: (keys: Keys) => Keys) {
  const row = await db.find(vehicleGrantKeys, { vehicleId });
  const next = change(row ?? { sacdGrantees: [], privileges: [] });
  if (row) await db.update(vehicleGrantKeys, { vehicleId }).set(next);
  else await db.insert(vehicleGrantKeys).values({ vehicleId, ...next });
}

export const indexSacd = (db: Db, vehicleId: bigint, grantee: Address, present: boolean) =>
  update(db, vehicleId, (k) => ({
    ...k,
    sacdGrantees: present ? withKey(k.sacdGrantees, grantee) : withoutKey(k.sacdGrantees, grantee),
  }));

export const indexPrivilege = (
  db: Db,
  vehicleId: bigint,
  privilegeId: bigint,
  user: Address,
  present: boolean,
) => {
  const key = privilegeKey(privilegeId, user);
  return update(db, vehicleId, (k) => ({
    ...k,
    privileges: present ? withKey(k.privileges, key) : withoutKey(k.privileges, key),
  }));
};

/** Drops every SACD grant and privilege on the vehicle, as a transfer or burn does on chain. */
export async function dropAllGrants(db: Db, vehicleId: bigint) {
  const row = await db.find(vehicleGrantKeys, { vehicleId });
  if (!row) return;
  for (const grantee of row.sacdGrantees) await db.delete(vehicleSacd, { vehicleId, grantee });
  for (const key of row.privileges)
    await db.delete(vehiclePrivilege, { vehicleId, ...parsePrivilegeKey(key) });
  await db.delete(vehicleGrantKeys, { vehicleId });
}
