import { ponder } from "ponder:registry";
import { vehiclePrivilegeState, vehicleState } from "ponder:schema";
import { zeroAddress } from "viem";

// VehicleId → vehicle_state (public view `vehicle`) and vehicle_privilege_state (view
// `vehicle_privilege`). Any change of hands drops every grant on the vehicle: the contracts bump a
// version and emit no other event; here the vehicle's epoch is bumped, which hides every grant set
// in an earlier epoch (ponder.schema.ts), so a transfer is one row write whatever its grants.

ponder.on("VehicleId:Transfer", async ({ event, context }) => {
  const { from, to, tokenId: id } = event.args;
  const { db } = context;
  const seen = await db.find(vehicleState, { id });
  if (from === zeroAddress) {
    const minted = {
      owner: to,
      mintedAt: event.block.timestamp,
      mintedBlock: event.block.number,
      transfers: 0,
      burned: false,
    };
    // A re-mint of a burned id starts a new epoch, so nothing of the old token shows.
    if (seen) await db.update(vehicleState, { id }).set({ ...minted, epoch: seen.epoch + 1 });
    else await db.insert(vehicleState).values({ id, ...minted, epoch: 0 });
    return;
  }
  const burned = to === zeroAddress;
  if (seen) {
    await db
      .update(vehicleState, { id })
      .set(
        burned
          ? { burned: true, epoch: seen.epoch + 1 }
          : { owner: to, transfers: seen.transfers + 1, epoch: seen.epoch + 1 },
      );
    return;
  }
  // Minted before START_BLOCK: first seen here, with an unknown mint time. Epoch 1 hides grants
  // recorded before (epoch 0, the default of a vehicle never seen).
  await db.insert(vehicleState).values({
    id,
    owner: burned ? from : to,
    mintedAt: null,
    mintedBlock: null,
    transfers: burned ? 0 : 1,
    burned,
    epoch: 1,
  });
});

ponder.on("VehicleId:PrivilegeSet", async ({ event, context }) => {
  const { tokenId: vehicleId, privId: privilegeId, user, expires, version } = event.args;
  const key = { vehicleId, privilegeId, user };
  const { db } = context;
  if (expires === 0n) {
    // expires 0 is how an owner revokes a privilege.
    if ((await db.find(vehiclePrivilegeState, key))?.active) {
      await db.update(vehiclePrivilegeState, key).set({ active: false });
    }
    return;
  }
  const values = {
    expiresAt: expires,
    version,
    setAt: event.block.timestamp,
    blockNumber: event.block.number,
    txHash: event.transaction.hash,
    active: true,
    epoch: (await db.find(vehicleState, { id: vehicleId }))?.epoch ?? 0,
  };
  await db
    .insert(vehiclePrivilegeState)
    .values({ ...key, ...values })
    .onConflictDoUpdate(values);
});
