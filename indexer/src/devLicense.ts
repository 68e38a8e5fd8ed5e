import { ponder } from "ponder:registry";
import {
  license,
  licenseContract,
  licenseEvent,
  licenseRedirectUriState,
  licenseSignerState,
} from "ponder:schema";
import { type Address, zeroAddress } from "viem";
import { devLicenseEvents } from "../../abis/devLicense";
import { decodeAlias } from "../../domain/alias";
import { type HistoryArgs, historyArgs } from "../lib/eventArgs";

// DevLicenseDimo → license, license_signer, license_redirect_uri, license_contract, and the
// append-only license_event history. Rules live in ../lib; handlers only read, decide, write.

type Ctx = Parameters<Parameters<typeof ponder.on<"DevLicense:Issued">>[1]>[0]["context"];
type Ev = {
  args: { tokenId: bigint };
  block: { number: bigint; timestamp: bigint };
  transaction: { hash: `0x${string}` };
  log: { logIndex: number };
};

// Looked up once: handlers run for every event of a backfill.
const INPUTS = new Map<string, (typeof devLicenseEvents)[number]["inputs"]>(
  devLicenseEvents.map((e) => [e.name, e.inputs]),
);
const inputsOf = (name: string) => INPUTS.get(name)!;

async function record(context: Ctx, event: Ev, type: string, args: HistoryArgs) {
  await context.db.insert(licenseEvent).values({
    blockNumber: event.block.number,
    logIndex: event.log.logIndex,
    tokenId: event.args.tokenId,
    type,
    args,
    txHash: event.transaction.hash,
    timestamp: event.block.timestamp,
  });
}

/** Registers the history record for an event whose only effect is to be remembered. */
function historyOnly(
  name: "Locked" | "StakeDeposit" | "StakeWithdraw" | "AssetFreezeUpdate" | "AssetForfeit",
) {
  ponder.on(`DevLicense:${name}`, async ({ event, context }) => {
    await record(context, event, name, historyArgs(inputsOf(name), event.args));
  });
}
for (const name of [
  "Locked",
  "StakeDeposit",
  "StakeWithdraw",
  "AssetFreezeUpdate",
  "AssetForfeit",
] as const) {
  historyOnly(name);
}

ponder.on("DevLicense:Issued", async ({ event, context }) => {
  await context.db
    .insert(license)
    .values({
      tokenId: event.args.tokenId,
      clientId: event.args.clientId,
      owner: event.args.owner,
      alias: null,
      status: "active",
      mintedAt: event.block.timestamp,
      mintedBlock: event.block.number,
      mintedTx: event.transaction.hash,
    })
    .onConflictDoNothing();
  await record(context, event, "Issued", historyArgs(inputsOf("Issued"), event.args));
});

async function setAlias(context: Ctx, event: Ev, alias: string | null) {
  // A license that was never issued (or indexing started after its issue) has no row to rename.
  if (await context.db.find(license, { tokenId: event.args.tokenId })) {
    await context.db.update(license, { tokenId: event.args.tokenId }).set({ alias });
  }
  await record(context, event, "LicenseAliasSet", {
    tokenId: event.args.tokenId.toString(),
    licenseAlias: alias,
  });
}

ponder.on(
  "DevLicense:LicenseAliasSet(uint256 indexed tokenId, string licenseAlias)",
  async ({ event, context }) => {
    await setAlias(context, event, decodeAlias(event.args.licenseAlias, "string"));
  },
);

ponder.on(
  "DevLicense:LicenseAliasSet(uint256 indexed tokenId, bytes32 licenseAlias)",
  async ({ event, context }) => {
    await setAlias(context, event, decodeAlias(event.args.licenseAlias, "bytes32"));
  },
);

ponder.on("DevLicense:Transfer", async ({ event, context }) => {
  const { from, to, tokenId } = event.args;
  // Licenses are soulbound: mint (from 0) is already covered by Issued, and the only other
  // Transfer the contract emits is revoke (to 0), which frees the alias and ends the license.
  if (to === zeroAddress && from !== zeroAddress && (await context.db.find(license, { tokenId }))) {
    await context.db.update(license, { tokenId }).set({
      status: "revoked",
      alias: null,
      revokedAt: event.block.timestamp,
      revokedBlock: event.block.number,
      revokedTx: event.transaction.hash,
    });
  }
  await record(context, event, "Transfer", historyArgs(inputsOf("Transfer"), event.args));
});

// Disabling flags the row instead of deleting it (see ponder.schema.ts): a Store API delete is a
// database round trip per event, a flag update stays in Ponder's write cache.

ponder.on("DevLicense:SignerEnabled", async ({ event, context }) => {
  const enabled = {
    enabledAt: event.block.timestamp,
    enabledBlock: event.block.number,
    enabledTx: event.transaction.hash,
    enabled: true,
  };
  await context.db
    .insert(licenseSignerState)
    .values({ tokenId: event.args.tokenId, signer: event.args.signer, ...enabled })
    .onConflictDoUpdate(enabled);
  await record(context, event, "SignerEnabled", historyArgs(inputsOf("SignerEnabled"), event.args));
});

ponder.on("DevLicense:SignerDisabled", async ({ event, context }) => {
  const key = { tokenId: event.args.tokenId, signer: event.args.signer };
  if ((await context.db.find(licenseSignerState, key))?.enabled) {
    await context.db.update(licenseSignerState, key).set({ enabled: false });
  }
  await record(context, event, "SignerDisabled", historyArgs(inputsOf("SignerDisabled"), event.args));
});

ponder.on("DevLicense:RedirectUriEnabled", async ({ event, context }) => {
  const key = { tokenId: event.args.tokenId, uri: event.args.uri };
  // Enabling an enabled URI changes nothing: enabledAt is the start of the current enabled period.
  if (!(await context.db.find(licenseRedirectUriState, key))?.enabled) {
    const enabled = {
      enabledAt: event.block.timestamp,
      enabledBlock: event.block.number,
      enabledTx: event.transaction.hash,
      enabled: true,
    };
    await context.db
      .insert(licenseRedirectUriState)
      .values({ ...key, ...enabled })
      .onConflictDoUpdate(enabled);
  }
  await record(context, event, "RedirectUriEnabled", historyArgs(inputsOf("RedirectUriEnabled"), event.args));
});

ponder.on("DevLicense:RedirectUriDisabled", async ({ event, context }) => {
  const key = { tokenId: event.args.tokenId, uri: event.args.uri };
  if ((await context.db.find(licenseRedirectUriState, key))?.enabled) {
    await context.db.update(licenseRedirectUriState, key).set({ enabled: false });
  }
  await record(
    context,
    event,
    "RedirectUriDisabled",
    historyArgs(inputsOf("RedirectUriDisabled"), event.args),
  );
});

async function setContract(
  context: Ctx,
  address: Address,
  values: { periodValidity?: bigint; licenseCost?: bigint },
) {
  await context.db
    .insert(licenseContract)
    .values({ address, periodValidity: null, licenseCost: null, ...values })
    .onConflictDoUpdate(values);
}

ponder.on("DevLicense:UpdatePeriodValidity", async ({ event, context }) => {
  await setContract(context, event.log.address, { periodValidity: event.args.periodValidity });
});

ponder.on("DevLicense:UpdateLicenseCost", async ({ event, context }) => {
  await setContract(context, event.log.address, { licenseCost: event.args.licenseCost });
});
