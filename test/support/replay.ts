import type { CassetteChain } from "../../scripts/lib/cassette";
import { type StateDigest, stateDigest } from "../../scripts/lib/digest";
import { syncIndexer } from "../../scripts/lib/syncRun";
import { createTestDatabase } from "./database";

export { type CassetteIndex, replayCassette, serveCassette } from "../../scripts/lib/rpcReplay";

/**
 * Syncs the real indexer from `rpcUrl` (a chain or a replayed cassette) on a fresh test database up
 * to `head`, and returns the state digest of the `dimo` views.
 */
export async function syncedDigest(rpcUrl: string, chain: CassetteChain, head: bigint): Promise<StateDigest> {
  const db = await createTestDatabase("digest");
  try {
    const synced = await syncIndexer({ chain, rpcUrl, databaseUrl: db.url, head, timeoutMs: 120_000 });
    try {
      return await stateDigest(synced.pool);
    } finally {
      await synced.stop();
    }
  } finally {
    await db.drop();
  }
}
