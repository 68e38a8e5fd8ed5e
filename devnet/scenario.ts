// A typed scenario runner for the local DIMO contracts (devnet/contracts, deployed by deploy.ts): describe what
// happens on chain as a list of steps, get back typed results (tokenIds, clientIds, tx hashes, block numbers).
//
//   const anvil = await startAnvil();
//   const chain = createChain(anvil.rpcUrl, await deployDimo(anvil.rpcUrl));
//   const [license, car] = await chain.apply([
//     { kind: "issue", owner: DEV_ACCOUNTS[1].address, alias: "my-app" },
//     { kind: "mintVehicle", owner: DEV_ACCOUNTS[2].address },
//   ]);
//   await chain.run({ kind: "grant", vehicleId: car.vehicleId, grantee: license.clientId,
//                     permissions: ALL_PERMISSIONS, expiration: (await chain.now()) + 3600n });
//
// Every transaction is estimated first, so a revert throws a ScenarioError (errorName/errorArgs decoded from the
// contracts' custom errors) and nothing is mined. Outside a batch each transaction is its own block (automine).

import {
  type Abi,
  type Account,
  type Address,
  BaseError,
  type ContractFunctionArgs,
  type ContractFunctionName,
  ContractFunctionRevertedError,
  createPublicClient,
  createTestClient,
  createWalletClient,
  decodeErrorResult,
  decodeEventLog,
  getAddress,
  type Hex,
  http,
  isAddressEqual,
  isHex,
  maxUint256,
  type PublicClient,
  parseEther,
  parseEventLogs,
  stringToHex,
  type TestClient,
  type TransactionReceipt,
  type WalletClient,
  zeroAddress,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { devLicenseAbi } from "../abis/devLicense";
import { vehicleIdAbi } from "../abis/vehicleId";
import {
  DevLicenseDimoArtifact,
  DimoCreditArtifact,
  DimoDeveloperLicenseAccountArtifact,
  DimoTokenArtifact,
  OtherNftArtifact,
  SacdArtifact,
  VehicleIdArtifact,
} from "./contracts/artifacts";
import { type Deployment, localChain } from "./deploy";

/** anvil's 10 default accounts (mnemonic "test test test test test test test test test test test junk"). */
export const DEV_ACCOUNTS: readonly { address: Address; privateKey: Hex }[] = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
  "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
  "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
].map((privateKey) => ({
  address: privateKeyToAccount(privateKey as Hex).address,
  privateKey: privateKey as Hex,
}));

type Num = bigint | number;

/** Fixed prices of the devnet contracts: 1 DIMO = $0.25, 1 DCX = $0.001 (so 1 DIMO buys 250 DCX). */
const DIMO_USD_PRICE = 250_000_000_000_000_000n;
const DCX_USD_PRICE = 1_000_000_000_000_000n;

// ---------------------------------------------------------------------------------------------------------------
// Steps. `from` (where offered) overrides the sender; by default each step is sent by whoever the real contract
// requires: the license / vehicle / asset owner (read on chain), the grantor, the grantee, or the deployer for
// admin calls and the open mints. Any sender works: anvil's dev keys sign, other addresses are impersonated.
// ---------------------------------------------------------------------------------------------------------------

