import {
  type Address,
  type Hex,
  hashMessage,
  type PublicClient,
  parseEther,
  stringToHex,
  toEventSelector,
  zeroAddress,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devLicenseAbi } from "../../abis/devLicense";
import { dimoCreditAbi } from "../../abis/dimoCredit";
import { erc20Abi } from "../../abis/erc20";
import { type AnvilInstance, startAnvil } from "../anvil";
import { type Deployment, deployDimo, LICENSE_ADMIN_ROLE, REVOKER_ROLE } from "../deploy";
import {
  createChain,
  DEV_ACCOUNTS,
  decodeReceiptLogs,
  describeRevert,
  type ScenarioChain,
  ScenarioError,
  type Step,
} from "../scenario";
import { DevLicenseDimoArtifact, DimoDeveloperLicenseAccountArtifact } from "./artifacts";

// topic0 of the indexed signatures, from the reference (dimo-onchain.md §1.1).
const TOPIC = {
  Issued: "0x7533f62ec6601bf9c87f8d96bf756b4b495e2a0e26ec9284e4927926ed6b3afd",
  Locked: "0x032bc66be43dbccb7487781d168eb7bda224628a3b2c3388bdf69b532a3a1611",
  LicenseAliasSet: "0xcd1647e82913e163e110815fdac0265c513795a376da7a90f90090cea69905a7",
  LicenseAliasSetBytes32: "0xfe58d4b233d8114f2410e0523dd6a08f17b416b28c66c27fc4ba2f132f44e863",
  SignerEnabled: "0x0ea45d41f8d2f0fd7e53e2a0821276268b7cf41414e2c2eac7bf8cd69241386b",
  SignerDisabled: "0xdbd8d9c504c83e3bec8383041e811568d4eb37e94697dbfce9a50e8ae572017a",
  RedirectUriEnabled: "0x100a5934f50dcbea6ca17171581b081113167276cba43b6ca421a7bb1b9704f0",
  RedirectUriDisabled: "0xa5ad928ebfe9bbabb9b65e85335dc567892182dc87c0b7b1fef8d054db2383a3",
  Transfer: toEventSelector("Transfer(address,address,uint256)"),
} as const;

const A = DEV_ACCOUNTS[1]!.address;
const B = DEV_ACCOUNTS[2]!.address;
const C = DEV_ACCOUNTS[3]!.address;
const STRANGER = DEV_ACCOUNTS[5]!.address;
/** Not a dev key: the runner impersonates these. */
const OUTSIDER: Address = "0x1000000000000000000000000000000000000001";
const OUTSIDER_2: Address = "0x1000000000000000000000000000000000000002";
const YEAR = 365n * 24n * 3600n;

let anvil: AnvilInstance;
let d: Deployment;
let chain: ScenarioChain;
let client: PublicClient;

beforeAll(async () => {
  anvil = await startAnvil();
  d = await deployDimo(anvil.rpcUrl);
  chain = createChain(anvil.rpcUrl, d);
  client = chain.publicClient;
}, 30_000);
afterAll(() => anvil?.stop());

const licenseLogs = (receipt: Parameters<typeof decodeReceiptLogs>[0]) =>
  decodeReceiptLogs(receipt, d.devLicense, devLicenseAbi);

/** Runs a step that must revert; returns the ScenarioError. */
async function revertOf(step: Step): Promise<ScenarioError> {
  const err = await chain.run(step).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ScenarioError);
  return err as ScenarioError;
}

