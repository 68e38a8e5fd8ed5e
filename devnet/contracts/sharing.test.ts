import { type Address, type PublicClient, zeroAddress } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devLicenseAbi } from "../../abis/devLicense";
import { sacdAbi } from "../../abis/sacd";
import { vehicleIdAbi } from "../../abis/vehicleId";
import { type AnvilInstance, startAnvil } from "../anvil";
import { type Deployment, deployDimo, localClientId } from "../deploy";
import {
  ALL_PERMISSIONS,
  createChain,
  DEV_ACCOUNTS,
  decodeReceiptLogs,
  describeRevert,
  permissionMask,
  type ScenarioChain,
  ScenarioError,
  type Step,
} from "../scenario";
import { SacdArtifact, VehicleIdArtifact } from "./artifacts";

// topic0 of the indexed signatures, from the reference (dimo-onchain.md §2).
const TOPIC = {
  PermissionsSetV1: "0x948fe417941bab89f81888f9039015a1da93ff8cbe034f5615f7bf35679de7db",
  PermissionsSetV2: "0x4a32700253007acd848b4ddb755cf335fdefab27ec717f48ac9a82305d98804a",
  PermissionsRenounced: "0x396d33091ebdc7d372ddd13bd00c2c5cbdadb5c9419f0026c159260ee069b13a",
  PrivilegeSet: "0x61a24679288162b799d80b2bb2b8b0fcdd5c5f53ac19e9246cc190b60196c359",
} as const;

const OWNER = DEV_ACCOUNTS[1]!.address;
const BUYER = DEV_ACCOUNTS[2]!.address;
const DEV = DEV_ACCOUNTS[4]!.address;
const STRANGER = DEV_ACCOUNTS[5]!.address;
/** Not dev keys: impersonated by the runner. */
const GRANTOR: Address = "0x2000000000000000000000000000000000000002";
const NFT_HOLDER: Address = "0x2000000000000000000000000000000000000003";

let anvil: AnvilInstance;
let d: Deployment;
let chain: ScenarioChain;
let client: PublicClient;
/** The license whose clientId is the grantee (a contract account: renounces are impersonated). */
let clientId: Address;
let later: bigint;

beforeAll(async () => {
  anvil = await startAnvil();
  d = await deployDimo(anvil.rpcUrl);
  chain = createChain(anvil.rpcUrl, d);
  client = chain.publicClient;
  ({ clientId } = await chain.issue(DEV, { alias: "sharing-app" }));
  later = (await chain.now()) + 30n * 24n * 3600n;
}, 30_000);
afterAll(() => anvil?.stop());

const sacdLogs = (receipt: Parameters<typeof decodeReceiptLogs>[0]) =>
  decodeReceiptLogs(receipt, d.sacd, sacdAbi);
const vehicleLogs = (receipt: Parameters<typeof decodeReceiptLogs>[0]) =>
  decodeReceiptLogs(receipt, d.vehicleId, vehicleIdAbi);

async function revertOf(step: Step): Promise<ScenarioError> {
  const err = await chain.run(step).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ScenarioError);
  return err as ScenarioError;
}

const sacdRead = {
  hasPermissions: (asset: Address, tokenId: bigint, grantee: Address, mask: bigint) =>
    client.readContract({
      address: d.sacd,
      abi: sacdAbi,
      functionName: "hasPermissions",
      args: [asset, tokenId, grantee, mask],
    }),
  hasPermission: (tokenId: bigint, grantee: Address, index: number) =>
    client.readContract({
      address: d.sacd,
      abi: sacdAbi,
      functionName: "hasPermission",
      args: [d.vehicleId, tokenId, grantee, index],
    }),
  record: (asset: Address, tokenId: bigint, grantee: Address) =>
    client.readContract({
      address: d.sacd,
      abi: SacdArtifact.abi,
      functionName: "currentPermissionRecord",
      args: [asset, tokenId, grantee],
    }),
};

