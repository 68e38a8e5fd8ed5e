import pg from "pg";

// Ponder locks its schema with a heartbeat (every 10 s, expiring after 25 s): a process that dies
// without shutting down leaves the lock held, and the next `ponder start` on the schema waits the
// rest of those 25 s before crash recovery. A supervisor that has SEEN its indexer exit knows no
// one else holds the lock, so it may release it and restart at once — exactly what Ponder's own
// clean shutdown writes (is_locked = 0). Only for a process that held the lock (it got past
// Ponder's migration step), and only if nobody has beaten the heartbeat since it died: a newer
// heartbeat means another instance took the schema over, and its lock must stay.

/**
 * Releases the schema lock of an indexer that held it and died at `diedAt` (ms since epoch); false
 * when there was nothing to release (no Ponder state yet, or a newer heartbeat).
 */
export async function releaseDeadIndexerLock(
  databaseUrl: string,
  schema: string,
  diedAt: number,
): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const res = await client.query(
      `UPDATE "${schema.replaceAll('"', '""')}"._ponder_meta
          SET value = jsonb_set(value, '{is_locked}', '0'::jsonb)
        WHERE key = 'app' AND (value->>'heartbeat_at')::bigint <= $1`,
      [diedAt],
    );
    return (res.rowCount ?? 0) > 0;
  } catch (error) {
    // 42P01/3F000: killed before Ponder created its tables; nothing to release.
    const code = (error as { code?: string }).code;
    if (code === "42P01" || code === "3F000") return false;
    throw error;
  } finally {
    await client.end();
  }
}