const read = {
  ownerOf: (tokenId: bigint) =>
    client.readContract({
      address: d.devLicense,
      abi: devLicenseAbi,
      functionName: "ownerOf",
      args: [tokenId],
    }),
  alias: (tokenId: bigint) =>
    client.readContract({
      address: d.devLicense,
      abi: devLicenseAbi,
      functionName: "getLicenseAliasByTokenId",
      args: [tokenId],
    }),
  tokenByAlias: (alias: string) =>
    client.readContract({
      address: d.devLicense,
      abi: devLicenseAbi,
      functionName: "getTokenIdByLicenseAlias",
      args: [alias],
    }),
  isSigner: (tokenId: bigint, signer: Address) =>
    client.readContract({
      address: d.devLicense,
      abi: devLicenseAbi,
      functionName: "isSigner",
      args: [tokenId, signer],
    }),
  erc1271: (clientId: Address, hash: Hex, signature: Hex) =>
    client.readContract({
      address: clientId,
      abi: DimoDeveloperLicenseAccountArtifact.abi,
      functionName: "isValidSignature",
      args: [hash, signature],
    }),
};

describe("issue", () => {
  it("emits Issued → LicenseAliasSet → Locked → Transfer(0, owner) and wires the clientId account", async () => {
    const r = await chain.issue(A, { alias: "alpha" });
    expect(r.tokenId).toBe(1n);
    const logs = licenseLogs(r.receipt);
    expect(logs.map((l) => l.eventName)).toEqual(["Issued", "LicenseAliasSet", "Locked", "Transfer"]);
    expect(logs.map((l) => l.topic0)).toEqual([
      TOPIC.Issued,
      TOPIC.LicenseAliasSet,
      TOPIC.Locked,
      TOPIC.Transfer,
    ]);
    expect(logs[0]!.args).toEqual({ tokenId: 1n, owner: A, clientId: r.clientId });
    expect(logs[1]!.args).toEqual({ tokenId: 1n, licenseAlias: "alpha" });
    expect(logs[2]!.args).toEqual({ tokenId: 1n });
    expect(logs[3]!.args).toEqual({ from: zeroAddress, to: A, tokenId: 1n });
    // Issued carries everything in topics; Locked's tokenId is indexed.
    const issuedLog = r.receipt.logs.find((l) => l.topics[0] === TOPIC.Issued)!;
    expect(issuedLog.topics).toHaveLength(4);
    expect(issuedLog.data).toBe("0x");
    expect(r.receipt.logs.find((l) => l.topics[0] === TOPIC.Locked)!.topics).toHaveLength(2);
    // The free licence still burns 0 DCX first, like the real contract.
    expect(decodeReceiptLogs(r.receipt, d.dimoCredit, dimoCreditAbi).map((l) => l.args)).toEqual([
      { from: A, to: zeroAddress, value: 0n },
    ]);
    expect(r.receipt.logs[0]!.address.toLowerCase()).toBe(d.dimoCredit.toLowerCase());

    expect(await read.ownerOf(1n)).toBe(A);
    expect(
      await client.readContract({
        address: d.devLicense,
        abi: devLicenseAbi,
        functionName: "tokenIdToClientId",
        args: [1n],
      }),
    ).toBe(r.clientId);
    expect(
      await client.readContract({
        address: d.devLicense,
        abi: devLicenseAbi,
        functionName: "clientIdToTokenId",
        args: [r.clientId],
      }),
    ).toBe(1n);
    expect(await read.alias(1n)).toBe("alpha");
    expect(await read.tokenByAlias("alpha")).toBe(1n);
    const account = { address: r.clientId, abi: DimoDeveloperLicenseAccountArtifact.abi } as const;
    expect(await client.readContract({ ...account, functionName: "tokenId" })).toBe(1n);
    expect(await client.readContract({ ...account, functionName: "license" })).toBe(d.devLicense);
  });

  it("omits LicenseAliasSet without alias and issues on behalf of another owner (any address)", async () => {
    const r = await chain.run({ kind: "issue", owner: OUTSIDER, from: B });
    expect(r.receipt.from.toLowerCase()).toBe(B.toLowerCase());
    const logs = licenseLogs(r.receipt);
    expect(logs.map((l) => l.eventName)).toEqual(["Issued", "Locked", "Transfer"]);
    expect(logs[0]!.args).toMatchObject({ owner: OUTSIDER });
    expect(await read.ownerOf(r.tokenId)).toBe(OUTSIDER);
    expect(await read.alias(r.tokenId)).toBe("");
  });

  it("charges the license cost in DIMO or DCX at $0.25/DIMO and $0.001/DCX, funding the owner first", async () => {
    const [cost] = await chain.apply([{ kind: "setLicenseCost", usd1e18: parseEther("1") }]);
    expect(licenseLogs(cost.receipt)).toEqual([expect.objectContaining({ eventName: "UpdateLicenseCost" })]);
    expect(licenseLogs(cost.receipt)[0]!.args).toEqual({ licenseCost: parseEther("1") });

    const inDimo = await chain.issue(OUTSIDER_2, { pay: "dimo", alias: "paid-in-dimo" });
    expect(inDimo.fundingTxs).toHaveLength(2); // faucet mint + approve by the (impersonated) owner
    expect(
      decodeReceiptLogs(inDimo.receipt, d.dimoToken, erc20Abi).map((l) => [l.eventName, l.args]),
    ).toEqual([["Transfer", { from: OUTSIDER_2, to: d.deployer, value: parseEther("4") }]]);
    expect(licenseLogs(inDimo.receipt).map((l) => l.eventName)).toEqual([
      "Issued",
      "LicenseAliasSet",
      "Locked",
      "Transfer",
    ]);

    const inDc = await chain.issue(C, { pay: "dc" });
    expect(inDc.fundingTxs).toHaveLength(3); // DIMO faucet, approve DimoCredit, mintInDimo
    expect(decodeReceiptLogs(inDc.receipt, d.dimoCredit, dimoCreditAbi).map((l) => l.args)).toEqual([
      { from: C, to: zeroAddress, value: parseEther("1000") },
    ]);
    const dcx = await client.readContract({
      address: d.dimoCredit,
      abi: dimoCreditAbi,
      functionName: "balanceOf",
      args: [C],
    });
    expect(dcx).toBe(0n);
    expect(
      await client.readContract({
        address: d.dimoCredit,
        abi: dimoCreditAbi,
        functionName: "getQuoteDc",
        args: [parseEther("1000")],
      }),
    ).toBe(parseEther("4"));

    const [free] = await chain.apply([{ kind: "setLicenseCost", usd1e18: 0n }]);
    expect(licenseLogs(free.receipt)[0]!.args).toEqual({ licenseCost: 0n });
  });

  it("rejects a license cost change by a non-admin", async () => {
    const err = await revertOf({ kind: "setLicenseCost", usd1e18: 1n, from: STRANGER });
    expect(err.errorName).toBe("AccessControlUnauthorizedAccount");
    expect(err.errorArgs).toEqual([STRANGER, LICENSE_ADMIN_ROLE]);
  });
});

