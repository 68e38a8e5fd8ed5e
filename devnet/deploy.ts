// Deploys the DIMO-compatible test contracts (devnet/contracts) to a fresh local chain at deterministic addresses.

import {
  type Abi,
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  getContractAddress,
  type Hex,
  http,
  keccak256,
  toHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  DevLicenseDimoArtifact,
  DimoCreditArtifact,
  DimoTokenArtifact,
  OtherNftArtifact,
  SacdArtifact,
  VehicleIdArtifact,
} from "./contracts/artifacts";

/** anvil's default account #0 (mnemonic "test test … junk"), the deployer of every local contract. */
export const LOCAL_DEPLOYER_KEY: Hex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
export const LOCAL_DEPLOYER: Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

/** Deployment order = deployer nonce. Wiring transactions come after, so these never move. */
const DEPLOY_ORDER = ["dimoToken", "dimoCredit", "devLicense", "vehicleId", "sacd", "otherNft"] as const;
export type ContractKey = (typeof DEPLOY_ORDER)[number];

/** Where deployDimo lands on any fresh chain (whatever the chain id): CREATE(LOCAL_DEPLOYER, nonce i). */
export const LOCAL_ADDRESSES = Object.fromEntries(
  DEPLOY_ORDER.map((key, nonce) => [key, getContractAddress({ from: LOCAL_DEPLOYER, nonce: BigInt(nonce) })]),
) as Readonly<Record<ContractKey, Address>>;

/**
 * The clientId of license `tokenId` on a DevLicenseDimo at `devLicense`: the license contract creates exactly one
 * account contract per issuance with CREATE, and a contract's nonce starts at 1, so clientId = CREATE(devLicense,
 * tokenId). (On the real chain the factory's nonce decides it; never derive clientIds there.)
 */
export function localClientId(
  tokenId: bigint | number,
  devLicense: Address = LOCAL_ADDRESSES.devLicense,
): Address {
  return getContractAddress({ from: devLicense, nonce: BigInt(tokenId) });
}

export const BURNER_ROLE: Hex = keccak256(toHex("BURNER_ROLE"));
export const LICENSE_ADMIN_ROLE: Hex = keccak256(toHex("LICENSE_ADMIN_ROLE"));
export const REVOKER_ROLE: Hex = keccak256(toHex("REVOKER_ROLE"));

export interface Deployment {
  chainId: number;
  deployer: Address;
  dimoToken: Address;
  dimoCredit: Address;
  devLicense: Address;
  vehicleId: Address;
  sacd: Address;
  otherNft: Address;
  /** Block of the first deployment (DimoToken): the indexer's start block. */
  startBlock: number;
  /** Head block after the wiring transactions. */
  blockNumber: number;
}

/** A viem chain for a local RPC URL (any chain id). */
export function localChain(rpcUrl: string, chainId: number): Chain {
  return defineChain({
    id: chainId,
    name: `local-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/**
 * Deploys, from anvil account #0 on a FRESH chain (deployer nonce 0), in this order: 0 DimoToken, 1 DimoCredit,
 * 2 DevLicenseDimo, 3 VehicleId, 4 Sacd, 5 OtherNft; then wires DimoCredit BURNER_ROLE → DevLicenseDimo and
 * VehicleId.setSacdAddress(Sacd). DevLicenseDimo's constructor gives the deployer DEFAULT_ADMIN, LICENSE_ADMIN and
 * REVOKER roles, and is the DIMO/DCX receiver. Throws if the deployer has already sent transactions.
 */
export async function deployDimo(rpcUrl: string): Promise<Deployment> {
  const transport = http(rpcUrl);
  const probe = createPublicClient({ transport, cacheTime: 0 });
  const chainId = await probe.getChainId();
  const chain = localChain(rpcUrl, chainId);
  const publicClient = createPublicClient({ chain, transport, cacheTime: 0, pollingInterval: 50 });
  const account = privateKeyToAccount(LOCAL_DEPLOYER_KEY);
  const wallet = createWalletClient({ account, chain, transport, pollingInterval: 50 });

  const nonce = await publicClient.getTransactionCount({ address: account.address, blockTag: "pending" });
  if (nonce !== 0) {
    throw new Error(
      `deployDimo needs a fresh chain: ${account.address} has nonce ${nonce} on ${rpcUrl} ` +
        "(the addresses would not be the LOCAL_ADDRESSES; restart anvil or reuse the earlier deployment).",
    );
  }

  const deploy = async (abi: Abi, bytecode: Hex, args: readonly unknown[], expected: Address) => {
    const hash = await wallet.deployContract({ abi, bytecode, args });
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (receipt.status !== "success" || !receipt.contractAddress) {
      throw new Error(`deployment of ${expected} reverted (tx ${hash})`);
    }
    const address = getAddress(receipt.contractAddress);
    if (address !== expected) throw new Error(`deployed at ${address}, expected ${expected}`);
    return receipt;
  };

  const a = LOCAL_ADDRESSES;
  const first = await deploy(DimoTokenArtifact.abi, DimoTokenArtifact.bytecode, [], a.dimoToken);
  await deploy(
    DimoCreditArtifact.abi,
    DimoCreditArtifact.bytecode,
    [a.dimoToken, account.address],
    a.dimoCredit,
  );
  await deploy(
    DevLicenseDimoArtifact.abi,
    DevLicenseDimoArtifact.bytecode,
    [a.dimoToken, a.dimoCredit, account.address],
    a.devLicense,
  );
  await deploy(VehicleIdArtifact.abi, VehicleIdArtifact.bytecode, [], a.vehicleId);
  await deploy(SacdArtifact.abi, SacdArtifact.bytecode, [], a.sacd);
  await deploy(OtherNftArtifact.abi, OtherNftArtifact.bytecode, [], a.otherNft);

  // Wiring, after every deployment so it never shifts an address.
  const wiring = [
    await wallet.writeContract({
      address: a.dimoCredit,
      abi: DimoCreditArtifact.abi,
      functionName: "grantRole",
      args: [BURNER_ROLE, a.devLicense],
    }),
    await wallet.writeContract({
      address: a.vehicleId,
      abi: VehicleIdArtifact.abi,
      functionName: "setSacdAddress",
      args: [a.sacd],
    }),
  ];
  let last = first.blockNumber;
  for (const hash of wiring) {
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (receipt.status !== "success") throw new Error(`wiring transaction ${hash} reverted`);
    last = receipt.blockNumber;
  }

  return {
    chainId,
    deployer: account.address,
    ...a,
    startBlock: Number(first.blockNumber),
    blockNumber: Number(last),
  };
}