export type Step =
  /** Issue a license to `owner` (sent by `from`, default the owner). Fees (if licenseCost > 0) are funded first. */
  | { kind: "issue"; owner: Address; alias?: string; pay?: "dc" | "dimo"; from?: Address }
  | { kind: "setAlias"; tokenId: Num; alias: string; from?: Address }
  /** The bytes32-era alias setter: emits `LicenseAliasSet(uint256 indexed, bytes32)`. A string is UTF-8, right-padded. */
  | { kind: "setLegacyAlias"; tokenId: Num; alias: string | Hex; from?: Address }
  | { kind: "enableSigner"; tokenId: Num; signer: Address; from?: Address }
  | { kind: "disableSigner"; tokenId: Num; signer: Address; from?: Address }
  | { kind: "setRedirectUri"; tokenId: Num; uri: string; enabled: boolean; from?: Address }
  | { kind: "revoke"; tokenId: Num; from?: Address }
  | { kind: "setPeriodValidity"; seconds: Num; from?: Address }
  | { kind: "setLicenseCost"; usd1e18: bigint; from?: Address }
  | { kind: "mintVehicle"; owner: Address; from?: Address }
  | { kind: "transferVehicle"; vehicleId: Num; to: Address; from?: Address }
  | { kind: "burnVehicle"; vehicleId: Num; from?: Address }
  /** Mint a token of the plain ERC-721 OtherNft (for grants on another asset). */
  | { kind: "mintOtherNft"; owner: Address; from?: Address }
  /** SACD v2 (7-arg setPermissions) on a vehicle: emits PermissionsSet with templateId. */
  | {
      kind: "grant";
      vehicleId: Num;
      grantee: Address;
      permissions: bigint;
      expiration: Num;
      source?: string;
      templateId?: bigint;
      from?: Address;
    }
  /** SACD v1 (6-arg setPermissions) on a vehicle: emits the legacy PermissionsSet without templateId. */
  | {
      kind: "grantLegacy";
      vehicleId: Num;
      grantee: Address;
      permissions: bigint;
      expiration: Num;
      source?: string;
      from?: Address;
    }
  /** SACD grant on any ERC-721 (e.g. OtherNft); `legacy: true` uses the 6-arg v1 setPermissions. */
  | {
      kind: "grantOnAsset";
      asset: Address;
      tokenId: Num;
      grantee: Address;
      permissions: bigint;
      expiration: Num;
      source?: string;
      templateId?: bigint;
      legacy?: boolean;
      from?: Address;
    }
  /** setAccountPermissions sent by the grantor: PermissionsSet with asset = grantor and tokenId = 0. */
  | {
      kind: "grantAccount";
      grantor: Address;
      grantee: Address;
      permissions: bigint;
      expiration: Num;
      templateId?: bigint;
      source?: string;
    }
  /** renouncePermissions sent by the grantee, on a vehicle or on (asset, tokenId). */
  | { kind: "renounce"; grantee: Address; vehicleId: Num }
  | { kind: "renounce"; grantee: Address; asset: Address; tokenId: Num }
  /** renounceAccountPermissions(grantor) sent by the grantee. */
  | { kind: "renounceAccount"; grantor: Address; grantee: Address }
  /** Legacy VehicleId privilege (PrivilegeSet); expires = 0 revokes. */
  | { kind: "setPrivilege"; vehicleId: Num; privId: Num; user: Address; expires: Num; from?: Address }
  /** Timestamp of the NEXT block (evm_setNextBlockTimestamp); mines nothing. */
  | { kind: "setTime"; timestamp: Num }
  /** Moves the clock forward for the next block (evm_increaseTime); mines nothing. */
  | { kind: "increaseTime"; seconds: Num }
  | { kind: "mine"; blocks?: number }
  /**
   * Every transaction of `steps` in ONE block (automine off, send, mine one block, automine back on). Needs an
   * automining anvil. setTime/increaseTime are allowed inside (they set the batch block's time); mine/batch are not.
   * Owner lookups inside a batch read the pending state, so a step may refer to a token minted earlier in the batch
   * if you know its id (ids are sequential). If any transaction would revert, nothing of the batch is mined.
   */
  | { kind: "batch"; steps: Step[] };

type StepKind = Step["kind"];

interface TxInfo {
  txHash: Hex;
  blockNumber: bigint;
  receipt: TransactionReceipt;
}

type TxStepKind = Exclude<
  StepKind,
  "issue" | "mintVehicle" | "mintOtherNft" | "setTime" | "increaseTime" | "mine" | "batch"
>;

type StepResult =
  | (TxInfo & {
      kind: "issue";
      tokenId: bigint;
      clientId: Address;
      owner: Address;
      /** Funding transactions (DIMO faucet, approvals, DCX purchase) sent before the issue, in order. */
      fundingTxs: Hex[];
    })
  | (TxInfo & { kind: "mintVehicle"; vehicleId: bigint; owner: Address })
  | (TxInfo & { kind: "mintOtherNft"; tokenId: bigint; owner: Address })
  /** One member per plain transaction kind (setAlias, grant, revoke, …). */
  | { [K in TxStepKind]: TxInfo & { kind: K } }[TxStepKind]
  /** No transaction: blockNumber is the head when the clock was changed (the change applies to the next block). */
  | { kind: "setTime"; txHash: null; blockNumber: bigint }
  | { kind: "increaseTime"; txHash: null; blockNumber: bigint }
  /** blockNumber is the new head. */
  | { kind: "mine"; txHash: null; blockNumber: bigint }
  | { kind: "batch"; txHash: null; blockNumber: bigint; results: StepResult[] };

type ResultFor<S extends Step> = S extends { kind: infer K } ? Extract<StepResult, { kind: K }> : never;
type ResultsFor<S extends readonly Step[]> = { -readonly [I in keyof S]: ResultFor<S[I]> };