describe("aliases", () => {
  let t1: bigint;
  let t2: bigint;
  let t3: bigint;
  beforeAll(async () => {
    t1 = await read.tokenByAlias("alpha");
    [, { tokenId: t2 }, { tokenId: t3 }] = await chain.apply([
      { kind: "mine" },
      { kind: "issue", owner: B, alias: "beta" },
      { kind: "issue", owner: B },
    ] as const);
  });

  it("rejects re-setting the token's own alias and taking another token's alias", async () => {
    const own = await revertOf({ kind: "setAlias", tokenId: t1, alias: "alpha" });
    expect(own.errorName).toBe("AliasAlreadyInUse");
    expect(own.errorArgs).toEqual(["alpha"]);
    expect(own.message).toMatch(/AliasAlreadyInUse\("alpha"\)/);
    const taken = await revertOf({ kind: "setAlias", tokenId: t2, alias: "alpha" });
    expect(taken.errorName).toBe("AliasAlreadyInUse");
  });

  it("frees the old alias on change", async () => {
    const [r] = await chain.apply([{ kind: "setAlias", tokenId: t1, alias: "alpha-2" }]);
    expect(licenseLogs(r.receipt).map((l) => [l.eventName, l.args])).toEqual([
      ["LicenseAliasSet", { tokenId: t1, licenseAlias: "alpha-2" }],
    ]);
    expect(await read.tokenByAlias("alpha")).toBe(0n);
    await chain.run({ kind: "setAlias", tokenId: t2, alias: "alpha" });
    expect(await read.tokenByAlias("alpha")).toBe(t2);
    expect(await read.tokenByAlias("beta")).toBe(0n);
  });

  it("limits aliases to 32 bytes (UTF-8)", async () => {
    const tooLong = await revertOf({ kind: "setAlias", tokenId: t3, alias: "ü".repeat(17) });
    expect(tooLong.errorName).toBe("AliasExceedsMaxLength");
    await chain.run({ kind: "setAlias", tokenId: t3, alias: "ü".repeat(16) });
    expect(await read.alias(t3)).toBe("ü".repeat(16));
    expect(await read.tokenByAlias("ü".repeat(16))).toBe(t3);
  });

  it('allows "" (it occupies the zero key)', async () => {
    const r = await chain.run({ kind: "setAlias", tokenId: t3, alias: "" });
    expect(licenseLogs(r.receipt)[0]!.args).toEqual({ tokenId: t3, licenseAlias: "" });
    expect(await read.tokenByAlias("")).toBe(t3);
    expect(await read.alias(t3)).toBe("");
  });

  it("is owner-only and needs an existing token", async () => {
    const err = await revertOf({ kind: "setAlias", tokenId: t1, alias: "mine-now", from: STRANGER });
    expect(err.errorName).toBe("InvalidSender");
    expect(err.errorArgs).toEqual([STRANGER]);
    const missing = await revertOf({ kind: "setAlias", tokenId: 999n, alias: "ghost" });
    expect(missing.errorName).toBe("NonexistentToken");
    expect(missing.errorArgs).toEqual([999n]);
  });

  it("setLegacyAlias emits the bytes32 LicenseAliasSet from the DevLicense address", async () => {
    const r = await chain.run({ kind: "setLegacyAlias", tokenId: t1, alias: "legacy-one" });
    const [log] = licenseLogs(r.receipt);
    expect(log!.topic0).toBe(TOPIC.LicenseAliasSetBytes32);
    expect(log!.eventName).toBe("LicenseAliasSet");
    expect(log!.args).toEqual({ tokenId: t1, licenseAlias: stringToHex("legacy-one", { size: 32 }) });
    expect(await read.alias(t1)).toBe("legacy-one");
    expect(await read.tokenByAlias("legacy-one")).toBe(t1);

    const raw = stringToHex("raw-bytes32", { size: 32 });
    const r2 = await chain.run({ kind: "setLegacyAlias", tokenId: t1, alias: raw });
    expect(licenseLogs(r2.receipt)[0]!.args).toEqual({ tokenId: t1, licenseAlias: raw });
    expect(await read.tokenByAlias("legacy-one")).toBe(0n);
    const clash = await revertOf({ kind: "setAlias", tokenId: t2, alias: "raw-bytes32" });
    expect(clash.errorName).toBe("AliasAlreadyInUse");
  });
});

