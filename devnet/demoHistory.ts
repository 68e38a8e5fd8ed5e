import type { Deployment } from "./deploy";
import { ALL_PERMISSIONS, createChain, DEV_ACCOUNTS, permissionMask } from "./scenario";

const YEAR = 365n * 24n * 3600n;

/** Who's who in the demo history (anvil's well-known dev accounts). */
const DEMO = {
  alice: DEV_ACCOUNTS[1]!, // developer: weather-app and a legacy-alias license
  bob: DEV_ACCOUNTS[2]!, // developer: fleet-dash and a revoked license
  carol: DEV_ACCOUNTS[3]!, // vehicle owner
  dave: DEV_ACCOUNTS[4]!, // vehicle owner
  /** API keys (signers) whose private keys are anvil's published test keys — handy for trying login. */
  weatherKey: DEV_ACCOUNTS[5]!,
  weatherKey2: DEV_ACCOUNTS[6]!,
  fleetKey: DEV_ACCOUNTS[7]!,
} as const;

/**
 * A small but complete history for the devnet: licenses with aliases (both overloads), API-key
 * signers and redirect URIs, a revoked license, vehicles shared through SACD (both event versions),
 * a legacy privilege, an account-level grant, a renounce and a transfer that drops grants.
 */
export async function applyDemoHistory(rpcUrl: string, deployment: Deployment) {
  const chain = createChain(rpcUrl, deployment);
  const { alice, bob, carol, dave } = DEMO;
  const inAYear = (await chain.now()) + YEAR;

  const weather = await chain.issue(alice.address, { alias: "weather-app", pay: "dc" });
  const fleet = await chain.issue(bob.address, { alias: "fleet-dash", pay: "dimo" });
  const legacy = await chain.issue(alice.address);
  const retired = await chain.issue(bob.address, { alias: "retired-app" });

  await chain.apply([
    { kind: "enableSigner", tokenId: weather.tokenId, signer: DEMO.weatherKey.address },
    { kind: "enableSigner", tokenId: weather.tokenId, signer: DEMO.weatherKey2.address },
    {
      kind: "setRedirectUri",
      tokenId: weather.tokenId,
      uri: "http://localhost:3000/callback",
      enabled: true,
    },
    {
      kind: "setRedirectUri",
      tokenId: weather.tokenId,
      uri: "https://weather.example/auth/callback",
      enabled: true,
    },
    { kind: "enableSigner", tokenId: fleet.tokenId, signer: DEMO.fleetKey.address },
    { kind: "setRedirectUri", tokenId: fleet.tokenId, uri: "https://fleet.example/cb", enabled: true },
    { kind: "setLegacyAlias", tokenId: legacy.tokenId, alias: "legacy-demo" },
    { kind: "setRedirectUri", tokenId: retired.tokenId, uri: "https://retired.example/cb", enabled: true },
    { kind: "revoke", tokenId: retired.tokenId },
  ]);

  const [v1, v2, v3, v4, v5] = [
    await chain.mintVehicle(carol.address),
    await chain.mintVehicle(carol.address),
    await chain.mintVehicle(carol.address),
    await chain.mintVehicle(dave.address),
    await chain.mintVehicle(dave.address),
  ];
  await chain.apply([
    {
      kind: "grant",
      vehicleId: v1.vehicleId,
      grantee: weather.clientId,
      permissions: ALL_PERMISSIONS,
      expiration: inAYear,
      templateId: 7n,
      source: "ipfs://bafydemo-sacd-1",
    },
    {
      kind: "grantLegacy",
      vehicleId: v2.vehicleId,
      grantee: weather.clientId,
      permissions: permissionMask(1, 3),
      expiration: inAYear,
    },
    {
      kind: "grant",
      vehicleId: v3.vehicleId,
      grantee: weather.clientId,
      permissions: permissionMask(1),
      expiration: inAYear,
    },
    { kind: "renounce", grantee: weather.clientId, vehicleId: v3.vehicleId },
    { kind: "setPrivilege", vehicleId: v4.vehicleId, privId: 1, user: fleet.clientId, expires: inAYear },
    { kind: "setPrivilege", vehicleId: v4.vehicleId, privId: 6, user: fleet.clientId, expires: inAYear },
    {
      kind: "grant",
      vehicleId: v5.vehicleId,
      grantee: fleet.clientId,
      permissions: ALL_PERMISSIONS,
      expiration: inAYear,
    },
    { kind: "transferVehicle", vehicleId: v5.vehicleId, to: carol.address },
    {
      kind: "grantAccount",
      grantor: carol.address,
      grantee: fleet.clientId,
      permissions: permissionMask(1, 6),
      expiration: inAYear,
    },
  ]);
  return { weather, fleet, legacy, retired, vehicles: [v1, v2, v3, v4, v5] };
}
