import { ponder } from "ponder:registry";
import { event as eventTable } from "../ponder.schema";

// Exactly the events the real indexer registers (indexer/src/*.ts): Ponder derives its eth_getLogs
// filters from them, so both apps fetch the same logs from the same cassette.
const EVENTS = [
  "DevLicense:Issued",
  "DevLicense:LicenseAliasSet(uint256 indexed tokenId, string licenseAlias)",
  "DevLicense:LicenseAliasSet(uint256 indexed tokenId, bytes32 licenseAlias)",
  "DevLicense:Locked",
  "DevLicense:Transfer",
  "DevLicense:SignerEnabled",
  "DevLicense:SignerDisabled",
  "DevLicense:RedirectUriEnabled",
  "DevLicense:RedirectUriDisabled",
  "DevLicense:UpdatePeriodValidity",
  "DevLicense:UpdateLicenseCost",
  "DevLicense:StakeDeposit",
  "DevLicense:StakeWithdraw",
  "DevLicense:AssetFreezeUpdate",
  "DevLicense:AssetForfeit",
  "VehicleId:Transfer",
  "VehicleId:PrivilegeSet",
  "Sacd:PermissionsSet(address indexed asset, uint256 indexed tokenId, uint256 permissions, address indexed grantee, uint256 expiration, uint256 templateId, string source)",
  "Sacd:PermissionsSet(address indexed asset, uint256 indexed tokenId, uint256 permissions, address indexed grantee, uint256 expiration, string source)",
  "Sacd:PermissionsRenounced",
] as const;

for (const name of EVENTS) {
  ponder.on(name, async ({ event, context }) => {
    await context.db.insert(eventTable).values({
      id: event.id,
      name,
      blockNumber: event.block.number,
      logIndex: event.log.logIndex,
    });
  });
}
