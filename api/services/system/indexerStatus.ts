import { z } from "@hono/zod-openapi";
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { ReadReplicas } from "../../db/replicas";
import { unavailableReason } from "../../db/unavailable";
import type { ChainHead } from "../../lib/chainHead";

/** A hot standby as GET /status shows it (api/db/replicas.ts). */
export const StandbyStatus = z
  .object({
    name: z
      .string()
      .openapi({ description: "`standby-1`… in DATABASE_READ_URL order", example: "standby-1" }),
    state: z.enum(["serving", "lagging", "behind", "down", "not_standby"]).openapi({
      description:
        "`serving`: public reads go here; `lagging`: further behind than DATABASE_READ_MAX_LAG_MS; " +
        "`behind`: has not replayed the last operation marked indexed; `down`: unreachable; " +
        "`not_standby`: not in recovery (never read from)",
    }),
    lagMs: z.number().int().nullable().openapi({
      description: "How long the primary has had WAL this standby has not replayed (0: caught up)",
    }),
    lagBytes: z.number().int().nullable(),
  })
  .openapi("StandbyStatus");

/** GET /status's answer. */
export const Status = z
  .object({
    chainId: z.number().int(),
    indexedBlock: z.number().int().nullable(),
    headBlock: z.number().int().nullable(),
    lagBlocks: z.number().int().nullable(),
    ready: z.boolean(),
    standbys: z.array(StandbyStatus).optional().openapi({
      description:
        "Hot standbys for public reads (only with DATABASE_READ_URL); reads use the primary while none serves",
    }),
  })
  .openapi("Status");

/** The hot standbys' states, for /status. */
export type ReplicaStatusSource = Pick<ReadReplicas, "status">;

export type IndexerStatus = Omit<z.infer<typeof Status>, "standbys"> & {
  /** Why not ready, for /ready's 503; null when ready. */
  reason: string | null;
};

/**
 * Ponder's checkpoint: timestamp(10) · chainId(16) · block(16) · txIndex(16) · eventType(1) ·
 * eventIndex(16), fixed-width decimal. Null when the text is not one.
 */
export function decodeCheckpoint(checkpoint: string): { chainId: bigint; blockNumber: bigint } | null {
  if (!/^\d{75}$/.test(checkpoint)) return null;
  return { chainId: BigInt(checkpoint.slice(10, 26)), blockNumber: BigInt(checkpoint.slice(26, 42)) };
}

export function indexerStatusService(deps: {
  db: Kysely<Database>;
  chain: ChainHead;
  chainId: number;
  maxLagBlocks: number;
}) {
  /** Ponder's readiness flag and indexed block; null while the views schema does not exist. */
  async function indexed(): Promise<{ isReady: boolean; block: bigint | null } | null> {
    try {
      const [meta, checkpoints] = await Promise.all([
        deps.db.selectFrom("dimo._ponder_meta").select("value").where("key", "=", "app").executeTakeFirst(),
        deps.db.selectFrom("dimo._ponder_checkpoint").select("latest_checkpoint").execute(),
      ]);
      const mine = checkpoints
        .map((c) => decodeCheckpoint(c.latest_checkpoint))
        .find((c) => c !== null && c.chainId === BigInt(deps.chainId));
      return { isReady: Number(meta?.value?.["is_ready"]) === 1, block: mine?.blockNumber ?? null };
    } catch (error) {
      if (unavailableReason(error) === "views_missing") return null;
      throw error;
    }
  }

  return {
    async status(): Promise<IndexerStatus> {
      const [state, head] = await Promise.all([indexed(), deps.chain.headBlock().catch(() => null)]);
      const indexedBlock = state?.block ?? null;
      const lag =
        indexedBlock !== null && head !== null ? (head > indexedBlock ? head - indexedBlock : 0n) : null;
      let reason: string | null = null;
      if (state === null) reason = "The indexer has not created its views yet (still backfilling)";
      else if (!state.isReady) reason = "The indexer is still backfilling historical blocks";
      else if (indexedBlock === null) reason = `The indexer has no checkpoint for chain ${deps.chainId}`;
      else if (head === null) reason = "The chain head is unknown: the RPC endpoint does not answer";
      else if (lag !== null && lag > BigInt(deps.maxLagBlocks)) {
        reason = `The indexer is ${lag} blocks behind the chain head (at most ${deps.maxLagBlocks} allowed)`;
      }
      return {
        chainId: deps.chainId,
        indexedBlock: indexedBlock === null ? null : Number(indexedBlock),
        headBlock: head === null ? null : Number(head),
        lagBlocks: lag === null ? null : Number(lag),
        ready: reason === null,
        reason,
      };
    },
  };
}

export type IndexerStatusService = ReturnType<typeof indexerStatusService>;
