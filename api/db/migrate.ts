import type { Kysely } from "kysely";
import { Migrator } from "kysely/migration";
import { MIGRATIONS } from "./migrations";

export const MIGRATION_SCHEMA = "console";

/**
 * Brings the `console` schema up to date. Kysely takes a Postgres advisory lock, so replicas
 * starting together run each migration once.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run on any typed database handle.
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableSchema: MIGRATION_SCHEMA,
    // Features number their migrations in separate ranges (0100 accounts, 0200 login, 0300
    // operations) and touch disjoint tables: a database that already ran a later range still
    // takes a newly added earlier one instead of refusing to start.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new Error("database migration failed", { cause: error });
  const failed = results?.find((r) => r.status === "Error");
  if (failed) throw new Error(`database migration ${failed.migrationName} failed`);
  return (results ?? []).map((r) => r.migrationName);
}
