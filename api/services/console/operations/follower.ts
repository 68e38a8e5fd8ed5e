import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { getAddress, type Hex, type TransactionReceipt } from "viem";
import type { Database } from "../../../db/database";
import type { ReadReplicas } from "../../../db/replicas";
import { unavailableReason } from "../../../db/unavailable";
import { loggable } from "../../../lib/loggable";
import { decodeCheckpoint } from "../../system/indexerStatus";
import type { OpsChain } from "./chain";
import { issuedLicense, revertReason } from "./receipts";
import type { OperationRow, OperationStore } from "./store";
import type { OperationWatch } from "./watch";

export type FollowerDeps = {
  db: Kysely<Database>;
  chain: OpsChain;
  store: OperationStore;
  watch: Pick<OperationWatch<unknown>, "changed">;
  logger: Logger;
  clock: () => Date;
  /** Pause between passes while operations are open (the indexer polls anvil every 200 ms). */
  pollMs: number;
  /** A prepared operation not submitted within this time fails (its alias reservation ends). */
  preparedTtlSeconds: number;
  /** Hot standbys serving reads: `indexed` waits until they have replayed the change. */
  replicas?: Pick<ReadReplicas, "waitReplayed" | "maxLagMs">;
};

/** A submitted transaction neither mined nor known to the node after this long is dropped. */
const DROPPED_AFTER_MS = 10 * 60_000;
/** A mined operation not indexed after this long has its receipt read again (reorgs). */
const STALE_MINED_MS = 15_000;
const IDLE_MS = 1_000;
const EXPIRE_EVERY_MS = 5_000;

/**
 * Moves operations forward: submitted → mined (receipt; a revert fails it with the decoded
 * reason) → indexed (the API's reads show it). One per API process; replicas are safe because
 * every move is a conditional UPDATE (… WHERE status = 'submitted'), so the first follower to see
 * a change makes it and the others' updates match nothing. Polls with a short pause while work is
 * open, and wakes at once when this process submits something.
 */