describe("VehicleId", () => {
  it("creates privileges 1..8 at deployment", async () => {
    const created = await client.getContractEvents({
      address: d.vehicleId,
      abi: vehicleIdAbi,
      eventName: "PrivilegeCreated",
      fromBlock: 0n,
    });
    expect(created.map((e) => [e.args.privilegeId, e.args.enabled])).toEqual(
      [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n].map((id) => [id, true]),
    );
    expect(created[0]!.args.description).toBe("GetNonLocationHistory");
  });

  it("mints sequential ids with Transfer(0, owner)", async () => {
    const [v1, v2] = await chain.apply([
      { kind: "mintVehicle", owner: OWNER },
      { kind: "mintVehicle", owner: OWNER },
    ]);
    expect([v1.vehicleId, v2.vehicleId]).toEqual([1n, 2n]);
    expect(vehicleLogs(v1.receipt).map((l) => [l.eventName, l.args])).toEqual([
      ["Transfer", { from: zeroAddress, to: OWNER, tokenId: 1n }],
    ]);
  });
});

describe("SACD grants", () => {
  it("grant: v2 PermissionsSet with templateId, readable through hasPermission(s)", async () => {
    const permissions = permissionMask(1, 3, 4);
    const r = await chain.run({
      kind: "grant",
      vehicleId: 1n,
      grantee: clientId,
      permissions,
      expiration: later,
      templateId: 0x1234n,
      source: "ipfs://grant-v2",
    });
    expect(r.receipt.from.toLowerCase()).toBe(OWNER.toLowerCase());
    expect(sacdLogs(r.receipt).map((l) => [l.eventName, l.topic0, l.args])).toEqual([
      [
        "PermissionsSet",
        TOPIC.PermissionsSetV2,
        {
          asset: d.vehicleId,
          tokenId: 1n,
          permissions,
          grantee: clientId,
          expiration: later,
          templateId: 0x1234n,
          source: "ipfs://grant-v2",
        },
      ],
    ]);
    expect(await sacdRead.hasPermission(1n, clientId, 1)).toBe(true);
    expect(await sacdRead.hasPermission(1n, clientId, 2)).toBe(false);
    expect(await sacdRead.hasPermission(1n, clientId, 4)).toBe(true);
    expect(await sacdRead.hasPermissions(d.vehicleId, 1n, clientId, permissionMask(1, 3))).toBe(true);
    expect(await sacdRead.hasPermissions(d.vehicleId, 1n, clientId, permissionMask(2))).toBe(false);
    expect(ALL_PERMISSIONS).toBe(0x3fffcn);
  });

  it("grantLegacy: v1 PermissionsSet without templateId, overwriting the record", async () => {
    const r = await chain.run({
      kind: "grantLegacy",
      vehicleId: 1n,
      grantee: clientId,
      permissions: ALL_PERMISSIONS,
      expiration: later,
    });
    expect(sacdLogs(r.receipt).map((l) => [l.topic0, l.args])).toEqual([
      [
        TOPIC.PermissionsSetV1,
        {
          asset: d.vehicleId,
          tokenId: 1n,
          permissions: ALL_PERMISSIONS,
          grantee: clientId,
          expiration: later,
          source: "",
        },
      ],
    ]);
    expect(await sacdRead.record(d.vehicleId, 1n, clientId)).toEqual({
      permissions: ALL_PERMISSIONS,
      expiration: later,
      templateId: 0n,
      source: "",
    });
  });

  it("rejects grants by a non-owner, to the zero address and on missing tokens", async () => {
    const stranger = await revertOf({
      kind: "grant",
      vehicleId: 1n,
      grantee: clientId,
      permissions: 12n,
      expiration: later,
      from: STRANGER,
    });
    expect(stranger.errorName).toBe("Unauthorized");
    expect(stranger.errorArgs).toEqual([STRANGER]);
    const zero = await revertOf({
      kind: "grant",
      vehicleId: 1n,
      grantee: zeroAddress,
      permissions: 12n,
      expiration: later,
    });
    expect(zero.errorName).toBe("ZeroAddress");
    const missing = await revertOf({
      kind: "grantLegacy",
      vehicleId: 999n,
      grantee: clientId,
      permissions: 12n,
      expiration: later,
    });
    expect(missing.errorName).toBe("InvalidTokenId");
    expect(missing.errorArgs).toEqual([d.vehicleId, 999n]);
  });

  it("grantOnAsset: grants on another ERC-721, held by an impersonated address", async () => {
    const minted = await chain.run({ kind: "mintOtherNft", owner: NFT_HOLDER });
    expect(minted.tokenId).toBe(1n);
    const [v2, v1] = await chain.apply([
      {
        kind: "grantOnAsset",
        asset: d.otherNft,
        tokenId: minted.tokenId,
        grantee: clientId,
        permissions: 12n,
        expiration: later,
      },
      {
        kind: "grantOnAsset",
        asset: d.otherNft,
        tokenId: minted.tokenId,
        grantee: BUYER,
        permissions: 48n,
        expiration: later,
        legacy: true,
      },
    ]);
    expect(v2.receipt.from.toLowerCase()).toBe(NFT_HOLDER.toLowerCase());
    expect(sacdLogs(v2.receipt).map((l) => [l.topic0, l.args.asset, l.args.tokenId])).toEqual([
      [TOPIC.PermissionsSetV2, d.otherNft, 1n],
    ]);
    expect(sacdLogs(v1.receipt).map((l) => [l.topic0, l.args.grantee])).toEqual([
      [TOPIC.PermissionsSetV1, BUYER],
    ]);

    const renounced = await chain.run({
      kind: "renounce",
      grantee: clientId,
      asset: d.otherNft,
      tokenId: 1n,
    });
    expect(sacdLogs(renounced.receipt).map((l) => [l.topic0, l.args])).toEqual([
      [TOPIC.PermissionsRenounced, { asset: d.otherNft, tokenId: 1n, grantee: clientId }],
    ]);
    expect(await sacdRead.hasPermissions(d.otherNft, 1n, clientId, 12n)).toBe(false);
    expect(await sacdRead.hasPermissions(d.otherNft, 1n, BUYER, 48n)).toBe(true);
  });

  it("grantAccount / renounceAccount: account-level grants have asset = grantor and tokenId = 0", async () => {
    const r = await chain.run({
      kind: "grantAccount",
      grantor: GRANTOR,
      grantee: clientId,
      permissions: ALL_PERMISSIONS,
      expiration: later,
      templateId: 7n,
      source: "ipfs://account",
    });
    expect(r.receipt.from.toLowerCase()).toBe(GRANTOR.toLowerCase());
    expect(sacdLogs(r.receipt).map((l) => [l.topic0, l.args])).toEqual([
      [
        TOPIC.PermissionsSetV2,
        {
          asset: GRANTOR,
          tokenId: 0n,
          permissions: ALL_PERMISSIONS,
          grantee: clientId,
          expiration: later,
          templateId: 7n,
          source: "ipfs://account",
        },
      ],
    ]);
    expect(await sacdRead.hasPermissions(GRANTOR, 0n, clientId, ALL_PERMISSIONS)).toBe(true);
    const out = await chain.run({ kind: "renounceAccount", grantor: GRANTOR, grantee: clientId });
    expect(out.receipt.from.toLowerCase()).toBe(clientId.toLowerCase());
    expect(sacdLogs(out.receipt).map((l) => [l.eventName, l.args])).toEqual([
      ["PermissionsRenounced", { asset: GRANTOR, tokenId: 0n, grantee: clientId }],
    ]);
    expect(await sacdRead.hasPermissions(GRANTOR, 0n, clientId, 12n)).toBe(false);
  });

  it("renounce: the grantee (here the clientId contract) gives up a vehicle grant", async () => {
    const r = await chain.run({ kind: "renounce", grantee: clientId, vehicleId: 1n });
    expect(sacdLogs(r.receipt).map((l) => [l.topic0, l.args])).toEqual([
      [TOPIC.PermissionsRenounced, { asset: d.vehicleId, tokenId: 1n, grantee: clientId }],
    ]);
    expect(await sacdRead.hasPermissions(d.vehicleId, 1n, clientId, 12n)).toBe(false);
  });
});

