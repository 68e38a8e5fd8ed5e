// `npm run replay -- <cassette> [--json]`: serves a cassette as a local JSON-RPC endpoint, syncs the
// indexer from it on a fresh database (embedded unless DATABASE_URL names a server) and prints the
// state digest. `--serve [--port N]` only serves the cassette until Ctrl-C.

import { parseArgs } from "node:util";
import { progress, runMain } from "./lib/cli";
import { formatDigest, stateDigest } from "./replay/digest";
import { serveCassette } from "./replay/rpcReplay";
import { freshDatabase, syncIndexer } from "./replay/syncRun";

const say = progress("replay");

runMain("replay", async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { json: { type: "boolean" }, serve: { type: "boolean" }, port: { type: "string" } },
  });
  const file = positionals[0];
  if (!file) throw new Error("usage: npm run replay -- <cassette.ndjson[.gz]> [--json] [--serve --port N]");
  const server = await serveCassette(file, {
    ...(values.port ? { port: Number(values.port) } : {}),
    log: say,
  });
  const { header } = server;
  say(`serving ${file} (chain ${header.chain.chainId}, head ${BigInt(header.head)}) at ${server.rpcUrl}`);
  if (values.serve) {
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await server.stop();
    return;
  }
  const db = await freshDatabase(process.env.DATABASE_URL ?? null, "replay");
  try {
    const synced = await syncIndexer({
      chain: header.chain,
      rpcUrl: server.rpcUrl,
      databaseUrl: db.url,
      head: BigInt(header.head),
      schema: "idx_replay",
      onProgress: (block) => say(`indexed ${block ?? "-"}/${BigInt(header.head)}`),
    });
    try {
      const digest = await stateDigest(synced.pool);
      say(
        `synced in ${(synced.syncedMs / 1000).toFixed(1)}s (ready after ${(synced.readyMs / 1000).toFixed(1)}s)`,
      );
      if (server.misses.length)
        throw new Error(`${server.misses.length} request(s) had no answer in the cassette`);
      const same = header.digest === undefined ? null : header.digest === digest.sha256;
      if (values.json) {
        process.stdout.write(
          `${JSON.stringify({ ...digest, recordedDigest: header.digest ?? null, same })}\n`,
        );
      } else {
        process.stdout.write(formatDigest(digest));
        if (same !== null) {
          say(
            same ? "same digest as the recording" : `the recording's digest was ${header.digest} (different)`,
          );
        }
      }
    } finally {
      await synced.stop();
    }
  } finally {
    await db.drop();
    await server.stop();
  }
});