export function operationFollower(deps: FollowerDeps) {
  const { chain, store, watch, logger } = deps;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = true;
  let lastExpire = 0;
  let lastWarn = 0;
  /** Receipts already asked for at this head: not asked again until a new block. */
  let head = -1n;
  const checkedAtHead = new Set<string>();

  const changed = (ids: Iterable<string>) => {
    for (const id of ids) watch.changed(id);
  };

  async function indexedBlock(): Promise<bigint | null> {
    try {
      const rows = await deps.db.selectFrom("dimo._ponder_checkpoint").select("latest_checkpoint").execute();
      const mine = rows
        .map((r) => decodeCheckpoint(r.latest_checkpoint))
        .find((c) => c !== null && c.chainId === BigInt(chain.chainId));
      return mine?.blockNumber ?? null;
    } catch (error) {
      if (unavailableReason(error) === "views_missing") return null;
      throw error;
    }
  }

  async function onReceipt(op: OperationRow, receipt: TransactionReceipt): Promise<void> {
    if (receipt.status === "success") {
      let result: Record<string, unknown> | undefined;
      let tokenId: bigint | undefined;
      if (op.kind === "create_license") {
        const issued = issuedLicense(receipt, chain.devLicense);
        if (issued) {
          tokenId = issued.tokenId;
          result = { tokenId: Number(issued.tokenId), clientId: getAddress(issued.clientId) };
        }
      }
      const opts = {
        blockNumber: receipt.blockNumber,
        ...(result ? { result } : {}),
        ...(tokenId !== undefined ? { tokenId } : {}),
      };
      if (await store.markMined(op.id, opts)) watch.changed(op.id);
      return;
    }
    const error = await revertReason(
      chain,
      {
        from: getAddress(op.wallet_address),
        to: getAddress(op.to_address),
        data: op.data as Hex,
        value: BigInt(op.value),
        hash: receipt.transactionHash,
      },
      receipt.blockNumber,
    );
    if (await store.markFailed(op.id, error, receipt.blockNumber)) watch.changed(op.id);
  }

  async function followSubmitted(submitted: OperationRow[]): Promise<void> {
    if (submitted.length === 0) return;
    const now = await chain.client.getBlockNumber({ cacheTime: 0 });
    if (now !== head) {
      head = now;
      checkedAtHead.clear();
    }
    const due = submitted.filter((op) => !checkedAtHead.has(op.id));
    await Promise.all(
      due.map(async (op) => {
        const hash = op.tx_hash as Hex;
        const receipt = await chain.client.getTransactionReceipt({ hash }).catch(() => null);
        if (receipt) return onReceipt(op, receipt);
        checkedAtHead.add(op.id);
        const age = deps.clock().getTime() - (op.submitted_at?.getTime() ?? 0);
        const known = await chain.client.getTransaction({ hash }).catch(() => null);
        if (!known && op.raw_tx && age <= DROPPED_AFTER_MS) {
          // Signed and recorded, but the node does not have it: an API died between recording and
          // sending (or the node lost it). The same bytes again are idempotent: one nonce, one hash.
          await chain.client.sendRawTransaction({ serializedTransaction: op.raw_tx as Hex }).then(
            () =>
              logger.info({ operation: op.id, hash }, "sent a recorded transaction the node did not have"),
            (error: unknown) =>
              logger.warn(
                { operation: op.id, hash, error: loggable(error) },
                "resending a recorded transaction failed",
              ),
          );
          return;
        }
        if (age > DROPPED_AFTER_MS && !known) {
          const dropped = {
            code: "dropped",
            message: "The transaction was never mined and the node no longer knows it",
          };
          if (await store.markFailed(op.id, dropped)) watch.changed(op.id);
        }
      }),
    );
  }

  /**
   * Mined but still not indexed after a while: a reorg may have moved the transaction to another
   * block (the indexed rule matches the block) or dropped it back to the mempool.
   */
  async function recheckStale(mined: OperationRow[]): Promise<void> {
    const now = deps.clock().getTime();
    const stale = mined.filter((op) => now - op.updated_at.getTime() > STALE_MINED_MS);
    await Promise.all(
      stale.map(async (op) => {
        const receipt = await chain.client
          .getTransactionReceipt({ hash: op.tx_hash as Hex })
          .catch(() => null);
        const block = receipt?.blockNumber ?? null;
        if (block !== null && op.block_number !== null && block === BigInt(op.block_number)) {
          await store.remine(op.id, block); // unchanged: only refresh updated_at (checked again later)
          return;
        }
        if (await store.remine(op.id, block)) {
          logger.info(
            { operation: op.id, block: block?.toString() ?? null },
            "mined operation moved by a reorg",
          );
          watch.changed(op.id);
        }
      }),
    );
  }

  /**
   * Moves to indexed what the reads show. Without standbys that is the primary's view. With them,
   * reads come from a standby: the primary's WAL position is taken after the indexer's commit is
   * seen there, and the operations move only once every serving standby has replayed past it (one
   * that does not within the lag bound is fenced out of rotation by the same transaction).
   */
  async function markIndexed(block: bigint): Promise<string[]> {
    if (!deps.replicas) return store.markIndexed(block);
    const ready = await store.indexable(block);
    if (ready.length === 0) return [];
    const lsn = await store.walPosition();
    const t0 = Date.now();
    const missed = await deps.replicas.waitReplayed(lsn, deps.replicas.maxLagMs);
    logger.debug(
      { operations: ready, lsn, waitedMs: Date.now() - t0 },
      "standbys replayed the indexed change",
    );
    if (missed.length > 0) {
      logger.warn({ standbys: missed, lsn }, "standbys did not replay an indexed change in time; fenced out");
    }
    return store.markIndexed(block, { only: ready, fence: lsn });
  }

  /** One pass; true when operations are still open (keep polling fast). */
  async function pass(): Promise<boolean> {
    const nowMs = deps.clock().getTime();
    if (nowMs - lastExpire > EXPIRE_EVERY_MS) {
      lastExpire = nowMs;
      changed(await store.expirePrepared(new Date(nowMs - deps.preparedTtlSeconds * 1000)));
    }
    const open = await store.open();
    if (open.length === 0) return false;
    await followSubmitted(open.filter((op) => op.status === "submitted"));
    const block = await indexedBlock();
    if (block !== null) changed(await markIndexed(block));
    await recheckStale(open.filter((op) => op.status === "mined"));
    return true;
  }

  function schedule(ms: number) {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, ms);
  }

  function run() {
    timer = null;
    if (running || stopped) return;
    running = pass()
      .then(
        (busy) => schedule(busy ? deps.pollMs : IDLE_MS),
        (error) => {
          // Keep following through RPC or database hiccups; say so at most once a minute.
          if (Date.now() - lastWarn > 60_000) {
            lastWarn = Date.now();
            logger.warn({ error: loggable(error) }, "operation follower pass failed; retrying");
          }
          schedule(IDLE_MS);
        },
      )
      .finally(() => {
        running = null;
      });
  }

  return {
    start(): void {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    /** Something was submitted here: look now rather than after the idle pause. */
    wake(): void {
      if (!stopped && !running) schedule(0);
      else if (!stopped && running) void running.then(() => schedule(0));
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
}

export type OperationFollower = ReturnType<typeof operationFollower>;