/** A step failed (typically a revert). errorName/errorArgs are the decoded custom error, reason a require string. */
export class ScenarioError extends Error {
  override name = "ScenarioError";
  constructor(
    message: string,
    readonly step: Step,
    /** Position of the step in apply(); "2.1" = second step of the batch at position 2. */
    readonly path: string,
    readonly errorName?: string,
    readonly errorArgs?: readonly unknown[],
    readonly reason?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Every custom error of every test contract, so errors bubbling through calls still decode by name. */
const errorKey = (item: Abi[number]) =>
  item.type === "error" ? `${item.name}(${item.inputs.map((i) => i.type).join(",")})` : undefined;

const ALL_ERRORS: Abi = (() => {
  const seen = new Set<string>();
  const out: Abi[number][] = [];
  for (const artifact of [
    DevLicenseDimoArtifact,
    DimoCreditArtifact,
    DimoDeveloperLicenseAccountArtifact,
    DimoTokenArtifact,
    OtherNftArtifact,
    SacdArtifact,
    VehicleIdArtifact,
  ]) {
    for (const item of artifact.abi as Abi) {
      const key = errorKey(item);
      if (key && !seen.has(key)) {
        seen.add(key);
        out.push(item);
      }
    }
  }
  return out;
})();

/** `abi` plus every other test-contract error (by signature), for errors that bubble up from inner calls. */
function withErrors(abi: Abi): Abi {
  const own = new Set(abi.map(errorKey).filter(Boolean));
  return [...abi, ...ALL_ERRORS.filter((e) => !own.has(errorKey(e)))];
}

const erc721OwnerOfAbi = [
  {
    type: "function",
    name: "ownerOf",
    stateMutability: "view",
    inputs: [{ name: "tokenId", type: "uint256" }],
    outputs: [{ name: "", type: "address" }],
  },
] as const;

type Writable = "nonpayable" | "payable";

interface Pending {
  hash: Hex;
  label: string;
  ctx: Ctx;
}

interface BatchState {
  /** Every transaction sent while building the batch, in order (dropped if the batch fails). */
  sent: Pending[];
  /** Send counter, for descending tips. */
  seq: number;
}

interface Ctx {
  /** "latest" normally, "pending" while building a batch (so earlier batch transactions count). */
  blockTag: "latest" | "pending";
  batch: BatchState | null;
  step: Step;
  path: string;
}

/** Describes the revert inside a viem error: custom error name + args, or a require reason. */
export function describeRevert(err: unknown): {
  errorName?: string;
  errorArgs?: readonly unknown[];
  reason?: string;
} {
  if (!(err instanceof BaseError)) return {};
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError) {
    return {
      errorName: reverted.data?.errorName ?? (reverted.reason ? "Error" : undefined),
      errorArgs: reverted.data?.args,
      reason: reverted.reason,
    };
  }
  return {};
}

function formatArgs(args: readonly unknown[] | undefined): string {
  if (!args) return "";
  return args.map((a) => (typeof a === "bigint" ? a.toString() : JSON.stringify(a))).join(", ");
}

export interface ScenarioChain {
  readonly deployment: Deployment;
  readonly publicClient: PublicClient;
  readonly testClient: TestClient<"anvil">;
  /** Runs steps in order; stops at the first failure (a ScenarioError). */
  apply<const S extends readonly Step[]>(steps: S): Promise<ResultsFor<S>>;
  run<const S extends Step>(step: S): Promise<ResultFor<S>>;
  issue(
    owner: Address,
    opts?: { alias?: string; pay?: "dc" | "dimo"; from?: Address },
  ): Promise<ResultFor<{ kind: "issue"; owner: Address }>>;
  mintVehicle(owner: Address): Promise<ResultFor<{ kind: "mintVehicle"; owner: Address }>>;
  batch(steps: Step[]): Promise<ResultFor<{ kind: "batch"; steps: Step[] }>>;
  mine(blocks?: number): Promise<bigint>;
  /** Timestamp of the next block. */
  setTime(timestamp: Num): Promise<void>;
  increaseTime(seconds: Num): Promise<void>;
  /** Timestamp of the latest block. */
  now(): Promise<bigint>;
  blockNumber(): Promise<bigint>;
  snapshot(): Promise<Hex>;
  revert(id: Hex): Promise<void>;
  /** A wallet client that sends as `address` (dev key, or impersonated and funded). */
  walletFor(address: Address): Promise<{ wallet: WalletClient; account: Account | Address }>;
}

/** Binds the runner to a chain and a deployDimo() result. */
export function createChain(rpcUrl: string, deployment: Deployment): ScenarioChain {
  const chain = localChain(rpcUrl, deployment.chainId);
  const transport = http(rpcUrl);
  const publicClient = createPublicClient({
    chain,
    transport,
    cacheTime: 0,
    pollingInterval: 50,
  }) as PublicClient;
  const testClient = createTestClient({ chain, mode: "anvil", transport, cacheTime: 0 });
  const wallet = createWalletClient({ chain, transport, pollingInterval: 50 });
  const d = deployment;
  const devKeys = new Map(
    DEV_ACCOUNTS.map((a) => [a.address.toLowerCase(), privateKeyToAccount(a.privateKey)]),
  );
  const impersonated = new Set<string>();

  async function senderFor(address: Address): Promise<Account | Address> {
    const key = devKeys.get(address.toLowerCase());
    if (key) return key;
    const lower = address.toLowerCase();
    if (!impersonated.has(lower)) {
      await testClient.impersonateAccount({ address });
      impersonated.add(lower);
    }
    const balance = await publicClient.getBalance({ address });
    if (balance < parseEther("1")) await testClient.setBalance({ address, value: parseEther("1000") });
    return getAddress(address);
  }

  function fail(ctx: Ctx, what: string, err: unknown): never {
    if (err instanceof ScenarioError) throw err;
    const { errorName, errorArgs, reason } = describeRevert(err);
    const short =
      err instanceof BaseError ? err.shortMessage : err instanceof Error ? err.message : String(err);
    const detail = errorName ? `reverted with ${errorName}(${formatArgs(errorArgs)})` : `failed: ${short}`;
    throw new ScenarioError(
      `step ${ctx.path} (${ctx.step.kind}): ${what} ${detail}`,
      ctx.step,
      ctx.path,
      errorName,
      errorArgs,
      reason,
      {
        cause: err,
      },
    );
  }

  /** Decodes why a mined transaction reverted (anvil's debug_traceTransaction callTracer output). */
  async function revertedError(ctx: Ctx, p: Pending): Promise<never> {
    let errorName: string | undefined;
    let errorArgs: readonly unknown[] | undefined;
    try {
      const trace = (await publicClient.request({
        method: "debug_traceTransaction",
        params: [p.hash, { tracer: "callTracer" }],
      } as never)) as { output?: Hex };
      if (trace.output && trace.output !== "0x") {
        const decoded = decodeErrorResult({ abi: ALL_ERRORS, data: trace.output });
        errorName = decoded.errorName;
        errorArgs = decoded.args as readonly unknown[] | undefined;
      }
    } catch {
      // undecodable: keep the generic message
    }
    const detail = errorName ? ` with ${errorName}(${formatArgs(errorArgs)})` : "";
    throw new ScenarioError(
      `step ${ctx.path} (${ctx.step.kind}): ${p.label} (tx ${p.hash}) reverted${detail}`,
      ctx.step,
      ctx.path,
      errorName,
      errorArgs,
    );
  }

  async function receiptOf(ctx: Ctx, p: Pending): Promise<TransactionReceipt> {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: p.hash, pollingInterval: 50 });
    if (receipt.status !== "success") return revertedError(ctx, p);
    return receipt;
  }

  /**
   * Sends one contract call as `from`: estimates first (against the pending state inside a batch) so a revert
   * surfaces with its decoded error and nothing is mined; outside a batch waits for the receipt.
   */
  async function send<const abi extends Abi, fn extends ContractFunctionName<abi, Writable>>(
    ctx: Ctx,
    from: Address,
    address: Address,
    abi: abi,
    functionName: fn,
    args: ContractFunctionArgs<abi, Writable, fn>,
  ): Promise<Pending> {
    const label = `${functionName}`;
    const account = await senderFor(from);
    const fullAbi = withErrors(abi);
    const call = { address, abi: fullAbi, functionName, args } as never as {
      address: Address;
      abi: Abi;
      functionName: string;
      args: readonly unknown[];
    };
    let gas: bigint;
    try {
      gas = await publicClient.estimateContractGas({ ...call, account, blockTag: ctx.blockTag });
    } catch (err) {
      fail(ctx, `${label} from ${from}`, err);
    }
    gas = (gas * 12n) / 10n + 25_000n;
    // In a batch, descending tips keep the send order even on an anvil that orders its pool by fee.
    const fees = ctx.batch
      ? {
          maxFeePerGas: 100_000_000_000n,
          maxPriorityFeePerGas: 2_000_000_000n + 100_000n - BigInt(ctx.batch.seq++),
        }
      : {};
    let hash: Hex;
    try {
      hash = await wallet.writeContract({ ...call, account, chain, gas, ...fees });
    } catch (err) {
      fail(ctx, `${label} from ${from}`, err);
    }
    const pending: Pending = { hash, label, ctx };
    if (ctx.batch) ctx.batch.sent.push(pending);
    else await receiptOf(ctx, pending);
    return pending;
  }

  async function read<T>(
    ctx: Ctx,
    fn: (blockTag: "latest" | "pending") => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await fn(ctx.blockTag);
    } catch {
      return undefined;
    }
  }

  const licenseOwner = async (ctx: Ctx, tokenId: bigint) =>
    (await read(ctx, (blockTag) =>
      publicClient.readContract({
        address: d.devLicense,
        abi: devLicenseAbi,
        functionName: "ownerOf",
        args: [tokenId],
        blockTag,
      }),
    )) ?? d.deployer;

  const nftOwner = async (ctx: Ctx, asset: Address, tokenId: bigint) =>
    (await read(ctx, (blockTag) =>
      publicClient.readContract({
        address: asset,
        abi: erc721OwnerOfAbi,
        functionName: "ownerOf",
        args: [tokenId],
        blockTag,
      }),
    )) ?? d.deployer;

  /** Makes sure `owner` can pay licenseCost with `pay`; returns the funding transactions. */
  async function fund(ctx: Ctx, owner: Address, pay: "dc" | "dimo"): Promise<Pending[]> {
    const { blockTag } = ctx;
    const cost = await publicClient.readContract({
      address: d.devLicense,
      abi: devLicenseAbi,
      functionName: "licenseCostInUsd1e18",
      blockTag,
    });
    const out: Pending[] = [];
    if (pay === "dc") {
      const need = (cost / DCX_USD_PRICE) * 10n ** 18n;
      if (need === 0n) return out;
      const balance = await publicClient.readContract({
        address: d.dimoCredit,
        abi: DimoCreditArtifact.abi,
        functionName: "balanceOf",
        args: [owner],
        blockTag,
      });
      if (balance >= need) return out;
      const dcxPerDimo = DIMO_USD_PRICE / DCX_USD_PRICE;
      const dimoIn = (need - balance + dcxPerDimo - 1n) / dcxPerDimo;
      out.push(await send(ctx, d.deployer, d.dimoToken, DimoTokenArtifact.abi, "mint", [d.deployer, dimoIn]));
      const allowance = await publicClient.readContract({
        address: d.dimoToken,
        abi: DimoTokenArtifact.abi,
        functionName: "allowance",
        args: [d.deployer, d.dimoCredit],
        blockTag,
      });
      if (allowance < dimoIn) {
        out.push(
          await send(ctx, d.deployer, d.dimoToken, DimoTokenArtifact.abi, "approve", [
            d.dimoCredit,
            maxUint256,
          ]),
        );
      }
      out.push(
        await send(ctx, d.deployer, d.dimoCredit, DimoCreditArtifact.abi, "mintInDimo", [owner, dimoIn]),
      );
      return out;
    }
    const need = (cost / DIMO_USD_PRICE) * 10n ** 18n;
    if (need === 0n) return out;
    const balance = await publicClient.readContract({
      address: d.dimoToken,
      abi: DimoTokenArtifact.abi,
      functionName: "balanceOf",
      args: [owner],
      blockTag,
    });
    if (balance < need) {
      out.push(
        await send(ctx, d.deployer, d.dimoToken, DimoTokenArtifact.abi, "mint", [owner, need - balance]),
      );
    }
    const allowance = await publicClient.readContract({
      address: d.dimoToken,
      abi: DimoTokenArtifact.abi,
      functionName: "allowance",
      args: [owner, d.devLicense],
      blockTag,
    });
    if (allowance < need) {
      out.push(
        await send(ctx, owner, d.dimoToken, DimoTokenArtifact.abi, "approve", [d.devLicense, maxUint256]),
      );
    }
    return out;
  }

  type Finish = (receipt: TransactionReceipt) => StepResult;
  type Sent = { pending: Pending; finish: Finish } | { result: StepResult };

  const plain =
    (kind: TxStepKind): Finish =>
    (receipt) =>
      ({ kind, txHash: receipt.transactionHash, blockNumber: receipt.blockNumber, receipt }) as StepResult;

  /** Sends the step's transactions; the result is built from the receipt once mined. */
  async function sendStep(ctx: Ctx, step: Step): Promise<Sent> {
    const lic = { address: d.devLicense, abi: DevLicenseDimoArtifact.abi } as const;
    switch (step.kind) {
      case "issue": {
        const pay = step.pay ?? "dc";
        const owner = getAddress(step.owner);
        const from = step.from ?? owner;
        const funding = await fund(ctx, owner, pay);
        const alias = step.alias ?? "";
        const self = isAddressEqual(from, owner);
        const pending =
          pay === "dc"
            ? self
              ? await send(ctx, from, lic.address, lic.abi, "issueInDc", [alias])
              : await send(ctx, from, lic.address, lic.abi, "issueInDc", [owner, alias])
            : self
              ? await send(ctx, from, lic.address, lic.abi, "issueInDimo", [alias])
              : await send(ctx, from, lic.address, lic.abi, "issueInDimo", [owner, alias]);
        return {
          pending,
          finish: (receipt) => {
            const [issued] = parseEventLogs({
              abi: devLicenseAbi,
              eventName: "Issued",
              logs: receipt.logs,
            }).filter((l) => isAddressEqual(l.address, d.devLicense));
            if (!issued) throw new Error(`no Issued event in ${receipt.transactionHash}`);
            return {
              kind: "issue",
              tokenId: issued.args.tokenId,
              clientId: getAddress(issued.args.clientId),
              owner: getAddress(issued.args.owner),
              fundingTxs: funding.map((f) => f.hash),
              txHash: receipt.transactionHash,
              blockNumber: receipt.blockNumber,
              receipt,
            };
          },
        };
      }
      case "setAlias": {
        const tokenId = BigInt(step.tokenId);
        const from = step.from ?? (await licenseOwner(ctx, tokenId));
        const pending = await send(ctx, from, lic.address, lic.abi, "setLicenseAlias", [tokenId, step.alias]);
        return { pending, finish: plain(step.kind) };
      }
      case "setLegacyAlias": {
        const tokenId = BigInt(step.tokenId);
        const from = step.from ?? (await licenseOwner(ctx, tokenId));
        const alias =
          isHex(step.alias) && step.alias.length === 66 ? step.alias : stringToHex(step.alias, { size: 32 });
        const pending = await send(ctx, from, lic.address, lic.abi, "setLicenseAliasLegacy", [
          tokenId,
          alias,
        ]);
        return { pending, finish: plain(step.kind) };
      }
      case "enableSigner":
      case "disableSigner": {
        const tokenId = BigInt(step.tokenId);
        const from = step.from ?? (await licenseOwner(ctx, tokenId));
        const pending = await send(ctx, from, lic.address, lic.abi, step.kind, [tokenId, step.signer]);
        return { pending, finish: plain(step.kind) };
      }
      case "setRedirectUri": {
        const tokenId = BigInt(step.tokenId);
        const from = step.from ?? (await licenseOwner(ctx, tokenId));
        const pending = await send(ctx, from, lic.address, lic.abi, "setRedirectUri", [
          tokenId,
          step.enabled,
          step.uri,
        ]);
        return { pending, finish: plain(step.kind) };
      }
      case "revoke": {
        const pending = await send(ctx, step.from ?? d.deployer, lic.address, lic.abi, "revoke", [
          BigInt(step.tokenId),
        ]);
        return { pending, finish: plain(step.kind) };
      }
      case "setPeriodValidity": {
        const pending = await send(ctx, step.from ?? d.deployer, lic.address, lic.abi, "setPeriodValidity", [
          BigInt(step.seconds),
        ]);
        return { pending, finish: plain(step.kind) };
      }
      case "setLicenseCost": {
        const pending = await send(ctx, step.from ?? d.deployer, lic.address, lic.abi, "setLicenseCost", [
          step.usd1e18,
        ]);
        return { pending, finish: plain(step.kind) };
      }
      case "mintVehicle":
      case "mintOtherNft": {
        const isVehicle = step.kind === "mintVehicle";
        const address = isVehicle ? d.vehicleId : d.otherNft;
        const owner = getAddress(step.owner);
        const pending = isVehicle
          ? await send(ctx, step.from ?? d.deployer, address, VehicleIdArtifact.abi, "mint", [owner])
          : await send(ctx, step.from ?? d.deployer, address, OtherNftArtifact.abi, "mint", [owner]);
        return {
          pending,
          finish: (receipt) => {
            const [minted] = parseEventLogs({
              abi: vehicleIdAbi,
              eventName: "Transfer",
              logs: receipt.logs,
            }).filter((l) => isAddressEqual(l.address, address) && l.args.from === zeroAddress);
            if (!minted) throw new Error(`no mint Transfer in ${receipt.transactionHash}`);
            const base = {
              txHash: receipt.transactionHash,
              blockNumber: receipt.blockNumber,
              receipt,
              owner,
            };
            return isVehicle
              ? { kind: "mintVehicle", vehicleId: minted.args.tokenId, ...base }
              : { kind: "mintOtherNft", tokenId: minted.args.tokenId, ...base };
          },
        };
      }
      case "transferVehicle": {
        const vehicleId = BigInt(step.vehicleId);
        const owner = await nftOwner(ctx, d.vehicleId, vehicleId);
        const pending = await send(
          ctx,
          step.from ?? owner,
          d.vehicleId,
          VehicleIdArtifact.abi,
          "transferFrom",
          [owner, step.to, vehicleId],
        );
        return { pending, finish: plain(step.kind) };
      }
      case "burnVehicle": {
        const vehicleId = BigInt(step.vehicleId);
        const from = step.from ?? (await nftOwner(ctx, d.vehicleId, vehicleId));
        const pending = await send(ctx, from, d.vehicleId, VehicleIdArtifact.abi, "burn", [vehicleId]);
        return { pending, finish: plain(step.kind) };
      }
      case "grant":
      case "grantLegacy":
      case "grantOnAsset": {
        const asset = step.kind === "grantOnAsset" ? step.asset : d.vehicleId;
        const tokenId = BigInt(step.kind === "grantOnAsset" ? step.tokenId : step.vehicleId);
        const legacy = step.kind === "grantLegacy" || (step.kind === "grantOnAsset" && step.legacy === true);
        const from = step.from ?? (await nftOwner(ctx, asset, tokenId));
        const source = step.source ?? "";
        const expiration = BigInt(step.expiration);
        const templateId = step.kind === "grantLegacy" ? 0n : (step.templateId ?? 0n);
        const pending = legacy
          ? await send(ctx, from, d.sacd, SacdArtifact.abi, "setPermissions", [
              asset,
              tokenId,
              step.grantee,
              step.permissions,
              expiration,
              source,
            ])
          : await send(ctx, from, d.sacd, SacdArtifact.abi, "setPermissions", [
              asset,
              tokenId,
              step.grantee,
              step.permissions,
              expiration,
              templateId,
              source,
            ]);
        return { pending, finish: plain(step.kind) };
      }
      case "grantAccount": {
        const pending = await send(ctx, step.grantor, d.sacd, SacdArtifact.abi, "setAccountPermissions", [
          step.grantee,
          step.permissions,
          BigInt(step.expiration),
          step.templateId ?? 0n,
          step.source ?? "",
        ]);
        return { pending, finish: plain(step.kind) };
      }
      case "renounce": {
        const [asset, tokenId] =
          "vehicleId" in step ? [d.vehicleId, step.vehicleId] : [step.asset, step.tokenId];
        const pending = await send(ctx, step.grantee, d.sacd, SacdArtifact.abi, "renouncePermissions", [
          asset,
          BigInt(tokenId),
        ]);
        return { pending, finish: plain(step.kind) };
      }
      case "renounceAccount": {
        const pending = await send(
          ctx,
          step.grantee,
          d.sacd,
          SacdArtifact.abi,
          "renounceAccountPermissions",
          [step.grantor],
        );
        return { pending, finish: plain(step.kind) };
      }
      case "setPrivilege": {
        const vehicleId = BigInt(step.vehicleId);
        const from = step.from ?? (await nftOwner(ctx, d.vehicleId, vehicleId));
        const pending = await send(ctx, from, d.vehicleId, VehicleIdArtifact.abi, "setPrivilege", [
          vehicleId,
          BigInt(step.privId),
          step.user,
          BigInt(step.expires),
        ]);
        return { pending, finish: plain(step.kind) };
      }
      case "setTime": {
        await testClient.setNextBlockTimestamp({ timestamp: BigInt(step.timestamp) });
        return {
          result: { kind: "setTime", txHash: null, blockNumber: await publicClient.getBlockNumber() },
        };
      }
      case "increaseTime": {
        await testClient.increaseTime({ seconds: Number(step.seconds) });
        return {
          result: { kind: "increaseTime", txHash: null, blockNumber: await publicClient.getBlockNumber() },
        };
      }
      case "mine":
      case "batch":
        throw new ScenarioError(
          `step ${ctx.path}: ${step.kind} is not allowed inside a batch`,
          step,
          ctx.path,
        );
    }
  }

  async function runBatch(step: Extract<Step, { kind: "batch" }>, path: string): Promise<StepResult> {
    if (!(await testClient.getAutomine())) {
      throw new ScenarioError(`step ${path}: batch needs an automining anvil (no --block-time)`, step, path);
    }
    const batch: BatchState = { sent: [], seq: 0 };
    const parts: Sent[] = [];
    await testClient.setAutomine(false);
    let blockNumber: bigint;
    try {
      for (const [i, inner] of step.steps.entries()) {
        parts.push(await sendStep({ blockTag: "pending", batch, step: inner, path: `${path}.${i}` }, inner));
      }
      await testClient.mine({ blocks: 1 });
      blockNumber = await publicClient.getBlockNumber();
    } catch (err) {
      for (const p of batch.sent) await testClient.dropTransaction({ hash: p.hash }).catch(() => undefined);
      throw err;
    } finally {
      await testClient.setAutomine(true);
    }
    const receipts = new Map<Hex, TransactionReceipt>();
    for (const p of batch.sent) {
      const receipt = await publicClient.getTransactionReceipt({ hash: p.hash }).catch(() => undefined);
      if (!receipt || receipt.blockNumber !== blockNumber) {
        throw new ScenarioError(
          `step ${p.ctx.path} (${p.ctx.step.kind}): ${p.label} (tx ${p.hash}) is not in the batch block ${blockNumber} (block gas limit?)`,
          p.ctx.step,
          p.ctx.path,
        );
      }
      if (receipt.status !== "success") await revertedError(p.ctx, p);
      receipts.set(p.hash, receipt);
    }
    const results = parts.map((s) => ("result" in s ? s.result : s.finish(receipts.get(s.pending.hash)!)));
    return { kind: "batch", txHash: null, blockNumber, results };
  }

  async function runStep(step: Step, path: string): Promise<StepResult> {
    if (step.kind === "batch") return runBatch(step, path);
    if (step.kind === "mine") {
      await testClient.mine({ blocks: step.blocks ?? 1 });
      return { kind: "mine", txHash: null, blockNumber: await publicClient.getBlockNumber() };
    }
    const ctx: Ctx = { blockTag: "latest", batch: null, step, path };
    const s = await sendStep(ctx, step);
    if ("result" in s) return s.result;
    return s.finish(await receiptOf(ctx, s.pending));
  }

  const self: ScenarioChain = {
    deployment,
    publicClient,
    testClient,
    async apply<const S extends readonly Step[]>(steps: S) {
      const results: StepResult[] = [];
      for (const [i, step] of steps.entries()) results.push(await runStep(step, String(i)));
      return results as ResultsFor<S>;
    },
    async run<const S extends Step>(step: S) {
      return (await runStep(step, "0")) as ResultFor<S>;
    },
    issue: (owner, opts) => self.run({ kind: "issue", owner, ...opts }),
    mintVehicle: (owner) => self.run({ kind: "mintVehicle", owner }),
    batch: (steps) => self.run({ kind: "batch", steps }),
    async mine(blocks = 1) {
      return (await self.run({ kind: "mine", blocks })).blockNumber;
    },
    async setTime(timestamp) {
      await self.run({ kind: "setTime", timestamp });
    },
    async increaseTime(seconds) {
      await self.run({ kind: "increaseTime", seconds });
    },
    async now() {
      return (await publicClient.getBlock({ blockTag: "latest" })).timestamp;
    },
    blockNumber: () => publicClient.getBlockNumber(),
    snapshot: () => testClient.snapshot(),
    async revert(id) {
      await testClient.revert({ id });
    },
    async walletFor(address) {
      return { wallet, account: await senderFor(address) };
    },
  };
  return self;
}

