import pg from "pg";
import { type AnvilInstance, startAnvil } from "../../devnet/anvil";
import { cassetteChain } from "../../devnet/demoChain";
import { type Deployment, deployDimo } from "../../devnet/deploy";
import { createChain, type ScenarioChain } from "../../devnet/scenario";
import { indexerEnv } from "../../scripts/replay/syncRun";
import { VIEWS_SCHEMA } from "../../scripts/runtime/deploymentSchema";
import { type IndexerProcess, type PonderLog, startIndexer } from "../../scripts/runtime/indexer";
import { createTestDatabase, type TestDatabase } from "./database";

export type Stack = {
  anvil: AnvilInstance;
  deployment: Deployment;
  chain: ScenarioChain;
  /** The suite's database, with the API's and the indexer's own logins (db.apiUrl, db.indexerUrl). */
  db: TestDatabase;
  /** An admin pool on the test database; queries read the `dimo` views schema like the API does. */
  pool: pg.Pool;
  indexer: IndexerProcess;
  /** Environment that points any part at this chain and database (DATABASE_URL: the indexer's login). */
  env: Record<string, string>;
  /** Waits until the indexer has processed the chain's current head. */
  synced(): Promise<bigint>;
  stop(): Promise<void>;
};

/**
 * anvil + the DIMO test contracts + a fresh database + the real Ponder indexer, pointed at the
 * contracts the way an outside deployment would be (DIMO_NETWORK=custom, addresses, START_BLOCK).
 * `before` runs against the chain before the indexer starts (its events are backfilled).
 */
export async function startStack(
  opts: {
    before?: (chain: ScenarioChain) => Promise<void>;
    blockTime?: number;
    logs?: (e: PonderLog) => void;
  } = {},
): Promise<Stack> {
  const anvil = await startAnvil(opts.blockTime ? { blockTime: opts.blockTime } : {});
  const cleanup: Array<() => Promise<unknown>> = [() => anvil.stop()];
  try {
    const deployment = await deployDimo(anvil.rpcUrl);
    const chain = createChain(anvil.rpcUrl, deployment);
    await opts.before?.(chain);
    const db = await createTestDatabase("stack", { appRoles: true });
    cleanup.unshift(() => db.drop());
    // The indexer runs as its own role, as under npm start: what it cannot do shows up here.
    const env = indexerEnv(cassetteChain(deployment), anvil.rpcUrl, db.indexerUrl);
    const indexer = await startIndexer({
      env,
      schema: "idx_test",
      viewsSchema: VIEWS_SCHEMA,
      ...(opts.logs ? { onLog: opts.logs } : {}),
    });
    cleanup.unshift(() => indexer.stop());
    const pool = new pg.Pool({ connectionString: db.url, max: 4 });
    cleanup.unshift(() => pool.end());
    await indexer.waitForReady();
    const synced = async () => {
      const head = await chain.blockNumber();
      await indexer.waitForBlock(head);
      return head;
    };
    await synced();
    return {
      anvil,
      deployment,
      chain,
      db,
      pool,
      indexer,
      env,
      synced,
      stop: async () => {
        for (const fn of cleanup) await fn().catch(() => {});
      },
    };
  } catch (error) {
    for (const fn of cleanup) await fn().catch(() => {});
    throw error;
  }
}
