import { type ExpressionBuilder, type Kysely, type Selectable, sql, type Transaction } from "kysely";
import { getAddress } from "viem";
import type { Database } from "../../../db/database";
import type { OperationTable } from "../../../db/operationTables";
import { ConflictError, NotFoundError, RateLimitedError } from "../../../errors";
import type { Operation, OperationKind } from "../schemas";
import type { TxRequest } from "./calls";
import type { OperationError, OperationStatus } from "./types";

type Row = Selectable<OperationTable>;

export type NewOperation = {
  accountId: string;
  kind: OperationKind;
  wallet: { address: string; kind: "managed" | "external" };
  chainId: number;
  tx: TxRequest;
  params: Record<string, unknown>;
  tokenId?: bigint | null;
  /** An alias this operation claims until it is indexed or fails (unique among open operations). */
  alias?: string | null;
};

const OPEN: OperationStatus[] = ["prepared", "submitted", "mined"];
/** Unsent prepared operations are counted over this window (insertPrepared). */
const UNSENT_WINDOW_MS = 86_400_000;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function shapeOperation(row: Row): Operation {
  return {
    id: row.id,
    kind: row.kind as OperationKind,
    status: row.status,
    txHash: row.tx_hash,
    error: row.error,
    wallet: { address: getAddress(row.wallet_address), kind: row.wallet_kind },
    tokenId: row.token_id === null ? null : Number(row.token_id),
    params: row.params,
    result: row.result,
    transaction: {
      chainId: Number(row.chain_id),
      to: getAddress(row.to_address),
      data: row.data,
      value: row.value,
      nonce: row.nonce === null ? null : Number(row.nonce),
    },
    blockNumber: row.block_number === null ? null : Number(row.block_number),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    submittedAt: iso(row.submitted_at),
    minedAt: iso(row.mined_at),
    indexedAt: iso(row.indexed_at),
  };
}

const isUniqueViolation = (error: unknown, constraint: string) =>
  typeof error === "object" &&
  error !== null &&
  (error as { code?: string }).code === "23505" &&
  (error as { constraint?: string }).constraint === constraint;

/** The condition of an operation the API's reads show (see markIndexed), on `o`. */
function showsIndexed(eb: ExpressionBuilder<Database & { o: OperationTable }, "o">, indexedBlock: bigint) {
  return eb.and([
    eb("o.status", "=", "mined"),
    eb("o.block_number", "<=", indexedBlock.toString()),
    eb.or([
      eb("o.kind", "in", ["approve_dimo", "buy_dcx", "devnet_faucet"]),
      eb.exists(
        eb
          .selectFrom("dimo.license_event as e")
          .select(sql`1`.as("one"))
          .whereRef("e.block_number", "=", sql`o.block_number`)
          .whereRef("e.tx_hash", "=", "o.tx_hash"),
      ),
    ]),
  ]);
}

