import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { getAddress, type Hex, isHex, type LocalAccount } from "viem";
import type { Database } from "../../../db/database";
import type { ReadReplicas } from "../../../db/replicas";
import { ApiError, ConflictError, InvalidRequestError, UnavailableError } from "../../../errors";
import type { Operation, OperationKind } from "../schemas";
import type { WalletService } from "../wallets/wallets";
import type { TxRequest } from "./calls";
import type { OpsChain } from "./chain";
import { type DevnetFunding, devnetFunding } from "./devnetFunding";
import { type OperationFollower, operationFollower } from "./follower";
import { listenIndexerCommits } from "./indexerCommits";
import { managedSender } from "./sender";
import { type OperationRow, operationStore, shapeOperation } from "./store";
import { type OperationError, type OperationStatus, reached } from "./types";
import { operationWatch, waiterPlaces } from "./watch";

type EngineOptions = {
  /** Follower pause between passes while operations are open. */
  pollMs: number;
  preparedTtlSeconds: number;
  /** Prepared operations an account may leave unsent over 24 hours (store.insertPrepared). */
  maxPrepared: number;
  /** Long-polls and event streams per session, and in all, in this process (watch.ts). */
  maxWaitersPerSession: number;
  maxWaiters: number;
  /** DEVNET ONLY: top up managed wallets (see devnetFunding.ts). */
  devnetFunding: boolean;
};

export type EngineDeps = {
  db: Kysely<Database>;
  clock: () => Date;
  logger: Logger;
  chain: OpsChain;
  wallets: Pick<WalletService, "signerFor">;
  options: EngineOptions;
  /** When given, Ponder's commit notifications wake the follower (else it only polls). */
  databaseUrl?: string;
  /** Hot standbys serving reads: `indexed` means they show the change too. */
  replicas?: Pick<ReadReplicas, "waitReplayed" | "maxLagMs">;
};

export type Submission = {
  accountId: string;
  kind: OperationKind;
  wallet: { address: string; kind: "managed" | "external" };
  tx: TxRequest;
  params: Record<string, unknown>;
  tokenId?: bigint | null;
  alias?: string | null;
};

/** Longest a client may hold a request open waiting for an operation. */
const MAX_WAIT_MS = 30_000;
/** Waiters re-read the row this often, for changes made by another replica's follower. */
const REREAD_MS = 150;
const TX_LOOKUP_MS = 5_000;

const asOperationError = (error: unknown): OperationError =>
  error instanceof ApiError
    ? {
        code: error.code,
        message: error.message,
        ...(error.details !== undefined ? { details: error.details } : {}),
      }
    : { code: "internal", message: "The transaction could not be sent" };

/**
 * The life of every console write: an operation row, then either the managed wallet's signed
 * transaction or the prepared one an external wallet sends, then the follower's moves to mined
 * and indexed. Waiting is event-driven in this process and re-reads the row for other replicas.
 */
