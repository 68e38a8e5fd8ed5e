import type { Page } from "../../lib/shapes";
import { isoFromSeconds } from "../../lib/time";
import { DEFAULT_LIMIT, type ServiceContext } from "./context";
import type { HistoryItem } from "./schemas";
import { toNumber } from "./shape";

export function eventService(ctx: ServiceContext) {
  return {
    /** A license's history, oldest first; keyset on (block, log index), the order the chain gives. */
    async ofLicense(tokenId: string, page: { limit?: number; cursor?: string }): Promise<Page<HistoryItem>> {
      const limit = page.limit ?? DEFAULT_LIMIT;
      const filters = { tokenId };
      let query = ctx.db
        .selectFrom("dimo.license_event as e")
        .select((eb) => [
          "e.type",
          eb.cast<string>("e.block_number", "text").as("block_number"),
          "e.tx_hash",
          "e.log_index",
          eb.cast<string>("e.timestamp", "text").as("timestamp"),
          "e.args",
        ])
        .where("e.token_id", "=", tokenId);
      if (page.cursor !== undefined) {
        const [block, logIndex] = ctx.cursors.decode(page.cursor, "licenseEvents", filters, 2);
        query = query.where((eb) =>
          eb(eb.refTuple("e.block_number", "e.log_index"), ">", eb.tuple(block!, Number(logIndex))),
        );
      }
      const rows = await query
        .orderBy("e.block_number")
        .orderBy("e.log_index")
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit).map(
        (r): HistoryItem => ({
          type: r.type,
          blockNumber: toNumber(r.block_number),
          txHash: r.tx_hash.toLowerCase(),
          logIndex: r.log_index,
          timestamp: isoFromSeconds(r.timestamp),
          args: r.args,
        }),
      );
      const last = rows.length > limit ? rows[limit - 1] : undefined;
      return {
        items,
        nextCursor: last
          ? ctx.cursors.encode("licenseEvents", filters, [last.block_number, String(last.log_index)])
          : null,
      };
    },
  };
}

export type EventService = ReturnType<typeof eventService>;