describe("privileges, transfer and burn", () => {
  it("setPrivilege emits PrivilegeSet with the token's version", async () => {
    const expires = later;
    const r = await chain.run({ kind: "setPrivilege", vehicleId: 1n, privId: 1, user: clientId, expires });
    expect(vehicleLogs(r.receipt).map((l) => [l.eventName, l.topic0, l.args])).toEqual([
      ["PrivilegeSet", TOPIC.PrivilegeSet, { tokenId: 1n, version: 0n, privId: 1n, user: clientId, expires }],
    ]);
    const v = { address: d.vehicleId, abi: vehicleIdAbi } as const;
    expect(await client.readContract({ ...v, functionName: "hasPrivilege", args: [1n, 1n, clientId] })).toBe(
      true,
    );
    expect(
      await client.readContract({ ...v, functionName: "privilegeExpiresAt", args: [1n, 1n, clientId] }),
    ).toBe(expires);
    const bad = await revertOf({ kind: "setPrivilege", vehicleId: 1n, privId: 9, user: clientId, expires });
    expect(bad.errorName).toBe("InvalidPrivilegeId");
    const stranger = await revertOf({
      kind: "setPrivilege",
      vehicleId: 1n,
      privId: 1,
      user: clientId,
      expires,
      from: STRANGER,
    });
    expect(stranger.errorName).toBe("Unauthorized");
  });

  it("a transfer emits only Transfer and invalidates privileges and SACD grants (version bump)", async () => {
    await chain.run({ kind: "grant", vehicleId: 1n, grantee: clientId, permissions: 12n, expiration: later });
    expect(await sacdRead.hasPermissions(d.vehicleId, 1n, clientId, 12n)).toBe(true);

    const r = await chain.run({ kind: "transferVehicle", vehicleId: 1n, to: BUYER });
    expect(r.receipt.from.toLowerCase()).toBe(OWNER.toLowerCase());
    expect(r.receipt.logs).toHaveLength(1);
    expect(vehicleLogs(r.receipt).map((l) => [l.eventName, l.args])).toEqual([
      ["Transfer", { from: OWNER, to: BUYER, tokenId: 1n }],
    ]);
    const v = { address: d.vehicleId, abi: VehicleIdArtifact.abi } as const;
    expect(await client.readContract({ ...v, functionName: "ownerOf", args: [1n] })).toBe(BUYER);
    expect(await client.readContract({ ...v, functionName: "tokenIdToVersion", args: [1n] })).toBe(1n);
    expect(
      await client.readContract({ ...v, functionName: "privilegeExpiresAt", args: [1n, 1n, clientId] }),
    ).toBe(0n);
    expect(
      await client.readContract({
        address: d.sacd,
        abi: SacdArtifact.abi,
        functionName: "tokenIdToVersion",
        args: [d.vehicleId, 1n],
      }),
    ).toBe(1n);
    expect(await sacdRead.hasPermissions(d.vehicleId, 1n, clientId, 12n)).toBe(false);

    const again = await chain.run({
      kind: "setPrivilege",
      vehicleId: 1n,
      privId: 2,
      user: clientId,
      expires: later,
    });
    expect(again.receipt.from.toLowerCase()).toBe(BUYER.toLowerCase());
    expect(vehicleLogs(again.receipt)[0]!.args).toMatchObject({ version: 1n, privId: 2n });

    const notOwner = await revertOf({ kind: "transferVehicle", vehicleId: 1n, to: OWNER, from: OWNER });
    expect(notOwner.errorName).toBe("Unauthorized");
    expect(notOwner.errorArgs).toEqual([OWNER]);
  });

  it("burn emits Transfer(owner, 0); the vehicle is gone", async () => {
    const r = await chain.run({ kind: "burnVehicle", vehicleId: 1n });
    expect(vehicleLogs(r.receipt).map((l) => l.args)).toEqual([
      { from: BUYER, to: zeroAddress, tokenId: 1n },
    ]);
    const err = await client
      .readContract({ address: d.vehicleId, abi: VehicleIdArtifact.abi, functionName: "ownerOf", args: [1n] })
      .catch((e: unknown) => e);
    expect(describeRevert(err).errorName).toBe("ERC721NonexistentToken");
    const grant = await revertOf({
      kind: "grant",
      vehicleId: 1n,
      grantee: clientId,
      permissions: 12n,
      expiration: later,
    });
    expect(grant.errorName).toBe("InvalidTokenId");
  });
});