export function operationEngine(deps: EngineDeps) {
  const { db, chain, logger } = deps;
  const store = operationStore(db, deps.clock);
  const watch = operationWatch<OperationRow>({ read: (id) => store.get(id), rereadMs: REREAD_MS });
  const waiters = waiterPlaces({
    perHolder: deps.options.maxWaitersPerSession,
    total: deps.options.maxWaiters,
  });
  const sender = managedSender({ db, chain, store, logger });
  const follower: OperationFollower = operationFollower({
    db,
    chain,
    store,
    watch,
    logger,
    clock: deps.clock,
    pollMs: deps.options.pollMs,
    preparedTtlSeconds: deps.options.preparedTtlSeconds,
    ...(deps.replicas ? { replicas: deps.replicas } : {}),
  });

  let listener: { stop(): Promise<void> } | null = null;

  /** Aborted when the app stops: waiting requests answer with the state they have. */
  const shutdown = new AbortController();
  const withShutdown = (signal?: AbortSignal) =>
    signal ? AbortSignal.any([signal, shutdown.signal]) : shutdown.signal;

  /** The row once it reaches `target` (or fails), or as it is at the timeout or abort. */
  async function waitFor(
    id: string,
    target: OperationStatus,
    timeoutMs: number,
    waitSignal?: AbortSignal,
  ): Promise<OperationRow> {
    const signal = withShutdown(waitSignal);
    const first = await store.get(id);
    if (!first) throw new Error(`operation ${id} vanished`);
    if (reached(first.status, target) || signal.aborted) return first;
    return new Promise((resolve) => {
      let row = first;
      const finish = () => {
        unsubscribe();
        clearTimeout(timer);
        signal.removeEventListener("abort", finish);
        resolve(row);
      };
      const unsubscribe = watch.subscribe(id, (fresh) => {
        row = fresh;
        if (reached(row.status, target)) finish();
      });
      const timer = setTimeout(finish, timeoutMs);
      signal.addEventListener("abort", finish, { once: true });
    });
  }

  /** Sends a managed-wallet operation: estimated (a revert throws, nothing written), stored, sent. */
  async function sendManaged(s: Submission, account: LocalAccount): Promise<OperationRow> {
    if (account.address.toLowerCase() !== s.wallet.address.toLowerCase()) {
      throw new ConflictError("The managed wallet's key does not match the operation's wallet");
    }
    const gas = await sender.estimate(account.address, s.tx);
    const row = await store.insert({ ...s, chainId: chain.chainId });
    try {
      await sender.send(row.id, account, s.tx, gas);
    } catch (error) {
      await store.markFailed(row.id, asOperationError(error));
      watch.changed(row.id);
      throw error;
    }
    watch.changed(row.id);
    follower.wake();
    return (await store.get(row.id)) ?? row;
  }

  const funding: DevnetFunding | null = deps.options.devnetFunding
    ? devnetFunding({
        chain,
        logger,
        sendFaucet: async (accountId, account, tx) => {
          const row = await sendManaged(
            {
              accountId,
              kind: "devnet_faucet",
              wallet: { address: account.address, kind: "managed" },
              tx,
              params: { note: "devnet only: DIMO from the local DimoToken faucet" },
            },
            account,
          );
          const done = await waitFor(row.id, "mined", MAX_WAIT_MS);
          if (done.status !== "mined" && done.status !== "indexed") {
            throw new UnavailableError("The devnet DIMO faucet transaction did not go through");
          }
        },
      })
    : null;

  /** The account's managed-wallet signer, topped up first on the devnet. */
  async function managedSigner(accountId: string): Promise<LocalAccount> {
    const account = await deps.wallets.signerFor(accountId);
    if (funding) await funding.ensure(accountId, account);
    return account;
  }

  const engine = {
    store,
    watch,
    chain,
    managedSigner,
    /** Places of waiting requests (watch.ts): routes take one per event stream. */
    waiters,

    /** The follower (woken by the indexer's commits when it can listen); stopping also releases waiters. */
    background: {
      start() {
        follower.start();
        if (deps.databaseUrl && !listener) {
          listener = listenIndexerCommits({ databaseUrl: deps.databaseUrl, onCommit: follower.wake, logger });
        }
      },
      async stop() {
        shutdown.abort();
        await listener?.stop();
        listener = null;
        await follower.stop();
      },
    },

    /**
     * Starts an operation. Managed wallet: sent now (status submitted). External wallet: the
     * call is estimated from that wallet first (so a sure revert is refused now), then stored
     * as `prepared` for the wallet to sign and send.
     */
    async submit(s: Submission): Promise<Operation> {
      if (s.wallet.kind === "managed") {
        return shapeOperation(await sendManaged(s, await managedSigner(s.accountId)));
      }
      await sender.estimate(getAddress(s.wallet.address), s.tx);
      const row = await store.insertPrepared({ ...s, chainId: chain.chainId }, deps.options.maxPrepared);
      return shapeOperation(row);
    },

    /** Submits and waits until mined (or failed); for prerequisites such as an approval. */
    async submitAndWaitMined(s: Submission): Promise<Operation> {
      const op = await engine.submit(s);
      const row = await waitFor(op.id, "mined", MAX_WAIT_MS);
      if (row.status === "failed") {
        throw new ConflictError(`${s.kind} failed: ${row.error?.message ?? "unknown reason"}`, {
          operationId: row.id,
        });
      }
      if (!reached(row.status, "mined")) {
        throw new UnavailableError(`${s.kind} was not mined within ${MAX_WAIT_MS / 1000} s`, {
          operationId: row.id,
        });
      }
      return shapeOperation(row);
    },

    /**
     * One of my operations; with `wait`, held until it reaches that status (or the timeout), in
     * one of `wait.holder`'s waiting places (429 when its session holds all of them).
     */
    async get(
      accountId: string,
      id: string,
      wait?: { status: OperationStatus; timeoutMs: number; signal?: AbortSignal; holder: string },
    ): Promise<Operation> {
      const row = await store.getOwned(accountId, id);
      if (!wait || reached(row.status, wait.status)) return shapeOperation(row);
      const release = waiters.take(wait.holder);
      try {
        return shapeOperation(
          await waitFor(id, wait.status, Math.min(wait.timeoutMs, MAX_WAIT_MS), wait.signal),
        );
      } finally {
        release();
      }
    },

    async list(accountId: string, limit: number): Promise<Operation[]> {
      return (await store.listOwned(accountId, limit)).map(shapeOperation);
    },

    /** Every status change of one of my operations until it ends (or `signal` aborts). */
    async *changes(accountId: string, id: string, stop: AbortSignal): AsyncGenerator<Operation> {
      const signal = withShutdown(stop);
      let row = await store.getOwned(accountId, id);
      yield shapeOperation(row);
      const ended = (r: OperationRow) => r.status === "indexed" || r.status === "failed";
      if (ended(row)) return;
      // Reads of the shared loop, queued; a wake-up whenever one arrives or the stream must stop.
      const queue: OperationRow[] = [];
      let wake: (() => void) | null = null;
      const nudge = () => {
        wake?.();
        wake = null;
      };
      const unsubscribe = watch.subscribe(id, (fresh) => {
        queue.push(fresh);
        nudge();
      });
      signal.addEventListener("abort", nudge, { once: true });
      try {
        while (!signal.aborted && !ended(row)) {
          if (queue.length === 0) await new Promise<void>((r) => (wake = r));
          for (const next of queue.splice(0)) {
            if (next.status !== row.status || next.updated_at.getTime() !== row.updated_at.getTime()) {
              row = next;
              yield shapeOperation(row);
            }
          }
        }
      } finally {
        unsubscribe();
        signal.removeEventListener("abort", nudge);
      }
    },

    /**
     * An external wallet reports the hash of the prepared transaction it sent. The transaction is
     * read from the chain and must be exactly the prepared one, from that wallet.
     */
    async reportSubmitted(accountId: string, id: string, txHash: string): Promise<Operation> {
      if (!isHex(txHash) || txHash.length !== 66) {
        throw new InvalidRequestError("txHash must be a 32-byte transaction hash (0x + 64 hex digits)");
      }
      const hash = txHash.toLowerCase() as Hex;
      const row = await store.getOwned(accountId, id);
      if (row.wallet_kind !== "external") {
        throw new ConflictError("Managed-wallet operations are sent by the API; there is nothing to report");
      }
      if (row.status !== "prepared") {
        if (row.tx_hash === hash) return shapeOperation(row);
        throw new ConflictError(`Operation ${id} is already ${row.status}`);
      }
      const tx = await lookupTransaction(hash);
      if (!tx) {
        throw new InvalidRequestError(
          `Transaction ${hash} is not known to the chain; send it, then report its hash`,
        );
      }
      const mismatch: string[] = [];
      if (tx.from.toLowerCase() !== row.wallet_address)
        mismatch.push(`it is from ${tx.from}, not ${getAddress(row.wallet_address)}`);
      if ((tx.to ?? "").toLowerCase() !== row.to_address)
        mismatch.push(`it calls ${tx.to}, not ${getAddress(row.to_address)}`);
      if (tx.input.toLowerCase() !== row.data.toLowerCase())
        mismatch.push("its data is not the prepared call data");
      if (tx.value !== BigInt(row.value)) mismatch.push(`its value is ${tx.value}, not ${row.value}`);
      if (tx.chainId !== undefined && tx.chainId !== chain.chainId)
        mismatch.push(`it is for chain ${tx.chainId}`);
      if (mismatch.length > 0) {
        throw new InvalidRequestError(
          `Transaction ${hash} is not this operation's prepared transaction: ${mismatch.join("; ")}`,
        );
      }
      try {
        await store.markSubmitted(db, id, hash, tx.nonce);
      } catch (error) {
        if ((error as { code?: string }).code === "23505") {
          throw new ConflictError(`Transaction ${hash} was already reported for another operation`);
        }
        throw error;
      }
      watch.changed(id);
      follower.wake();
      return shapeOperation(await store.getOwned(accountId, id));
    },

    /** Abandons a prepared operation (freeing an alias it reserved). */
    async cancel(accountId: string, id: string): Promise<Operation> {
      const row = await store.getOwned(accountId, id);
      if (row.status !== "prepared") {
        throw new ConflictError(
          `Operation ${id} is ${row.status}; only a prepared operation can be cancelled`,
        );
      }
      await store.markFailed(id, { code: "cancelled", message: "Cancelled before it was sent" });
      watch.changed(id);
      return shapeOperation(await store.getOwned(accountId, id));
    },
  };

  /** A just-sent transaction may take a moment to reach the node the API reads: look for a few seconds. */
  async function lookupTransaction(hash: Hex) {
    const deadline = Date.now() + TX_LOOKUP_MS;
    for (;;) {
      const tx = await chain.client.getTransaction({ hash }).catch(() => null);
      if (tx || Date.now() > deadline) return tx;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  return engine;
}

export type OperationEngine = ReturnType<typeof operationEngine>;
