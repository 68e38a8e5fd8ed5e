import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import {
  type EmbeddedPg,
  passwordFileOf,
  startEmbeddedPostgres,
} from "../../scripts/runtime/embeddedPostgres";

// A primary and a hot standby streaming from it, both the npm embedded PostgreSQL (same major
// version, as streaming replication requires). That package ships initdb, pg_ctl and postgres but
// no pg_basebackup, so the base backup is Postgres' documented low-level one: a replication slot
// (keeps the WAL from the backup's start), pg_backup_start, a copy of the data folder,
// pg_backup_stop, whose backup_label goes into the copy; then standby.signal and primary_conninfo.

export type Replicated = {
  primary: EmbeddedPg;
  standby: EmbeddedPg;
  standbyDir: string;
  /** Stops the standby (fast shutdown), as an operator or a crash would. */
  stopStandby(): Promise<void>;
  /** Starts it again on the same port: it resumes streaming from its slot. */
  startStandby(): Promise<void>;
  /** A superuser SQL statement on the standby (e.g. pg_wal_replay_pause()). */
  onStandby(sql: string): Promise<pg.QueryResult>;
  stop(): Promise<void>;
};

const SLOT = "scale_standby";
/** Folders whose contents a base backup leaves out (Postgres recreates or refills them). */
const EMPTY = new Set([
  "pg_wal",
  "pg_replslot",
  "pg_stat_tmp",
  "pg_dynshmem",
  "pg_notify",
  "pg_serial",
  "pg_snapshots",
  "pg_subtrans",
]);

function copyDataFolder(from: string, to: string) {
  fs.cpSync(from, to, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(from, src);
      if (rel === "") return true;
      const parts = rel.split(path.sep);
      const name = parts.at(-1)!;
      if (rel === "postmaster.pid" || rel === "postmaster.opts" || name.startsWith(".s.PGSQL.")) return false;
      if (EMPTY.has(parts[0]!) && parts.length > 1) {
        // pg_wal keeps its two subfolders, empty.
        return parts[0] === "pg_wal" && parts.length === 2 && ["archive_status", "summaries"].includes(name);
      }
      return true;
    },
  });
  // Same owner as the primary's folder: the `postgres` user when we run as root.
  const { uid, gid } = fs.statSync(from);
  const own = (p: string) => {
    fs.chownSync(p, uid, gid);
    if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) own(path.join(p, e));
  };
  own(to);
  fs.chmodSync(to, 0o700);
}

/** A primary in `root/primary` and a streaming hot standby of it in `root/standby`. */
export async function startReplicated(root: string): Promise<Replicated> {
  // Postgres runs as the `postgres` user when we are root: it must be able to enter `root`.
  fs.mkdirSync(root, { recursive: true, mode: 0o755 });
  const primary = await startEmbeddedPostgres({ dir: path.join(root, "primary") });
  const standbyDir = path.join(root, "standby");
  const admin = new pg.Client({ connectionString: primary.url() });
  await admin.connect();
  let standby: EmbeddedPg;
  try {
    await admin.query("SELECT pg_create_physical_replication_slot($1, true)", [SLOT]);
    await admin.query("SELECT pg_backup_start('dimo-scale-test', true)");
    copyDataFolder(path.join(root, "primary"), standbyDir);
    const { rows } = await admin.query<{ labelfile: string; spcmapfile: string | null }>(
      "SELECT labelfile, spcmapfile FROM pg_backup_stop(false)",
    );
    const write = (name: string, text: string) => {
      const file = path.join(standbyDir, name);
      fs.writeFileSync(file, text, { mode: 0o600 });
      const { uid, gid } = fs.statSync(standbyDir);
      fs.chownSync(file, uid, gid);
    };
    write("backup_label", rows[0]!.labelfile);
    if (rows[0]!.spcmapfile) write("tablespace_map", rows[0]!.spcmapfile);
    write("standby.signal", "");
    // The standby has the primary's roles, so its superuser password too (kept beside the folder).
    fs.copyFileSync(passwordFileOf(path.join(root, "primary")), passwordFileOf(standbyDir));
    fs.chmodSync(passwordFileOf(standbyDir), 0o600);
    const u = new URL(primary.url());
    const conninfo = `host=127.0.0.1 port=${primary.port} user=${decodeURIComponent(u.username)} password=${decodeURIComponent(u.password)} application_name=${SLOT}`;
    fs.appendFileSync(
      path.join(standbyDir, "postgresql.auto.conf"),
      [
        `primary_conninfo = '${conninfo.replaceAll("'", "''")}'`,
        `primary_slot_name = '${SLOT}'`,
        // Queries on the standby hold back the primary's vacuum instead of being cancelled by it.
        "hot_standby_feedback = on",
        "",
      ].join("\n"),
    );
    standby = await startEmbeddedPostgres({ dir: standbyDir });
  } finally {
    await admin.end();
  }

  const port = standby.port;
  let running: EmbeddedPg | null = standby;
  const r: Replicated = {
    primary,
    get standby() {
      return running ?? standby;
    },
    standbyDir,
    async stopStandby() {
      await running?.stop();
      running = null;
    },
    async startStandby() {
      running = await startEmbeddedPostgres({ dir: standbyDir, port });
    },
    async onStandby(sql) {
      const c = new pg.Client({ connectionString: standby.url() });
      await c.connect();
      try {
        return await c.query(sql);
      } finally {
        await c.end();
      }
    },
    async stop() {
      await running?.stop();
      await primary.stop();
    },
  };
  return r;
}
