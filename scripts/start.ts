// `npm start`: the whole system on one machine. With no environment it runs everything embedded —
// a real Postgres in DATA_DIR, an anvil devnet with the DIMO test contracts and a demo history, the
// Ponder indexer and the API. DATABASE_URL and RPC_URL/DIMO_NETWORK swap in real services.

import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { createPublicClient, http } from "viem";
import { loadSecret } from "../api/lib/secret";
import { loadWalletKey } from "../api/lib/walletKey";
import { DEFAULT_WEB_DIR, startApi } from "../api/server";
import { mailboxDir } from "../api/services/console/mailer";
import { type Config, loadConfigOrExit } from "../config";
import { startDevnet } from "../devnet/devnet";
import { readChainIdentity, reconcileSyncCache } from "./runtime/chainIdentity";
import { databaseUrlWarning } from "./runtime/databaseUrlCheck";
import { DEPLOYMENT_SCHEMA_PREFIX, deploymentSchemaName, VIEWS_SCHEMA } from "./runtime/deploymentSchema";
import { EMBEDDED_DATABASE, startEmbeddedDatabase } from "./runtime/embeddedDatabase";
import { closedAncestor, passwordFileOf } from "./runtime/embeddedPostgres";
import type { PonderLog } from "./runtime/indexer";
import { runIndexerRole } from "./runtime/indexerRole";
import { onRunning } from "./runtime/supervisor";
import { ensureWebBuild } from "./web/build";

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const say = (line: string) => process.stdout.write(`[start ${elapsed()}] ${line}\n`);

const stops: Array<{ name: string; stop: () => Promise<unknown> }> = [];
let shuttingDown = false;

