import type pg from "pg";
import { createPublicClient, type Hash, http } from "viem";

/** What makes a chain the same chain: its id and its genesis block. A fresh anvil has a new genesis. */
export type ChainIdentity = { chainId: number; genesisHash: Hash };

export async function readChainIdentity(rpcUrl: string): Promise<ChainIdentity> {
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 2 }), cacheTime: 0 });
  const [chainId, genesis] = await Promise.all([client.getChainId(), client.getBlock({ blockNumber: 0n })]);
  return { chainId, genesisHash: genesis.hash };
}

/**
 * Ponder caches raw chain data per database in `ponder_sync`, keyed by chain id and block number,
 * and trusts it on the next sync. Pointed at a *different* chain with the same id (a fresh anvil,
 * a re-created devnet), it would replay the old chain's events. So we remember each chain id's
 * genesis and, when it changes, delete that chain id's rows from every ponder_sync table and drop
 * the indexer deployment schemas built from the old chain. Returns true when something was reset.
 */
export async function reconcileSyncCache(
  db: pg.Pool | pg.Client,
  identity: ChainIdentity,
  deploymentSchemaPrefix: string,
): Promise<boolean> {
  await db.query(`CREATE SCHEMA IF NOT EXISTS dimo_runtime`);
  await db.query(
    `CREATE TABLE IF NOT EXISTS dimo_runtime.chain (
       chain_id bigint PRIMARY KEY,
       genesis_hash text NOT NULL,
       seen_at timestamptz NOT NULL DEFAULT now()
     )`,
  );
  const { rows } = await db.query<{ genesis_hash: string }>(
    `SELECT genesis_hash FROM dimo_runtime.chain WHERE chain_id = $1`,
    [identity.chainId],
  );
  const known = rows[0]?.genesis_hash;
  if (known === identity.genesisHash) return false;

  let reset = false;
  if (known !== undefined) {
    const { rows: tables } = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns
        WHERE table_schema = 'ponder_sync' AND column_name = 'chain_id'`,
    );
    for (const { table_name } of tables) {
      await db.query(`DELETE FROM ponder_sync."${table_name}" WHERE chain_id = $1`, [identity.chainId]);
    }
    const { rows: schemas } = await db.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`,
      [`${deploymentSchemaPrefix}%`],
    );
    for (const { nspname } of schemas) await db.query(`DROP SCHEMA "${nspname}" CASCADE`);
    reset = true;
  }
  await db.query(
    `INSERT INTO dimo_runtime.chain (chain_id, genesis_hash) VALUES ($1, $2)
     ON CONFLICT (chain_id) DO UPDATE SET genesis_hash = EXCLUDED.genesis_hash, seen_at = now()`,
    [identity.chainId, identity.genesisHash],
  );
  return reset;
}
