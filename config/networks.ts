import { type Address, getAddress, getContractAddress } from "viem";

/** A DIMO deployment: where the contracts live on one chain and where indexing starts. */
export type Deployment = {
  chainId: number;
  devLicense: Address;
  vehicleId: Address;
  sacd: Address;
  dimoToken: Address | null;
  dimoCredit: Address | null;
  /** First block worth indexing (the earliest deployment block, or a safe estimate). */
  startBlock: number;
};

export const NETWORKS = ["local", "polygon", "amoy", "custom"] as const;
export type NetworkName = (typeof NETWORKS)[number];

/**
 * A chain to index as the indexer's environment names it (DIMO_NETWORK, CHAIN_ID, the contract
 * addresses, START_BLOCK). Addresses are plain strings: replay cassettes store it as JSON.
 */
export type IndexedChain = {
  network: NetworkName;
  chainId: number;
  devLicense: string;
  vehicleId: string;
  sacd: string;
  dimoToken: string | null;
  dimoCredit: string | null;
  startBlock: number;
};

/** Anvil's first dev account deploys the devnet; its nonces 0..5 fix every local address. */
const LOCAL_DEPLOYER = getAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
const localAt = (nonce: number) => getContractAddress({ from: LOCAL_DEPLOYER, nonce: BigInt(nonce) });

/**
 * Addresses of DIMO's published deployments (docs/indexing.md, "Networks"). Start blocks: SACD's proxy deploy block is
 * exact; DevLicenseDimo's and VehicleId's are the reference's safe estimates (no vehicle can share
 * with a license before the first license exists, so starting every contract there loses nothing).
 */
export const DEPLOYMENTS: Record<Exclude<NetworkName, "custom">, Deployment> = {
  polygon: {
    chainId: 137,
    devLicense: getAddress("0x9A9D2E717bB005B240094ba761Ff074d392C7C85"),
    vehicleId: getAddress("0xbA5738a18d83D41847dfFbDC6101d37C69c9B0cF"),
    sacd: getAddress("0x3c152B5d96769661008Ff404224d6530FCAC766d"),
    dimoToken: getAddress("0xE261D618a959aFfFd53168Cd07D12E37B26761db"),
    dimoCredit: getAddress("0x7186F9aC35d24c9a4cf1E58a797c04DF1b334322"),
    startBlock: 57_700_000,
  },
  amoy: {
    chainId: 80002,
    devLicense: getAddress("0xdb6c0dBbaf48b9D9Bcf5ca3C45cFF3811D70eD96"),
    vehicleId: getAddress("0x45fbCD3ef7361d156e8b16F5538AE36DEdf61Da8"),
    sacd: getAddress("0x4E5F9320b1c7cB3DE5ebDD760aD67375B66cF8a3"),
    dimoToken: getAddress("0x21cFE003997fB7c2B3cfe5cf71e7833B7B2eCe10"),
    dimoCredit: getAddress("0x49c120f4C3c6679Ebd357F2d749E4D1C03598d65"),
    startBlock: 5_500_000,
  },
  // The project's own test contracts on a fresh anvil, deployed in this order by devnet/deploy.ts.
  local: {
    chainId: 31337,
    dimoToken: localAt(0),
    dimoCredit: localAt(1),
    devLicense: localAt(2),
    vehicleId: localAt(3),
    sacd: localAt(4),
    startBlock: 0,
  },
};