describe("batch and time", () => {
  it("puts every transaction of a batch in one block, in order, resolving owners from the pending state", async () => {
    const head = await chain.blockNumber();
    const nextToken = (await licenseCount()) + 1n;
    const nextVehicle = 3n;
    const newcomer: Address = "0x3000000000000000000000000000000000000003";
    const b = await chain.batch([
      { kind: "issue", owner: newcomer, alias: "batched" },
      { kind: "mintVehicle", owner: newcomer },
      // Both need the vehicle's owner, which only exists in the pending block.
      {
        kind: "grant",
        vehicleId: nextVehicle,
        grantee: localClientId(nextToken),
        permissions: ALL_PERMISSIONS,
        expiration: later,
      },
      {
        kind: "setPrivilege",
        vehicleId: nextVehicle,
        privId: 6,
        user: localClientId(nextToken),
        expires: later,
      },
      { kind: "enableSigner", tokenId: nextToken, signer: BUYER },
    ]);
    expect(b.blockNumber).toBe(head + 1n);
    expect(await chain.blockNumber()).toBe(head + 1n);
    const [issued, minted, ...rest] = b.results;
    expect(issued).toMatchObject({ kind: "issue", tokenId: nextToken, clientId: localClientId(nextToken) });
    expect(minted).toMatchObject({ kind: "mintVehicle", vehicleId: nextVehicle });
    const txs = b.results.map((x) => x as { txHash: `0x${string}`; blockNumber: bigint });
    expect(txs.every((x) => x.blockNumber === head + 1n)).toBe(true);
    expect(new Set(txs.map((x) => x.txHash)).size).toBe(5);
    const block = await client.getBlock({ blockNumber: head + 1n });
    expect(block.transactions).toEqual(txs.map((x) => x.txHash));
    expect(rest.map((x) => x.kind)).toEqual(["grant", "setPrivilege", "enableSigner"]);
    expect(
      await sacdRead.hasPermissions(d.vehicleId, nextVehicle, localClientId(nextToken), ALL_PERMISSIONS),
    ).toBe(true);
    // automine is back on: the next step mines its own block
    const after = await chain.mintVehicle(newcomer);
    expect(after.blockNumber).toBe(head + 2n);
  });

  it("mines nothing when a batch step would revert", async () => {
    const head = await chain.blockNumber();
    const err = await chain
      .batch([
        { kind: "mintVehicle", owner: OWNER },
        { kind: "setAlias", tokenId: 999n, alias: "nope" },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    expect(err).toMatchObject({ errorName: "NonexistentToken", path: "0.1" });
    expect(await chain.blockNumber()).toBe(head);
    const next = await chain.mintVehicle(OWNER);
    expect(next.blockNumber).toBe(head + 1n);
    expect(next.vehicleId).toBe(5n); // the dropped mint never happened
  });

  it("setTime sets the next block's timestamp, also inside a batch", async () => {
    const t1 = (await chain.now()) + 1_000n;
    const [, minted] = await chain.apply([
      { kind: "setTime", timestamp: t1 },
      { kind: "mintVehicle", owner: OWNER },
    ]);
    expect((await client.getBlock({ blockNumber: minted.blockNumber })).timestamp).toBe(t1);

    const t2 = t1 + 3_600n;
    const b = await chain.batch([
      { kind: "setTime", timestamp: t2 },
      { kind: "mintVehicle", owner: OWNER },
      { kind: "mintVehicle", owner: BUYER },
    ]);
    const block = await client.getBlock({ blockNumber: b.blockNumber });
    expect(block.timestamp).toBe(t2);
    expect(block.transactions).toHaveLength(2);
  });

  it("increaseTime and mine", async () => {
    const before = await chain.now();
    const head = await chain.blockNumber();
    const [inc, mined] = await chain.apply([
      { kind: "increaseTime", seconds: 7_200 },
      { kind: "mine", blocks: 3 },
    ]);
    expect(inc.txHash).toBeNull();
    expect(mined.blockNumber).toBe(head + 3n);
    expect(await chain.now()).toBeGreaterThanOrEqual(before + 7_200n);
  });
});

async function licenseCount(): Promise<bigint> {
  const issued = await client.getContractEvents({
    address: d.devLicense,
    abi: devLicenseAbi,
    eventName: "Issued",
    fromBlock: 0n,
  });
  return BigInt(issued.length);
}