describe("signers and ERC-1271", () => {
  const message = "DIMO login challenge 42";
  const hash = hashMessage(message);

  it("accepts a signature by an enabled signer and rejects it once disabled", async () => {
    const signer = privateKeyToAccount(generatePrivateKey());
    const other = privateKeyToAccount(generatePrivateKey());
    const { clientId, tokenId } = await chain.issue(C, { alias: "signers" });
    const signature = await signer.signMessage({ message });

    const enabled = await chain.run({ kind: "enableSigner", tokenId, signer: signer.address });
    expect(licenseLogs(enabled.receipt).map((l) => [l.eventName, l.topic0, l.args])).toEqual([
      ["SignerEnabled", TOPIC.SignerEnabled, { tokenId, signer: signer.address }],
    ]);
    const { timestamp } = await client.getBlock({ blockNumber: enabled.blockNumber });
    const lic = { address: d.devLicense, abi: devLicenseAbi } as const;
    expect(
      await client.readContract({ ...lic, functionName: "signers", args: [tokenId, signer.address] }),
    ).toBe(timestamp);
    expect(
      await client.readContract({
        ...lic,
        functionName: "getSignerExpiration",
        args: [tokenId, signer.address],
      }),
    ).toBe(timestamp + YEAR);
    expect(await read.isSigner(tokenId, signer.address)).toBe(true);
    expect(await read.erc1271(clientId, hash, signature)).toBe("0x1626ba7e");
    expect(await client.verifyMessage({ address: clientId, message, signature })).toBe(true);
    expect(await read.erc1271(clientId, hash, await other.signMessage({ message }))).toBe("0xffffffff");

    const disabled = await chain.run({ kind: "disableSigner", tokenId, signer: signer.address });
    expect(licenseLogs(disabled.receipt).map((l) => [l.eventName, l.topic0, l.args])).toEqual([
      ["SignerDisabled", TOPIC.SignerDisabled, { tokenId, signer: signer.address }],
    ]);
    expect(await read.erc1271(clientId, hash, signature)).toBe("0xffffffff");
    expect(await client.verifyMessage({ address: clientId, message, signature })).toBe(false);

    // Disabling a signer that was never enabled still emits.
    const never = await chain.run({ kind: "disableSigner", tokenId, signer: other.address });
    expect(licenseLogs(never.receipt).map((l) => l.eventName)).toEqual(["SignerDisabled"]);
  });

  it("expires signers after periodValidity", async () => {
    const signer = privateKeyToAccount(generatePrivateKey());
    const { clientId, tokenId } = await chain.issue(C);
    const signature = await signer.signMessage({ message });
    const [period] = await chain.apply([
      { kind: "setPeriodValidity", seconds: 100 },
      { kind: "enableSigner", tokenId, signer: signer.address },
    ]);
    expect(licenseLogs(period.receipt).map((l) => [l.eventName, l.args])).toEqual([
      ["UpdatePeriodValidity", { periodValidity: 100n }],
    ]);
    expect(await read.erc1271(clientId, hash, signature)).toBe("0x1626ba7e");
    await chain.apply([{ kind: "increaseTime", seconds: 101 }, { kind: "mine" }]);
    expect(await read.isSigner(tokenId, signer.address)).toBe(false);
    expect(await read.erc1271(clientId, hash, signature)).toBe("0xffffffff");
    await chain.run({ kind: "setPeriodValidity", seconds: YEAR });
    expect(await read.isSigner(tokenId, signer.address)).toBe(true);
  });

  it("is owner-only, and periodValidity is admin-only", async () => {
    const err = await revertOf({ kind: "enableSigner", tokenId: 1n, signer: STRANGER, from: STRANGER });
    expect(err.errorName).toBe("InvalidSender");
    const dis = await revertOf({ kind: "disableSigner", tokenId: 1n, signer: STRANGER, from: B });
    expect(dis.errorArgs).toEqual([B]);
    const admin = await revertOf({ kind: "setPeriodValidity", seconds: 1, from: A });
    expect(admin.errorName).toBe("AccessControlUnauthorizedAccount");
    expect(admin.errorArgs).toEqual([A, LICENSE_ADMIN_ROLE]);
  });
});

