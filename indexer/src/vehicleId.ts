import { ponder } from "ponder:registry";
import { vehicle, vehiclePrivilege } from "ponder:schema";
import { zeroAddress } from "viem";
import { dropAllGrants, indexPrivilege } from "./grantIndex";

// VehicleId → vehicle and vehicle_privilege. Any change of hands drops every grant on the vehicle:
// the contracts bump a version (VehicleId privileges, SACD onTransfer) and emit no other event.

ponder.on("VehicleId:Transfer", async ({ event, context }) => {
  const { from, to, tokenId: id } = event.args;
  const { db } = context;
  if (from === zeroAddress) {
    await db
      .insert(vehicle)
      .values({
        id,
        owner: to,
        mintedAt: event.block.timestamp,
        mintedBlock: event.block.number,
        transfers: 0,
      })
      .onConflictDoUpdate({
        owner: to,
        mintedAt: event.block.timestamp,
        mintedBlock: event.block.number,
        transfers: 0,
      });
    return;
  }
  await dropAllGrants(db, id);
  if (to === zeroAddress) {
    await db.delete(vehicle, { id });
    return;
  }
  // A vehicle minted before START_BLOCK is first seen here, with an unknown mint time.
  await db
    .insert(vehicle)
    .values({ id, owner: to, mintedAt: null, mintedBlock: null, transfers: 1 })
    .onConflictDoUpdate((row) => ({ owner: to, transfers: row.transfers + 1 }));
});

ponder.on("VehicleId:PrivilegeSet", async ({ event, context }) => {
  const { tokenId: vehicleId, privId: privilegeId, user, expires, version } = event.args;
  const key = { vehicleId, privilegeId, user };
  if (expires === 0n) {
    // expires 0 is how an owner revokes a privilege.
    await context.db.delete(vehiclePrivilege, key);
    await indexPrivilege(context.db, vehicleId, privilegeId, user, false);
    return;
  }
  const values = {
    expiresAt: expires,
    version,
    setAt: event.block.timestamp,
    blockNumber: event.block.number,
    txHash: event.transaction.hash,
  };
  await context.db
    .insert(vehiclePrivilege)
    .values({ ...key, ...values })
    .onConflictDoUpdate(values);
  await indexPrivilege(context.db, vehicleId, privilegeId, user, true);
});
