import { type Address, formatUnits, getAddress, parseUnits } from "viem";
import { dimoCreditAbi } from "../../../../abis/dimoCredit";
import { erc20Abi } from "../../../../abis/erc20";
import { ConflictError, ForbiddenError, InvalidRequestError, UnavailableError } from "../../../errors";
import * as calls from "../operations/calls";
import type { OperationEngine } from "../operations/engine";
import { chainErrorToApiError } from "../operations/revert";
import type { Operation, TokenBalance, WalletBalances } from "../schemas";
import type { WalletService } from "./wallets";

const AMOUNT_RE = /^(?:0|[1-9]\d{0,29})(?:\.\d{1,18})?$/;

/** A positive decimal amount of an 18-decimals token ("12.5") in its smallest unit. */
function parseAmount(value: string, field: string): bigint {
  if (!AMOUNT_RE.test(value)) {
    throw new InvalidRequestError(`${field} must be a decimal amount such as "12.5" (at most 18 decimals)`);
  }
  const amount = parseUnits(value, 18);
  if (amount === 0n) throw new InvalidRequestError(`${field} must be greater than 0`);
  return amount;
}

/** DIMO and DCX: balances over RPC (the indexer does not follow them) and buying DCX with DIMO. */
export function dcxService(deps: { engine: OperationEngine; wallets: Pick<WalletService, "list"> }) {
  const { engine } = deps;
  const { client } = engine.chain;

  function tokens(): { dimoToken: Address; dimoCredit: Address } {
    const { dimoToken, dimoCredit } = engine.chain;
    if (!dimoToken || !dimoCredit) {
      throw new UnavailableError(
        "DIMO and DCX are not configured on this network (DIMO_TOKEN_ADDRESS, DCX_ADDRESS)",
      );
    }
    return { dimoToken, dimoCredit };
  }

  const read = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw chainErrorToApiError(error, "");
    }
  };

  const balanceOf = (token: Address, owner: Address) =>
    read(() =>
      client.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [owner] }),
    );

  return {
    /** DIMO and DCX of each of my wallets, formatted (18 decimals) and raw (wei). */
    async balances(accountId: string): Promise<WalletBalances[]> {
      const { dimoToken, dimoCredit } = tokens();
      const wallets = await deps.wallets.list(accountId);
      return Promise.all(
        wallets.map(async (w) => {
          const owner = getAddress(w.address);
          const [dimo, dcx] = await Promise.all([balanceOf(dimoToken, owner), balanceOf(dimoCredit, owner)]);
          const shape = (symbol: "DIMO" | "DCX", token: Address, raw: bigint): TokenBalance => ({
            symbol,
            token,
            balance: formatUnits(raw, 18),
            raw: raw.toString(),
            decimals: 18,
          });
          return {
            address: owner,
            kind: w.kind,
            balances: [shape("DIMO", dimoToken, dimo), shape("DCX", dimoCredit, dcx)],
          };
        }),
      );
    },

    /**
     * Buys DCX for my managed wallet with its DIMO: the DIMO amount is given, or quoted for the
     * wanted DCX (getQuoteDc); DIMO is approved to the DCX contract first when the allowance is
     * short (its own operation, waited for), then `mintInDimo(wallet, dimo)`.
     */
    async buy(
      accountId: string,
      input: { wallet?: string; dimoAmount?: string; dcxAmount?: string },
    ): Promise<Operation> {
      const { dimoToken, dimoCredit } = tokens();
      if ((input.dimoAmount === undefined) === (input.dcxAmount === undefined)) {
        throw new InvalidRequestError("Give exactly one of dimoAmount and dcxAmount");
      }
      const wallets = await deps.wallets.list(accountId);
      const wallet = input.wallet
        ? wallets.find((w) => w.address.toLowerCase() === input.wallet?.toLowerCase())
        : wallets.find((w) => w.kind === "managed");
      if (!wallet)
        throw new ForbiddenError(`${input.wallet ?? "A managed wallet"} is not one of your wallets`);
      if (wallet.kind !== "managed") {
        throw new InvalidRequestError(
          "DCX is bought here for the managed wallet only; an external wallet calls DIMO.approve and DCX.mintInDimo itself",
        );
      }
      const owner = getAddress(wallet.address);
      const dcxWanted = input.dcxAmount !== undefined ? parseAmount(input.dcxAmount, "dcxAmount") : null;
      const dimo =
        input.dimoAmount !== undefined
          ? parseAmount(input.dimoAmount, "dimoAmount")
          : await read(() =>
              client.readContract({
                address: dimoCredit,
                abi: dimoCreditAbi,
                functionName: "getQuoteDc",
                args: [dcxWanted ?? 0n],
              }),
            );
      if (dimo === 0n)
        throw new InvalidRequestError("That amount of DCX costs less than the smallest DIMO unit");
      await engine.managedSigner(accountId); // devnet: funded before the balance is judged
      const balance = await balanceOf(dimoToken, owner);
      if (balance < dimo) {
        throw new ConflictError(
          `Insufficient DIMO: ${owner} has ${formatUnits(balance, 18)} DIMO and needs ${formatUnits(dimo, 18)} DIMO`,
          { revert: "ERC20InsufficientBalance", balance: balance.toString(), needed: dimo.toString() },
        );
      }
      const managed = { address: owner, kind: "managed" as const };
      const allowance = await read(() =>
        client.readContract({
          address: dimoToken,
          abi: erc20Abi,
          functionName: "allowance",
          args: [owner, dimoCredit],
        }),
      );
      let approval: string | null = null;
      if (allowance < dimo) {
        const op = await engine.submitAndWaitMined({
          accountId,
          kind: "approve_dimo",
          wallet: managed,
          tx: calls.approve(dimoToken, dimoCredit, dimo),
          params: { spender: dimoCredit, amount: dimo.toString(), for: "buy_dcx" },
        });
        approval = op.id;
      }
      return engine.submit({
        accountId,
        kind: "buy_dcx",
        wallet: managed,
        tx: calls.mintDcxInDimo(dimoCredit, owner, dimo),
        params: {
          dimoAmount: formatUnits(dimo, 18),
          ...(dcxWanted !== null ? { dcxAmount: formatUnits(dcxWanted, 18) } : {}),
          approvalOperationId: approval,
        },
      });
    },
  };
}

export type DcxService = ReturnType<typeof dcxService>;
