import { type Kysely, sql } from "kysely";
import type { Logger } from "pino";
import { BaseError, type Hex, keccak256, type LocalAccount, NonceTooLowError } from "viem";
import type { Database } from "../../../db/database";
import type { TxRequest } from "./calls";
import type { OpsChain } from "./chain";
import { keyedMutex } from "./keyedMutex";
import { chainErrorToApiError } from "./revert";
import type { OperationStore } from "./store";

export type SenderDeps = { db: Kysely<Database>; chain: OpsChain; store: OperationStore; logger: Logger };

/** Gas headroom over the estimate: state may change a little between estimate and inclusion. */
const gasWithHeadroom = (estimate: bigint) => (estimate * 125n) / 100n + 10_000n;

const alreadyKnown = (error: unknown) =>
  error instanceof BaseError &&
  /already known|already imported/i.test(`${error.details} ${error.shortMessage}`);
const nonceTooLow = (error: unknown) =>
  error instanceof BaseError && error.walk((e) => e instanceof NonceTooLowError) !== null;

/**
 * Signs and sends managed-wallet transactions. Gas is estimated first, so a revert is decoded
 * (AliasAlreadyInUse → 409, InvalidSender → 403, …) before anything is sent. The nonce is chosen
 * under a per-wallet lock held across replicas (a Postgres advisory lock, inside an in-process
 * queue so waiting requests do not each hold a pooled connection): the chain's pending count, or
 * past the wallet's own in-flight transactions when this RPC node has not seen them yet. A
 * "nonce too low" answer re-reads the chain and retries.
 */
export function managedSender(deps: SenderDeps) {
  const { db, chain, store, logger } = deps;
  const queue = keyedMutex();

  async function estimate(from: Hex, tx: TxRequest): Promise<bigint> {
    try {
      return await chain.client.estimateGas({ account: from, to: tx.to, data: tx.data, value: tx.value });
    } catch (error) {
      throw chainErrorToApiError(error, from);
    }
  }

  async function fees() {
    try {
      return await chain.client.estimateFeesPerGas();
    } catch (error) {
      throw chainErrorToApiError(error, "");
    }
  }

  return {
    estimate,

    /**
     * Sends operation `operationId` (status prepared) from `account`; it is submitted (signed bytes
     * stored) before the node sees it. Throws an ApiError when the node refuses it; the caller then
     * marks the operation failed.
     */
    async send(
      operationId: string,
      account: LocalAccount,
      tx: TxRequest,
      estimatedGas?: bigint,
    ): Promise<{ hash: Hex; nonce: number }> {
      const address = account.address.toLowerCase();
      const gas = gasWithHeadroom(estimatedGas ?? (await estimate(account.address, tx)));
      const { maxFeePerGas, maxPriorityFeePerGas } = await fees();
      return queue(address, () =>
        db.transaction().execute(async (trx) => {
          // The lock can wait behind a slow RPC send of another replica: longer than one statement.
          await sql`SET LOCAL statement_timeout = '60s'`.execute(trx);
          await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`dimo-console-wallet:${address}`}, 0))`.execute(
            trx,
          );
          const inFlight = await trx
            .selectFrom("console.operations")
            .select((eb) => eb.fn.max("nonce").as("max"))
            .where("wallet_address", "=", address)
            .where("status", "=", "submitted")
            .where("chain_id", "=", String(chain.chainId))
            .executeTakeFirst();
          let nonce = await chain.client.getTransactionCount({
            address: account.address,
            blockTag: "pending",
          });
          if (inFlight?.max !== null && inFlight?.max !== undefined)
            nonce = Math.max(nonce, Number(inFlight.max) + 1);

          for (let attempt = 0; ; attempt++) {
            const serialized = await account.signTransaction({
              chainId: chain.chainId,
              type: "eip1559",
              to: tx.to,
              data: tx.data,
              value: tx.value,
              gas,
              nonce,
              maxFeePerGas,
              maxPriorityFeePerGas,
            });
            const hash = keccak256(serialized);
            // Write-ahead, committed outside the lock transaction before the node sees the bytes: a
            // crash from here on leaves a submitted operation whose exact transaction the follower
            // can send again (idempotent), never one sent but unrecorded. Other replicas still wait
            // on the lock, and then count this nonce as in flight.
            await store.markSigned(operationId, hash, nonce, serialized);
            try {
              await chain.client.sendRawTransaction({ serializedTransaction: serialized });
            } catch (error) {
              if (alreadyKnown(error)) {
                // the node has it already: fine
              } else if (nonceTooLow(error) && attempt < 3) {
                const pending = await chain.client.getTransactionCount({
                  address: account.address,
                  blockTag: "pending",
                });
                logger.warn({ wallet: address, nonce, pending }, "nonce too low; re-synced from the chain");
                nonce = Math.max(pending, nonce + 1);
                continue;
              } else {
                throw chainErrorToApiError(error, account.address);
              }
            }
            return { hash, nonce };
          }
        }),
      );
    },
  };
}