describe("redirect URIs", () => {
  it("emits on every call and tracks the status", async () => {
    const uri = "https://app.example.com/callback";
    const status = () =>
      client.readContract({
        address: d.devLicense,
        abi: devLicenseAbi,
        functionName: "redirectUriStatus",
        args: [1n, uri],
      });
    const rs = await chain.apply([
      { kind: "setRedirectUri", tokenId: 1n, uri, enabled: true },
      { kind: "setRedirectUri", tokenId: 1n, uri, enabled: true },
    ]);
    for (const r of rs) {
      expect(licenseLogs(r.receipt).map((l) => [l.topic0, l.args])).toEqual([
        [TOPIC.RedirectUriEnabled, { tokenId: 1n, uri }],
      ]);
    }
    expect(await status()).toBe(true);
    const off = await chain.run({ kind: "setRedirectUri", tokenId: 1n, uri, enabled: false });
    expect(licenseLogs(off.receipt).map((l) => [l.eventName, l.topic0, l.args])).toEqual([
      ["RedirectUriDisabled", TOPIC.RedirectUriDisabled, { tokenId: 1n, uri }],
    ]);
    expect(await status()).toBe(false);
    const err = await revertOf({ kind: "setRedirectUri", tokenId: 1n, uri, enabled: true, from: STRANGER });
    expect(err.errorName).toBe("InvalidSender");
  });
});

