import type { CassetteChain } from "../../scripts/replay/cassette";
import { type StateDigest, stateDigest } from "../../scripts/replay/digest";
import { type SyncedIndexer, syncIndexer } from "../../scripts/replay/syncRun";
import { createTestDatabase } from "./database";

export { serveCassette } from "../../scripts/replay/rpcReplay";

/**
 * Syncs the real indexer from `rpcUrl` (a chain or a replayed cassette) on a fresh test database up
 * to `head`, and returns the state digest of the `dimo` views.
 */
export async function syncedDigest(
  rpcUrl: string,
  chain: CassetteChain,
  head: bigint,
  /** Runs against the synced indexer before it stops (e.g. to query its HTTP endpoints). */
  inspect?: (synced: SyncedIndexer) => Promise<void>,
): Promise<StateDigest> {
  const db = await createTestDatabase("digest");
  try {
    const synced = await syncIndexer({ chain, rpcUrl, databaseUrl: db.url, head, timeoutMs: 120_000 });
    try {
      await inspect?.(synced);
      return await stateDigest(synced.pool);
    } finally {
      await synced.stop();
    }
  } finally {
    await db.drop();
  }
}