/** The operations table: inserts, reads and the conditional status moves (safe across replicas). */
export function operationStore(db: Kysely<Database>, clock: () => Date) {
  const columns = "console.operations" as const;

  async function insertWith(trx: Kysely<Database>, op: NewOperation): Promise<Row> {
    const now = clock();
    try {
      return (await trx
        .insertInto(columns)
        .values({
          account_id: op.accountId,
          kind: op.kind,
          status: "prepared",
          wallet_address: op.wallet.address.toLowerCase(),
          wallet_kind: op.wallet.kind,
          chain_id: op.chainId,
          to_address: op.tx.to.toLowerCase(),
          data: op.tx.data,
          value: op.tx.value,
          params: JSON.stringify(op.params),
          token_id: op.tokenId ?? null,
          alias: op.alias ?? null,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow()) as Row;
    } catch (error) {
      if (isUniqueViolation(error, "operations_open_alias")) {
        throw new ConflictError(
          `The alias ${JSON.stringify(op.alias)} is pending in another operation; wait for it to finish or pick another`,
          { reason: "alias_pending" },
        );
      }
      throw error;
    }
  }

  return {
    insert: (op: NewOperation): Promise<Row> => insertWith(db, op),

    /**
     * Stores a prepared (external-wallet) operation unless the account already left `max` of them
     * unsent in the last 24 hours — waiting, expired or cancelled alike, so neither cancelling nor
     * letting one expire frees a place early: an account cannot park aliases, one after another,
     * forever. Counted and inserted under a per-account lock, so concurrent requests cannot overshoot.
     */
    async insertPrepared(op: NewOperation, max: number): Promise<Row> {
      return db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`prepared:${op.accountId}`}, 0))`.execute(
          trx,
        );
        const now = clock();
        const unsent = await trx
          .selectFrom(columns)
          .select((eb) => [eb.fn.countAll<string>().as("n"), eb.fn.min("created_at").as("oldest")])
          .where("account_id", "=", op.accountId)
          .where("wallet_kind", "=", "external")
          .where("tx_hash", "is", null)
          .where("created_at", ">", new Date(now.getTime() - UNSENT_WINDOW_MS))
          .executeTakeFirstOrThrow();
        if (Number(unsent.n) >= max) {
          const oldest = unsent.oldest ? new Date(unsent.oldest).getTime() : now.getTime();
          throw new RateLimitedError(
            `${max} prepared operations of this account went unsent in the last 24 hours (waiting, expired or ` +
              "cancelled): send the ones waiting for your wallet, or try again later",
            Math.max(1, Math.ceil((oldest + UNSENT_WINDOW_MS - now.getTime()) / 1000)),
          );
        }
        return insertWith(trx, op);
      });
    },

    async get(id: string): Promise<Row | null> {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
      return (
        ((await db.selectFrom(columns).selectAll().where("id", "=", id).executeTakeFirst()) as Row) ?? null
      );
    },

    /** One of the account's operations, or 404 (another account's id is answered the same). */
    async getOwned(accountId: string, id: string): Promise<Row> {
      const row = await this.get(id);
      if (!row || row.account_id !== accountId) throw new NotFoundError(`No operation ${id}`);
      return row;
    },

    async listOwned(accountId: string, limit: number): Promise<Row[]> {
      return (await db
        .selectFrom(columns)
        .selectAll()
        .where("account_id", "=", accountId)
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(limit)
        .execute()) as Row[];
    },

    /** prepared → submitted, with the hash (inside the sender's lock transaction for managed wallets). */
    async markSubmitted(
      trx: Kysely<Database> | Transaction<Database>,
      id: string,
      txHash: string,
      nonce: number,
    ): Promise<boolean> {
      const now = clock();
      const r = await trx
        .updateTable(columns)
        .set({
          status: "submitted",
          tx_hash: txHash.toLowerCase(),
          nonce,
          submitted_at: now,
          updated_at: now,
        })
        .where("id", "=", id)
        .where("status", "=", "prepared")
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    /**
     * A managed wallet's operation, signed: submitted with its hash, nonce and bytes, committed
     * BEFORE the node is sent them (write-ahead; see sender.ts). A re-signed attempt (the node said
     * "nonce too low") replaces the one the node refused.
     */
    async markSigned(id: string, txHash: string, nonce: number, rawTx: string): Promise<boolean> {
      const now = clock();
      const r = await db
        .updateTable(columns)
        .set({
          status: "submitted",
          tx_hash: txHash.toLowerCase(),
          nonce,
          raw_tx: rawTx,
          submitted_at: now,
          updated_at: now,
        })
        .where("id", "=", id)
        .where((eb) =>
          eb.or([
            eb("status", "=", "prepared"),
            eb.and([eb("status", "=", "submitted"), eb("raw_tx", "is not", null)]),
          ]),
        )
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    /** submitted → mined (once, whichever follower sees the receipt first). */
    async markMined(
      id: string,
      mined: { blockNumber: bigint; result?: Record<string, unknown>; tokenId?: bigint },
    ): Promise<boolean> {
      const now = clock();
      const r = await db
        .updateTable(columns)
        .set({
          status: "mined",
          block_number: mined.blockNumber,
          mined_at: now,
          updated_at: now,
          ...(mined.result ? { result: JSON.stringify(mined.result) } : {}),
          ...(mined.tokenId !== undefined ? { token_id: mined.tokenId } : {}),
        })
        .where("id", "=", id)
        .where("status", "=", "submitted")
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    /**
     * A mined operation whose receipt moved (a reorg put the transaction in another block) or
     * vanished (back to submitted, to be mined again): the follower re-checks stale mined rows.
     */
    async remine(id: string, blockNumber: bigint | null): Promise<boolean> {
      const now = clock();
      const r = await db
        .updateTable(columns)
        .set(
          blockNumber === null
            ? { status: "submitted", block_number: null, mined_at: null, updated_at: now }
            : { block_number: blockNumber, updated_at: now },
        )
        .where("id", "=", id)
        .where("status", "=", "mined")
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    /** Any open status → failed, with the reason; a finished operation is left alone. */
    async markFailed(id: string, error: OperationError, blockNumber?: bigint): Promise<boolean> {
      const now = clock();
      const r = await db
        .updateTable(columns)
        .set({
          status: "failed",
          error: JSON.stringify(error),
          updated_at: now,
          ...(blockNumber !== undefined ? { block_number: blockNumber, mined_at: now } : {}),
        })
        .where("id", "=", id)
        .where("status", "in", OPEN)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    /** Mined operations the API's own reads now show (see markIndexed), without moving them. */
    async indexable(indexedBlock: bigint): Promise<string[]> {
      const rows = await db
        .selectFrom(`${columns} as o`)
        .select("o.id")
        .where((eb) => showsIndexed(eb, indexedBlock))
        .execute();
      return rows.map((r) => r.id);
    },

    /** The primary's WAL position now: every commit visible to this session lies before it. */
    async walPosition(): Promise<string> {
      const { rows } = await sql<{ lsn: string }>`SELECT pg_current_wal_flush_lsn()::text AS lsn`.execute(db);
      return rows[0]!.lsn;
    },

    /**
     * mined → indexed for every operation the API's own reads now show: the indexer has passed
     * its block, and (for license writes) the license history holds its transaction — every
     * DevLicense event lands in dimo.license_event in the same indexer commit as the rows it
     * changes. Writes the indexer does not follow (DIMO/DCX) are read over RPC: mined is enough.
     * With hot standbys, `only` the operations they were seen to have replayed, and the read fence
     * moves to `fence` in the same transaction (api/db/replicas.ts).
     */
    async markIndexed(
      indexedBlock: bigint,
      opts: { only?: string[]; fence?: string } = {},
    ): Promise<string[]> {
      const now = clock();
      const mark = async (trx: Kysely<Database> | Transaction<Database>) => {
        let q = trx
          .updateTable(`${columns} as o`)
          .set({ status: "indexed", indexed_at: now, updated_at: now })
          .where((eb) => showsIndexed(eb, indexedBlock));
        if (opts.only) q = q.where("o.id", "in", opts.only);
        const rows = await q.returning("o.id").execute();
        return rows.map((r) => r.id);
      };
      if (opts.only?.length === 0) return [];
      if (opts.fence === undefined) return mark(db);
      const fence = opts.fence;
      return db.transaction().execute(async (trx) => {
        await trx
          .updateTable("console.read_fence")
          .set({ lsn: sql<string>`greatest(lsn, ${fence}::pg_lsn)` })
          .execute();
        return mark(trx);
      });
    },

    /** Open operations the follower works on, oldest first (bounded). */
    async open(limit = 500): Promise<Row[]> {
      return (await db
        .selectFrom(columns)
        .selectAll()
        .where("status", "in", ["submitted", "mined"])
        .orderBy("updated_at")
        .limit(limit)
        .execute()) as Row[];
    },

    /** Prepared operations nobody sent in time: failed, freeing any alias they reserved. */
    async expirePrepared(olderThan: Date): Promise<string[]> {
      const now = clock();
      const rows = await db
        .updateTable(columns)
        .set({
          status: "failed",
          error: JSON.stringify({
            code: "expired",
            message: "Not submitted in time; start the operation again",
          }),
          updated_at: now,
        })
        .where("status", "=", "prepared")
        .where("created_at", "<", olderThan)
        .returning("id")
        .execute();
      return rows.map((r) => r.id);
    },
  };
}

export type OperationStore = ReturnType<typeof operationStore>;
export type OperationRow = Row;