async function shutdown(code: number) {
  if (shuttingDown) return;
  shuttingDown = true;
  say("stopping…");
  for (const { name, stop } of stops.reverse()) {
    try {
      await stop();
    } catch (error) {
      say(`${name} did not stop cleanly: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  say("stopped");
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

/** Postgres runs as the `postgres` user when we are root: it must be able to walk to DATA_DIR. */
function assertReachableByPostgres(dir: string) {
  const closed = process.getuid?.() === 0 ? closedAncestor(dir) : null;
  if (closed) {
    throw new Error(
      `DATA_DIR: embedded Postgres runs as the 'postgres' user (it refuses root) and cannot enter ${closed}; ` +
        `run \`chmod o+x ${closed}\` or set DATA_DIR under a folder others can traverse`,
    );
  }
}

function forwardIndexerLog(entry: PonderLog) {
  const level = typeof entry.level === "number" ? entry.level : 30;
  const progress = [
    "Updated backfill indexing progress",
    "Completed backfill indexing across all chains",
    "Created database views",
    "Started live indexing",
    "Detected crash recovery",
  ];
  if (level >= 40 || progress.includes(entry.msg)) {
    const { level: _l, time: _t, msg, ...rest } = entry;
    const details = Object.entries(rest)
      .filter(([k]) => !["stack", "duration"].includes(k))
      .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
      .join(" ");
    say(`indexer: ${msg}${details ? ` (${details})` : ""}`);
  }
}

type Databases = { api: string; indexer: string; shown: string };

async function database(config: Config): Promise<Databases> {
  if (config.databaseUrl) {
    const urls = { api: config.databaseUrl, indexer: config.indexerDatabaseUrl ?? config.databaseUrl };
    say(`postgres: ${new URL(config.databaseUrl).host} (DATABASE_URL)`);
    const warning = await databaseUrlWarning(urls);
    if (warning) process.stderr.write(warning);
    return { ...urls, shown: `${new URL(urls.api).host}${new URL(urls.api).pathname}` };
  }
  const dir = path.join(config.dataDir, "postgres");
  assertReachableByPostgres(dir);
  const embedded = await startEmbeddedDatabase({ dir });
  stops.push({ name: "postgres", stop: () => embedded.server.stop() });
  say(
    `postgres: embedded at 127.0.0.1:${embedded.server.port} (data in ${dir}; API as ${embedded.roles.api.role}, ` +
      `indexer as ${embedded.roles.indexer.role}; superuser password in ${passwordFileOf(dir)})`,
  );
  return {
    api: embedded.url(embedded.roles.api),
    indexer: embedded.url(embedded.roles.indexer),
    shown: `127.0.0.1:${embedded.server.port}/${EMBEDDED_DATABASE}`,
  };
}

async function main() {
  const config = loadConfigOrExit();
  fs.mkdirSync(config.dataDir, { recursive: true });
  // Secrets first: a key file others can read stops the start before anything runs.
  loadSecret({ fromEnv: config.api.secret, fromFile: config.api.secretFile, dataDir: config.dataDir });
  loadWalletKey({
    fromEnv: config.console.walletEncryptionKey,
    fromFile: config.console.walletEncryptionKeyFile,
    dataDir: config.dataDir,
  });
  const databases = await database(config);

  let rpcUrl = config.chain.rpcUrl;
  let chain = config.chain;
  if (!rpcUrl) {
    const devnet = await startDevnet({
      dataDir: config.dataDir,
      port: config.devnet.port,
      blockTime: config.devnet.blockTime,
      log: say,
    });
    stops.push({ name: "devnet", stop: devnet.stop });
    rpcUrl = devnet.rpcUrl;
    chain = { ...chain, rpcUrl, startBlock: config.chain.startBlock || devnet.deployment.startBlock };
    say(`devnet: anvil at ${rpcUrl} (chain 31337); contracts ${JSON.stringify(devnet.deployment)}`);
  } else {
    say(
      `chain: ${chain.network} (${chain.chainId}) via ${new URL(rpcUrl).host}, from block ${chain.startBlock}`,
    );
  }

  const identity = await readChainIdentity(rpcUrl);
  if (identity.chainId !== chain.chainId) {
    throw new Error(
      `RPC_URL: serves chain ${identity.chainId}, but ${chain.network} is chain ${chain.chainId}`,
    );
  }
  // The indexer's login owns the chain cache and the deployment schemas this bookkeeping touches.
  const indexerDb = new pg.Pool({ connectionString: databases.indexer, max: 2 });
  if (await reconcileSyncCache(indexerDb, identity, DEPLOYMENT_SCHEMA_PREFIX)) {
    say(
      `postgres: chain ${identity.chainId} has a new genesis; dropped the old chain's cached data and tables`,
    );
  }

  await indexerDb.end();

  const schema = deploymentSchemaName(chain, identity);
  // Supervised: Ponder exits when the database stays unreachable for about a minute (or on anything
  // fatal); it is started again on the same schema and resumes from its checkpoint. After a code
  // change the views keep reading the previous deployment until this one has caught up with it.
  const role = await runIndexerRole({
    databaseUrl: databases.indexer,
    env: {
      ...process.env,
      DATABASE_URL: databases.indexer,
      RPC_URL: rpcUrl,
      DIMO_NETWORK: chain.network,
      CHAIN_ID: String(chain.chainId),
      START_BLOCK: String(chain.startBlock),
    },
    schema,
    viewsSchema: VIEWS_SCHEMA,
    schemaPrefix: DEPLOYMENT_SCHEMA_PREFIX,
    port: config.indexerPort,
    say,
    onLog: forwardIndexerLog,
  });
  stops.push({ name: "indexer", stop: () => role.stop() });
  // Another indexer (a newer version, `npm run start:indexer`) took the views over: ours stopped;
  // the API goes on serving what that one indexes.
  void role.superseded.then((by) => say(`indexer: stopped, ${by} indexes now; the API keeps serving`));
  say(`indexer: Ponder on http://127.0.0.1:${config.indexerPort} (schema ${schema}, views ${VIEWS_SCHEMA})`);

  // The console web app: built now when web/ changed since the last build (or never was).
  let webDir: string | null = DEFAULT_WEB_DIR;
  try {
    await ensureWebBuild({ log: say });
  } catch (error) {
    webDir = null;
    say(
      `web: not built (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); the API runs without it`,
    );
  }
  const api = await startApi({ config, databaseUrl: databases.api, rpcUrl, webDir });
  stops.push({ name: "api", stop: api.stop });
  say(`api: listening on ${api.url}`);

  await role.serving;
  const head = await createPublicClient({ transport: http(rpcUrl), cacheTime: 0 }).getBlockNumber();
  await onRunning(role.supervisor, (indexer) => indexer.waitForBlock(head, 10 * 60_000));

  say(`ready: indexed through block ${head}`);
  if (webDir) say(`  console    ${config.publicUrl}   (open it in a browser)`);
  say(`  API        ${api.url}   (docs ${api.url}/docs, status ${api.url}/status)`);
  say(`  analysts   http://127.0.0.1:${config.indexerPort}/graphql  and  /sql/*`);
  const mail = config.console.mail;
  say(
    `  mail       ${mail === "smtp" ? `SMTP via ${new URL(config.console.smtpUrl!).host}` : mail === "mailbox" ? `dev mailbox ${mailboxDir(config.dataDir)} (sign-in codes are read there)` : "off: no SMTP_URL, email sign-in answers 503"}`,
  );
  say(`  postgres   ${databases.shown}  (views schema "${VIEWS_SCHEMA}"; npm run analyst-role for a login)`);
  say("Ctrl-C stops everything.");
}

main().catch((error) => {
  process.stderr.write(`\nstart failed: ${error instanceof Error ? error.message : String(error)}\n`);
  void shutdown(1);
});
