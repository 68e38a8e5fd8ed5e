// `npm run digest [-- --json] [--schema dimo]`: the state digest of the indexed tables (see
// scripts/replay/digest.ts) of the configured database — DATABASE_URL, or the embedded default database
// `dimo` in DATA_DIR/postgres (the one `npm start` uses; reached while it runs, started briefly if not).

import { parseArgs } from "node:util";
import pg from "pg";
import { loadConfigOrExit } from "../config";
import { runMain } from "./lib/cli";
import { formatDigest, stateDigest } from "./replay/digest";
import { configuredDatabase } from "./runtime/configuredDatabase";
import { VIEWS_SCHEMA } from "./runtime/deploymentSchema";

runMain("digest", async () => {
  const { values } = parseArgs({
    options: { json: { type: "boolean" }, schema: { type: "string", default: VIEWS_SCHEMA } },
  });
  const config = loadConfigOrExit();
  const db = await configuredDatabase(config, "api");
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  try {
    const digest = await stateDigest(pool, values.schema);
    process.stdout.write(values.json ? `${JSON.stringify(digest, null, 2)}\n` : formatDigest(digest));
  } finally {
    await pool.end();
    await db.stop();
  }
});
