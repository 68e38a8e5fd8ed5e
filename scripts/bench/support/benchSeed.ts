import { sql } from "kysely";
import { createDatabase } from "../../../api/db/database";
import { createIndexedSchema } from "../../fixtures/indexedFixture";

const T0 = 1_735_689_600;
/** Grants that outlive any bench run (2100-01-01). */
const EXPIRES = 4_102_444_800;

export type SeedSize = { licenses: number; vehicles: number };

/**
 * A generated index in tables shaped like the views (`generate_series`, lowercase hex, numeric
 * times): `licenses` licenses with 2 signers and 2 redirect URIs each (every 10th revoked), and
 * `vehicles` vehicles, each with unexpired SACD grants to 2 licenses spread over the whole range,
 * so a license has 2 × vehicles / licenses vehicles shared with it on average.
 */
export async function seedIndex(url: string, size: SeedSize): Promise<void> {
  const db = createDatabase(url, { poolMax: 1, statementTimeoutMs: 1_800_000 });
  const run = (statement: string) => sql.raw(statement).execute(db);
  const hex40 = (expr: string) => `'0x' || substr(md5(${expr}) || md5('x' || ${expr}), 1, 40)`;
  const tx = (expr: string) => `'0x' || md5(${expr}) || md5('2' || ${expr})`;
  const { licenses: n, vehicles: v } = size;
  try {
    await createIndexedSchema(db);
    await run(`INSERT INTO dimo.license
      SELECT i, ${hex40("'client' || i")}, ${hex40("'owner' || (i % 500)")},
             CASE WHEN i % 10 = 0 THEN NULL ELSE 'app-' || i END,
             CASE WHEN i % 10 = 0 THEN 'revoked' ELSE 'active' END,
             ${T0} - 86400 + i, 1000 + i, ${tx("'tx' || i")},
             CASE WHEN i % 10 = 0 THEN ${T0} ELSE NULL END,
             CASE WHEN i % 10 = 0 THEN 2000000 ELSE NULL END,
             CASE WHEN i % 10 = 0 THEN ${tx("'rv' || i")} ELSE NULL END
      FROM generate_series(1, ${n}) AS i`);
    await run(`INSERT INTO dimo.license_signer
      SELECT i, ${hex40("'signer' || i || '-' || k")}, ${T0} - 400 * 86400 * (k - 1) + i, 1000 + i,
             ${tx("'s' || i || k")}
      FROM generate_series(1, ${n}) AS i, generate_series(1, 2) AS k`);
    await run(`INSERT INTO dimo.license_redirect_uri
      SELECT i, 'https://app-' || i || '.example.com/callback/' || k, ${T0} + i, 1000 + i,
             ${tx("'r' || i || k")}
      FROM generate_series(1, ${n}) AS i, generate_series(1, 2) AS k`);
    if (v > 0) {
      await run(`INSERT INTO dimo.vehicle
        SELECT j, ${hex40("'vowner' || (j % 5000)")}, ${T0} + j, 5000 + j, 0
        FROM generate_series(1, ${v}) AS j`);
      // Grants to license 1 + j mod n and to another license far from it.
      await run(`INSERT INTO dimo.vehicle_sacd
        SELECT j, l.client_id, 3, ${EXPIRES}, 'ipfs://bench', NULL, ${T0} + j, 5000 + j, ${tx("'g' || j || k")}
        FROM generate_series(1, ${v}) AS j CROSS JOIN generate_series(1, 2) AS k
        JOIN dimo.license l ON l.token_id = 1 + (CASE WHEN k = 1 THEN j ELSE j * 7 + 3 END) % ${n}
        ON CONFLICT DO NOTHING`);
    }
    await run("ANALYZE");
  } finally {
    await db.destroy();
  }
}