/** A log of `address` decoded with an ABI: eventName + args + raw topic0. */
export interface DecodedLog {
  eventName: string;
  args: Record<string, unknown>;
  topic0: Hex;
  logIndex: number;
}

/**
 * Decodes, in order, every log that `address` emitted in `receipt` with `abi`, strictly: a log whose topic0 is not
 * in the ABI, or whose indexed/data layout differs from the ABI's, throws. (So a passing decode with the project's
 * abis/ proves the contract emits exactly the indexed signatures.)
 */
export function decodeReceiptLogs(receipt: TransactionReceipt, address: Address, abi: Abi): DecodedLog[] {
  return receipt.logs
    .filter((log) => isAddressEqual(log.address, address))
    .map((log) => {
      const decoded = decodeEventLog({ abi, data: log.data, topics: log.topics, strict: true });
      return {
        eventName: String(decoded.eventName),
        args: decoded.args as unknown as Record<string, unknown>,
        topic0: log.topics[0]!,
        logIndex: log.logIndex,
      };
    });
}

/** SACD permission mask with both bits of every listed index (1..8) set: e.g. permissionMask(1, 3) = 0xCC. */
export function permissionMask(...indexes: number[]): bigint {
  return indexes.reduce((mask, i) => mask | (3n << BigInt(2 * i)), 0n);
}

/** All 8 SACD permissions (0x3FFFC). */
export const ALL_PERMISSIONS = permissionMask(1, 2, 3, 4, 5, 6, 7, 8);
