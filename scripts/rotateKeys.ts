// `npm run rotate-keys`: makes a new current token signing key and retires the current one. The
// retired key stays published at /keys (and accepted) until every token it may have signed has
// expired; keys retired longer ago than that are deleted. Running APIs pick the new key up within
// 30 s (and at once when they meet a token signed with it). Prints kids only, never key material.

import pino from "pino";
import { createDatabase } from "../api/db/database";
import { migrateToLatest } from "../api/db/migrate";
import { loadSecret } from "../api/lib/secret";
import { signingKeys } from "../api/services/loginWithDimo/signingKeys";
import { loadConfigOrExit } from "../config";
import { configuredDatabase } from "./runtime/configuredDatabase";

async function main() {
  const config = loadConfigOrExit();
  // As the API: the signing keys are its tables, and anything a migration creates must be its own.
  const database = await configuredDatabase(config, "api");
  const db = createDatabase(database.url, { poolMax: 2, statementTimeoutMs: 30_000 });
  try {
    await migrateToLatest(db);
    const keys = signingKeys({
      db,
      secret: loadSecret({
        fromEnv: config.api.secret,
        fromFile: config.api.secretFile,
        dataDir: config.dataDir,
      }),
      clock: () => new Date(),
      alg: config.login.jwtAlg,
      maxTokenLifetimeSeconds: Math.max(config.login.jwtTtlSeconds, config.login.exchangeTtlSeconds),
      logger: pino({ level: "warn" }),
    });
    await keys.ensure();
    const result = await keys.rotate();
    process.stdout.write(
      `new signing key ${result.kid} (${result.alg}); retired ${result.retired.join(", ") || "none"}; ` +
        `deleted ${result.deleted.join(", ") || "none"}\n`,
    );
  } finally {
    await db.destroy();
    await database.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`rotate-keys failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
