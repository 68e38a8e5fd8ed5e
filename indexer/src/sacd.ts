import { type Context, ponder } from "ponder:registry";
import { accountSacd, vehicleSacd } from "ponder:schema";
import type { Address, Hash } from "viem";
import { grantTarget, sourceOrNull, templateIdHex } from "../lib/grants";
import { indexSacd } from "./grantIndex";

// SACD → vehicle_sacd (asset == VehicleId, tokenId != 0) and account_sacd (tokenId == 0).
// Grants on any other asset (connections, other NFTs) are not vehicle sharing and are skipped.

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
  };
  if (target === "account") {
    await context.db
      .insert(accountSacd)
      .values({ grantor: args.asset, grantee: args.grantee, ...values })
      .onConflictDoUpdate(values);
    return;
  }
  await context.db
    .insert(vehicleSacd)
    .values({ vehicleId: args.tokenId, grantee: args.grantee, ...values })
    .onConflictDoUpdate(values);
  await indexSacd(context.db, args.tokenId, args.grantee, true);
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
  const target = grantTarget(asset, tokenId, context.contracts.VehicleId.address as Address);
  if (target === "account") {
    await context.db.delete(accountSacd, { grantor: asset, grantee });
  } else if (target === "vehicle") {
    await context.db.delete(vehicleSacd, { vehicleId: tokenId, grantee });
    await indexSacd(context.db, tokenId, grantee, false);
  }
});
