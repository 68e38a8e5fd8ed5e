// `npm run analyst-role -- --password <pw> [--role dimo_analyst] [--owner <ponder's db user>]
//   [--statement-timeout 60s] [--idle-in-transaction-timeout 60s] [--temp-file-limit 1GB]
//   [--connection-limit 10]`: creates (or updates) a read-only Postgres login that can SELECT the
// `dimo` views and nothing else — no temporary tables, no CREATE anywhere — in the configured
// database (DATABASE_URL, or the embedded default one). `--drop` removes it. The password may come
// from ANALYST_PASSWORD instead, to keep it out of the shell history.

import { parseArgs } from "node:util";
import pg from "pg";
import { loadConfigOrExit } from "../config";
import { createAnalystRole, dropAnalystRole } from "./analysts/analystRole";
import { runMain } from "./lib/cli";
import { configuredDatabase } from "./runtime/configuredDatabase";
import { VIEWS_SCHEMA } from "./runtime/deploymentSchema";

runMain("analyst-role", async () => {
  const { values } = parseArgs({
    options: {
      password: { type: "string" },
      role: { type: "string", default: "dimo_analyst" },
      owner: { type: "string" },
      "statement-timeout": { type: "string", default: "60s" },
      "idle-in-transaction-timeout": { type: "string", default: "60s" },
      "temp-file-limit": { type: "string", default: "1GB" },
      "connection-limit": { type: "string", default: "10" },
      drop: { type: "boolean" },
    },
  });
  const db = await configuredDatabase(loadConfigOrExit(), "admin");
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    if (values.drop) {
      await dropAnalystRole(client, values.role);
      process.stdout.write(`dropped role ${values.role}\n`);
      return;
    }
    const password = values.password ?? process.env.ANALYST_PASSWORD;
    if (!password || password.length < 12) {
      throw new Error("--password (or ANALYST_PASSWORD) of at least 12 characters is required");
    }
    const connectionLimit = Number(values["connection-limit"]);
    if (!Number.isInteger(connectionLimit) || connectionLimit < 1) {
      throw new Error("--connection-limit must be a whole number of at least 1");
    }
    const { owner, notes } = await createAnalystRole(client, {
      role: values.role,
      password,
      schema: VIEWS_SCHEMA,
      ...(values.owner ? { owner: values.owner } : {}),
      statementTimeout: values["statement-timeout"],
      idleInTransactionTimeout: values["idle-in-transaction-timeout"],
      tempFileLimit: values["temp-file-limit"],
      connectionLimit,
    });
    const url = new URL(db.url);
    url.username = values.role;
    url.password = "<password>";
    process.stdout.write(
      `role ${values.role}: SELECT on schema ${VIEWS_SCHEMA} (views created by ${owner}), read-only sessions, ` +
        `no temporary tables, no CREATE; at most ${connectionLimit} connections\n` +
        notes.map((n) => `note: ${n}\n`).join("") +
        `connect: psql "${url.toString().replace("%3Cpassword%3E", "<password>")}"\n`,
    );
  } finally {
    await client.end();
    await db.stop();
  }
});
