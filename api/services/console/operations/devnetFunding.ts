import type { Logger } from "pino";
import { type Address, type LocalAccount, numberToHex, parseEther } from "viem";
import { erc20Abi } from "../../../../abis/erc20";
import { devnetMintDimo } from "./calls";
import type { OpsChain } from "./chain";

/** What a fresh managed wallet gets on the devnet: gas money and DIMO to buy DCX with. */
const DEVNET_ETH = parseEther("100");
const DEVNET_DIMO = parseEther("10000");

/**
 * DEVNET ONLY (DIMO_NETWORK=local, or DEVNET_FUND_WALLETS=true on a chain-31337 custom network;
 * config refuses it on polygon/amoy): a managed wallet is topped up before its first operation,
 * with native ETH through anvil_setBalance and DIMO from the devnet DimoToken's open `mint`
 * faucet. On a real network the operator funds managed wallets; a wallet without gas money gets a
 * clear "insufficient funds" error instead.
 */
export function devnetFunding(deps: {
  chain: OpsChain;
  logger: Logger;
  /** Sends the faucet mint as a managed-wallet operation (recorded like any other write). */
  sendFaucet: (
    accountId: string,
    account: LocalAccount,
    tx: ReturnType<typeof devnetMintDimo>,
  ) => Promise<void>;
}) {
  const { chain, logger } = deps;
  const funded = new Map<string, Promise<void>>();

  async function fund(accountId: string, account: LocalAccount): Promise<void> {
    const address: Address = account.address;
    const balance = await chain.client.getBalance({ address });
    if (balance < parseEther("1")) {
      await chain.client.request({
        method: "anvil_setBalance",
        params: [address, numberToHex(DEVNET_ETH)],
      } as never);
      logger.info({ wallet: address }, "devnet: funded managed wallet with ETH (anvil_setBalance)");
    }
    if (chain.dimoToken) {
      const dimo = await chain.client.readContract({
        address: chain.dimoToken,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [address],
      });
      if (dimo === 0n) {
        await deps.sendFaucet(accountId, account, devnetMintDimo(chain.dimoToken, address, DEVNET_DIMO));
        logger.info({ wallet: address }, "devnet: minted DIMO to managed wallet (DimoToken faucet)");
      }
    }
  }

  return {
    /** Once per wallet and process; a failure is retried on the next operation. */
    ensure(accountId: string, account: LocalAccount): Promise<void> {
      const key = account.address.toLowerCase();
      let pending = funded.get(key);
      if (!pending) {
        pending = fund(accountId, account).catch((error) => {
          funded.delete(key);
          throw error;
        });
        funded.set(key, pending);
      }
      return pending;
    },
  };
}

export type DevnetFunding = ReturnType<typeof devnetFunding>;
