import fs from "node:fs";
import pg from "pg";

// CPU and memory accounting from Linux /proc: what a request costs in the API process and in its
// Postgres backends, which says what it costs on any machine, busy or not (the capacity model in
// docs/deploy.md is built on these figures).

const CLOCK_TICKS = 100;

/** CPU time (user + system, ms) one process used so far; null once it is gone. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** CPU time (user + system, ms) the processes used so far; null where one is gone. */
export function cpuMs(pids: number[]): number | null {
  let total = 0;
  for (const pid of pids) {
    const ms = processCpuMs(pid);
    if (ms === null) return null;
    total += ms;
  }
  return total;
}

/** Resident memory of a process now and at its peak (VmRSS, VmHWM), MB. */
export function memoryMb(pid: number): { rssMb: number; peakMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(kb("VmRSS") / 1024), peakMb: Math.round(kb("VmHWM") / 1024) };
}

/** Server pids of the connections to the database at `url` (the API pools, warm by now). */
export async function backendPids(url: string, applicationName?: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url, application_name: "bench-cpu" });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND ($1::text IS NULL OR application_name = $1)`,
      [applicationName ?? null],
    );
    return rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}

/**
 * CPU of the Postgres backends serving `applicationName` over a span, even when its pool opens
 * connections meanwhile (a backend that appears counts whole; one that ends is lost, rare within
 * a run since pools keep connections 30 s).
 */
export async function postgresCpuSpan(url: string, applicationName: string) {
  const before = new Map<number, number>();
  for (const pid of await backendPids(url, applicationName)) {
    const ms = processCpuMs(pid);
    if (ms !== null) before.set(pid, ms);
  }
  return {
    async end(): Promise<number> {
      let total = 0;
      for (const pid of await backendPids(url, applicationName))
        total += (processCpuMs(pid) ?? 0) - (before.get(pid) ?? 0);
      return total;
    },
  };
}