describe("revoke", () => {
  it("is REVOKER_ROLE-only", async () => {
    const err = await revertOf({ kind: "revoke", tokenId: 1n, from: A });
    expect(err.errorName).toBe("AccessControlUnauthorizedAccount");
    expect(err.errorArgs).toEqual([A, REVOKER_ROLE]);
  });

  it("emits only Transfer(owner, 0) and clears owner, clientId and alias, but not signers", async () => {
    const signer = privateKeyToAccount(generatePrivateKey());
    const { tokenId, clientId } = await chain.issue(C, { alias: "to-revoke" });
    await chain.run({ kind: "enableSigner", tokenId, signer: signer.address });
    const r = await chain.run({ kind: "revoke", tokenId });
    expect(licenseLogs(r.receipt).map((l) => [l.eventName, l.args])).toEqual([
      ["Transfer", { from: C, to: zeroAddress, tokenId }],
    ]);
    expect(r.receipt.logs).toHaveLength(1);

    const gone = await read.ownerOf(tokenId).catch((e: unknown) => describeRevert(e));
    expect(gone).toMatchObject({ errorName: "NonexistentToken", errorArgs: [tokenId] });
    const lic = { address: d.devLicense, abi: devLicenseAbi } as const;
    expect(await client.readContract({ ...lic, functionName: "tokenIdToClientId", args: [tokenId] })).toBe(
      zeroAddress,
    );
    expect(await client.readContract({ ...lic, functionName: "clientIdToTokenId", args: [clientId] })).toBe(
      0n,
    );
    expect(await read.tokenByAlias("to-revoke")).toBe(0n);
    expect(await read.alias(tokenId)).toBe("");
    // Quirk kept from the real contract: the revoked account still validates its old signers.
    expect(await read.isSigner(tokenId, signer.address)).toBe(true);
    const message = "after revoke";
    expect(await read.erc1271(clientId, hashMessage(message), await signer.signMessage({ message }))).toBe(
      "0x1626ba7e",
    );

    const reused = await chain.issue(A, { alias: "to-revoke" });
    expect(await read.tokenByAlias("to-revoke")).toBe(reused.tokenId);
    const afterRevoke = await revertOf({ kind: "setAlias", tokenId, alias: "zombie", from: C });
    expect(afterRevoke.errorName).toBe("NonexistentToken");
  });
});

describe("licenses are soulbound", () => {
  it.each([
    ["transferFrom", [A, B, 1n]],
    ["safeTransferFrom", [A, B, 1n]],
    ["safeTransferFrom", [A, B, 1n, "0x"]],
    ["approve", [B, 1n]],
    ["setApprovalForAll", [B, true]],
  ] as const)("%s reverts InvalidOperation", async (functionName, args) => {
    const err = await client
      .readContract({
        account: A,
        address: d.devLicense,
        abi: DevLicenseDimoArtifact.abi,
        functionName,
        args: args as never,
      })
      .catch((e: unknown) => e);
    expect(describeRevert(err).errorName).toBe("InvalidOperation");
  });
});
