import { type Address, encodeFunctionData, type Hex } from "viem";
import { devLicenseAbi } from "../../../../abis/devLicense";
import { dimoCreditAbi } from "../../../../abis/dimoCredit";
import { erc20Abi } from "../../../../abis/erc20";

/** One transaction to send: what an external wallet signs, and what a managed wallet sends. */
export type TxRequest = { to: Address; data: Hex; value: bigint };

// Every console write, as the exact call DIMO's contracts take (selectors as on Polygon).

export const issueLicense = (devLicense: Address, alias: string, pay: "dcx" | "dimo"): TxRequest => ({
  to: devLicense,
  data: encodeFunctionData({
    abi: devLicenseAbi,
    functionName: pay === "dcx" ? "issueInDc" : "issueInDimo",
    args: [alias],
  }),
  value: 0n,
});

export const setLicenseAlias = (devLicense: Address, tokenId: bigint, alias: string): TxRequest => ({
  to: devLicense,
  data: encodeFunctionData({ abi: devLicenseAbi, functionName: "setLicenseAlias", args: [tokenId, alias] }),
  value: 0n,
});

export const enableSigner = (devLicense: Address, tokenId: bigint, signer: Address): TxRequest => ({
  to: devLicense,
  data: encodeFunctionData({ abi: devLicenseAbi, functionName: "enableSigner", args: [tokenId, signer] }),
  value: 0n,
});

export const disableSigner = (devLicense: Address, tokenId: bigint, signer: Address): TxRequest => ({
  to: devLicense,
  data: encodeFunctionData({ abi: devLicenseAbi, functionName: "disableSigner", args: [tokenId, signer] }),
  value: 0n,
});

export const setRedirectUri = (
  devLicense: Address,
  tokenId: bigint,
  enabled: boolean,
  uri: string,
): TxRequest => ({
  to: devLicense,
  data: encodeFunctionData({
    abi: devLicenseAbi,
    functionName: "setRedirectUri",
    args: [tokenId, enabled, uri],
  }),
  value: 0n,
});

export const approve = (token: Address, spender: Address, amount: bigint): TxRequest => ({
  to: token,
  data: encodeFunctionData({ abi: erc20Abi, functionName: "approve", args: [spender, amount] }),
  value: 0n,
});

export const mintDcxInDimo = (dimoCredit: Address, to: Address, dimoAmount: bigint): TxRequest => ({
  to: dimoCredit,
  data: encodeFunctionData({ abi: dimoCreditAbi, functionName: "mintInDimo", args: [to, dimoAmount] }),
  value: 0n,
});

/** DEVNET ONLY: the local DimoToken's open faucet, `mint(address,uint256)`. */
export const devnetMintDimo = (dimoToken: Address, to: Address, amount: bigint): TxRequest => ({
  to: dimoToken,
  data: encodeFunctionData({
    abi: [
      {
        type: "function",
        name: "mint",
        stateMutability: "nonpayable",
        inputs: [
          { name: "to", type: "address" },
          { name: "amount", type: "uint256" },
        ],
        outputs: [],
      },
    ] as const,
    functionName: "mint",
    args: [to, amount],
  }),
  value: 0n,
});
