import fs from "node:fs";
import { sql } from "kysely";
import { createDatabase } from "../../../api/db/database";

// CPU accounting from Linux /proc: what a request costs in the API process and in its Postgres
// backends, which says what it costs on any machine, busy or not (the capacity model in
// docs/deploy.md is built on these figures).

const CLOCK_TICKS = 100;

/** CPU time (user + system, ms) the processes used so far, from /proc; null where there is none. */
export function cpuMs(pids: number[]): number | null {
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    } catch {
      return null;
    }
  }
  return total;
}

/** Server pids of the connections to the database at `url` (the API pools, warm by now). */
export async function backendPids(url: string): Promise<number[]> {
  const db = createDatabase(url, { poolMax: 1, statementTimeoutMs: 10_000 });
  try {
    const { rows } = await sql<{ pid: number }>`
      SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`.execute(
      db,
    );
    return rows.map((r) => r.pid);
  } finally {
    await db.destroy();
  }
}
