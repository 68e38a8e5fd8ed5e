// `npm run start:indexer`: the indexer role on its own (docs/deploy.md) — one supervised Ponder for
// this code on DATABASE_URL and RPC_URL, with no API. It is also the indexer upgrade: started from a
// new version next to the running one, it backfills into its own deployment schema while the old
// one keeps serving through the `dimo` views, switches the views once it has caught up, and the old
// indexer (this same command, older code) sees that, stops, and exits 0. Its schema is then dropped.
//
//   npm run start:indexer [-- --schema idx_<name>]   # --schema: rebuild into a named schema

import { parseArgs } from "node:util";
import pg from "pg";
import { loadConfigOrExit } from "../config";
import { progress } from "./lib/cli";
import { readChainIdentity, reconcileSyncCache } from "./runtime/chainIdentity";
import { DEPLOYMENT_SCHEMA_PREFIX, deploymentSchemaName, VIEWS_SCHEMA } from "./runtime/deploymentSchema";
import { runIndexerRole } from "./runtime/indexerRole";

const say = progress("indexer");

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { schema: { type: "string" } } });
  const config = loadConfigOrExit();
  const fail = (line: string) => {
    process.stderr.write(`Invalid configuration: ${line}\n`);
    return 1;
  };
  // The indexer's own login when there is one (INDEXER_DATABASE_URL), as npm start does.
  const databaseUrl = config.indexerDatabaseUrl ?? config.databaseUrl;
  if (!databaseUrl) return fail("DATABASE_URL: required to run the indexer on its own");
  const rpcUrl = config.chain.rpcUrl;
  if (!rpcUrl) return fail("RPC_URL: required to run the indexer on its own");
  if (values.schema !== undefined && !/^idx_[a-z0-9_]{1,41}$/.test(values.schema)) {
    return fail(`--schema: must be idx_ and up to 41 of a-z, 0-9, _ (got ${JSON.stringify(values.schema)})`);
  }
  const chain = config.chain;
  const identity = await readChainIdentity(rpcUrl);
  if (identity.chainId !== chain.chainId) {
    return fail(`RPC_URL: serves chain ${identity.chainId}, but ${chain.network} is chain ${chain.chainId}`);
  }
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    if (await reconcileSyncCache(admin, identity, DEPLOYMENT_SCHEMA_PREFIX)) {
      say(`chain ${identity.chainId} has a new genesis; dropped the old chain's cached data and tables`);
    }
  } finally {
    await admin.end();
  }

  const schema = values.schema ?? deploymentSchemaName(chain, identity);
  const role = await runIndexerRole({
    databaseUrl,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    schema,
    viewsSchema: VIEWS_SCHEMA,
    schemaPrefix: DEPLOYMENT_SCHEMA_PREFIX,
    port: config.indexerPort,
    say,
    onLog: (entry) => {
      const level = typeof entry.level === "number" ? entry.level : 30;
      if (level >= 40 || entry.msg === "Completed backfill indexing across all chains")
        say(`ponder: ${entry.msg}`);
    },
  });
  say(`Ponder on http://127.0.0.1:${config.indexerPort} (schema ${schema}, views ${VIEWS_SCHEMA})`);

  return new Promise<number>((resolve) => {
    const shutdown = (signal: NodeJS.Signals) => {
      say(`${signal}: stopping`);
      role.stop().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
    // A newer indexer took the views over: we are done, and must not be restarted.
    void role.superseded.then((by) => {
      say(`superseded by ${by}: exiting`);
      resolve(0);
    });
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`indexer failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
