import { type Context, ponder } from "ponder:registry";
import { accountSacdState, vehicleSacdState, vehicleState } from "ponder:schema";
import type { Address, Hash } from "viem";
import { grantTarget, sourceOrNull, templateIdHex } from "../../domain/grants";

// SACD → vehicle_sacd_state (view `vehicle_sacd`: asset == VehicleId, tokenId != 0) and
// account_sacd_state (view `account_sacd`: tokenId == 0). Grants on any other asset (connections,
// other NFTs) are not vehicle sharing and are skipped. A vehicle grant records the vehicle's epoch:
// a later transfer or burn bumps it and the grant drops out of the view (ponder.schema.ts).

type PermissionsSet = {
  args: {
    asset: Address;
    tokenId: bigint;
    permissions: bigint;
    grantee: Address;
    expiration: bigint;
    source: string;
    templateId?: bigint;
  };
  block: { number: bigint; timestamp: bigint };
  transaction: { hash: Hash };
};

async function onPermissionsSet({ args, block, transaction }: PermissionsSet, context: Context) {
  const target = grantTarget(args.asset, args.tokenId, context.contracts.VehicleId.address as Address);
  if (target === "ignored") return;
  const values = {
    permissions: args.permissions,
    expiresAt: args.expiration,
    source: sourceOrNull(args.source),
    templateId: templateIdHex(args.templateId),
    createdAt: block.timestamp,
    blockNumber: block.number,
    txHash: transaction.hash,
    active: true,
  };
  if (target === "account") {
    await context.db
      .insert(accountSacdState)
      .values({ grantor: args.asset, grantee: args.grantee, ...values })
      .onConflictDoUpdate(values);
    return;
  }
  const epoch = (await context.db.find(vehicleState, { id: args.tokenId }))?.epoch ?? 0;
  await context.db
    .insert(vehicleSacdState)
    .values({ vehicleId: args.tokenId, grantee: args.grantee, ...values, epoch })
    .onConflictDoUpdate({ ...values, epoch });
}

ponder.on(
  "Sacd:PermissionsSet(address indexed asset, uint256 indexed tokenId, uint256 permissions, address indexed grantee, uint256 expiration, uint256 templateId, string source)",
  ({ event, context }) => onPermissionsSet(event, context),
);

ponder.on(
  "Sacd:PermissionsSet(address indexed asset, uint256 indexed tokenId, uint256 permissions, address indexed grantee, uint256 expiration, string source)",
  ({ event, context }) => onPermissionsSet(event, context),
);

ponder.on("Sacd:PermissionsRenounced", async ({ event, context }) => {
  const { asset, tokenId, grantee } = event.args;
  const { db } = context;
  const target = grantTarget(asset, tokenId, context.contracts.VehicleId.address as Address);
  if (target === "account") {
    const key = { grantor: asset, grantee };
    if ((await db.find(accountSacdState, key))?.active)
      await db.update(accountSacdState, key).set({ active: false });
  } else if (target === "vehicle") {
    const key = { vehicleId: tokenId, grantee };
    if ((await db.find(vehicleSacdState, key))?.active)
      await db.update(vehicleSacdState, key).set({ active: false });
  }
});
