import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { type EmbeddedPg, startEmbeddedPostgres } from "../../runtime/embeddedPostgres";
import type { BenchDatabase } from "./benchRegistry";

/**
 * Where bench databases live: the server named by BENCH_DATABASE_URL (an admin URL), else an
 * embedded Postgres in a temporary folder started on first use and removed at the end.
 */
export function benchPostgres(log: (line: string) => void) {
  let embedded: EmbeddedPg | null = null;
  let dir: string | null = null;
  let adminUrl: string | null = process.env.BENCH_DATABASE_URL ?? null;

  const admin = async <T>(fn: (c: pg.Client) => Promise<T>) => {
    if (!adminUrl) {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "dimo-bench-pg-"));
      fs.chmodSync(dir, 0o755);
      log("starting embedded Postgres…");
      embedded = await startEmbeddedPostgres({ dir: path.join(dir, "pg") });
      adminUrl = embedded.url();
    }
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };

  return {
    async freshDatabase(label: string): Promise<BenchDatabase> {
      const name = `bench_${label}_${Date.now().toString(36)}_${randomBytes(2).toString("hex")}`;
      await admin((c) => c.query(`CREATE DATABASE "${name}"`));
      const url = new URL(adminUrl!);
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
      };
    },
    async stop() {
      await (embedded as EmbeddedPg | null)?.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
