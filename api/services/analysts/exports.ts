import { pipeline, Readable, Transform } from "node:stream";
import pg from "pg";
import QueryStream from "pg-query-stream";
import { DEFAULT_PERIOD_VALIDITY } from "../../../domain/signers";
import { keepClientErrors } from "../../db/database";
import { InvalidRequestError, RateLimitedError, UnavailableError } from "../../errors";

// Streamed exports of the indexed tables as CSV or NDJSON, in constant memory: a server-side cursor
// (pg-query-stream) feeds a Transform that formats rows, which feeds the HTTP response; each stage
// only pulls when the next has room, so a slow client slows the cursor instead of filling memory.
// Postgres only reads (every value as text) and Node formats: on two cores the database and the
// formatting then run side by side instead of one waiting for the other.
// Each export reads one REPEATABLE READ snapshot on its own connection from a small dedicated pool
// (the API pool's 5 s statement and read timeouts are for requests, not downloads). Those
// connections are few, so nobody may sit on them: at most `maxPerIp` exports per client address,
// each ended when its client takes less than `minBytesPerSecond` (measured over `windowMs` while
// the client, not the database, is what holds it back) or after `maxDurationMs` in all.

export const DATASETS = ["licenses", "signers", "redirect-uris", "grants", "events"] as const;
export type Dataset = (typeof DATASETS)[number];
export type ExportFormat = "csv" | "ndjson";

export type ExportFilter = {
  fromBlock?: bigint | undefined;
  toBlock?: bigint | undefined;
  /** Unix seconds, inclusive. */
  from?: bigint | undefined;
  /** Unix seconds, exclusive. */
  to?: bigint | undefined;
};

type Kind = "num" | "str" | "time" | "json" | "mask";
type Column = { name: string; sql: string; kind: Kind };
type Source = {
  /** FROM clause (may be a subquery aliased `t`); `:devLicense` is the license contract address. */
  from: string;
  columns: Column[];
  orderBy: string;
  blockColumn: string;
  timeColumn: string;
};

const MAX_ISO_SECONDS = 253_402_300_799; // 9999-12-31T23:59:59Z; chain times can be any uint256
const MAX_ISO = "9999-12-31T23:59:59.000Z";

/** Unix seconds (numeric text) → ISO-8601 UTC, far-future values clamped. */
function isoTime(seconds: string): string {
  const n = Number(seconds);
  return n >= MAX_ISO_SECONDS ? MAX_ISO : new Date(n * 1000).toISOString();
}

const col = (name: string, kind: Kind = "str", sql = name): Column => ({ name, sql, kind });

/** The analyst datasets (docs/analysts.md): rows of the `dimo` views, one export column per field. */
const SOURCES: Record<Dataset, Source> = {
  licenses: {
    from: "dimo.license",
    columns: [
      col("token_id", "num"),
      col("client_id"),
      col("owner"),
      col("alias"),
      col("status"),
      col("minted_at", "time"),
      col("minted_block", "num"),
      col("minted_tx"),
      col("revoked_at", "time"),
      col("revoked_block", "num"),
      col("revoked_tx"),
    ],
    orderBy: "token_id",
    blockColumn: "minted_block",
    timeColumn: "minted_at",
  },
  signers: {
    // expires_at by the contract's rule (domain/signers.ts): enabled_at + the latest periodValidity.
    from: `(SELECT s.*, s.enabled_at + COALESCE(
              (SELECT period_validity FROM dimo.license_contract WHERE address = :devLicense),
              ${DEFAULT_PERIOD_VALIDITY}) AS expires_at
            FROM dimo.license_signer s) t`,
    columns: [
      col("token_id", "num"),
      col("signer"),
      col("enabled_at", "time"),
      col("expires_at", "time"),
      col("enabled_block", "num"),
      col("enabled_tx"),
    ],
    orderBy: "token_id, signer",
    blockColumn: "enabled_block",
    timeColumn: "enabled_at",
  },
  "redirect-uris": {
    from: "dimo.license_redirect_uri",
    columns: [
      col("token_id", "num"),
      col("uri"),
      col("enabled_at", "time"),
      col("enabled_block", "num"),
      col("enabled_tx"),
    ],
    orderBy: "token_id, uri",
    blockColumn: "enabled_block",
    timeColumn: "enabled_at",
  },
  grants: {
    // Every grant on record, expired or not: SACD vehicle grants, legacy privileges, account grants.
    from: `(SELECT 'sacd' AS kind, vehicle_id, NULL::text AS grantor, grantee, permissions,
                   NULL::numeric AS privilege_id, expires_at, source, template_id, created_at, block_number, tx_hash
              FROM dimo.vehicle_sacd
            UNION ALL
            SELECT 'privilege', vehicle_id, NULL, "user", NULL, privilege_id, expires_at, NULL, NULL, set_at,
                   block_number, tx_hash
              FROM dimo.vehicle_privilege
            UNION ALL
            SELECT 'account', NULL, grantor, grantee, permissions, NULL, expires_at, source, template_id,
                   created_at, block_number, tx_hash
              FROM dimo.account_sacd) t`,
    columns: [
      col("kind"),
      col("vehicle_id", "num"),
      col("grantor"),
      col("grantee"),
      col("permissions", "mask"),
      col("privilege_id", "num"),
      col("expires_at", "time"),
      col("source"),
      col("template_id"),
      col("created_at", "time"),
      col("block_number", "num"),
      col("tx_hash"),
    ],
    orderBy: "kind, vehicle_id, grantor, grantee, privilege_id",
    blockColumn: "block_number",
    timeColumn: "created_at",
  },
  events: {
    from: "dimo.license_event",
    columns: [
      col("block_number", "num"),
      col("log_index", "num"),
      col("tx_hash"),
      col("timestamp", "time", '"timestamp"'),
      col("token_id", "num"),
      col("type"),
      col("args", "json"),
    ],
    orderBy: "block_number, log_index",
    blockColumn: "block_number",
    timeColumn: '"timestamp"',
  },
};

export const EXPORT_COLUMNS: Record<Dataset, string[]> = Object.fromEntries(
  DATASETS.map((d) => [d, SOURCES[d].columns.map((c) => c.name)]),
) as Record<Dataset, string[]>;

/** The export query: every column as text, in export order. */
function exportQuery(
  dataset: Dataset,
  filter: ExportFilter,
  devLicense: string,
): { text: string; values: unknown[] } {
  const s = SOURCES[dataset];
  const values: unknown[] = [];
  let from = s.from;
  if (from.includes(":devLicense")) {
    values.push(devLicense);
    from = from.replace(":devLicense", `$${values.length}`);
  }
  const where: string[] = [];
  const bound = (op: string, column: string, v: bigint | undefined) => {
    if (v === undefined) return;
    values.push(v.toString());
    where.push(`${column} ${op} $${values.length}::numeric`);
  };
  bound(">=", s.blockColumn, filter.fromBlock);
  bound("<=", s.blockColumn, filter.toBlock);
  bound(">=", s.timeColumn, filter.from);
  bound("<", s.timeColumn, filter.to);
  const select = s.columns.map((c) => `(${c.sql})::text`).join(", ");
  const filters = where.length ? ` WHERE ${where.join(" AND ")}` : "";
  return { text: `SELECT ${select} FROM ${from}${filters} ORDER BY ${s.orderBy}`, values };
}

/**
 * RFC 4180: a field is quoted when it holds a comma, a quote or a line break. A text cell starting
 * with `=`, `+`, `-`, `@`, tab or CR is one a spreadsheet would run as a formula (CSV injection:
 * an alias `=HYPERLINK(…)` set on chain by anyone), so it gets a leading single quote, as OWASP
 * recommends. NDJSON values are left exactly as indexed.
 */
export function csvField(v: string | null): string {
  if (v === null) return "";
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

type Format = (v: string) => string;
const hex = (v: string) => `0x${BigInt(v).toString(16)}`;
/** How a non-null value is written; null is `null` in NDJSON and an empty field in CSV. */
const JSON_VALUE: Record<Kind, Format> = {
  num: (v) => v, // numeric text is a JSON number as it is (no exponent form)
  str: (v) => JSON.stringify(v),
  time: (v) => `"${isoTime(v)}"`,
  json: (v) => v, // already JSON
  mask: (v) => `"${hex(v)}"`,
};
const CSV_VALUE: Record<Kind, Format> = {
  num: (v) => v,
  str: csvField,
  time: isoTime,
  json: csvField,
  mask: hex,
};

/** A function from a row (text values in column order) to one output line. */
function lineFormat(dataset: Dataset, format: ExportFormat): (row: (string | null)[]) => string {
  const columns = SOURCES[dataset].columns;
  if (format === "csv") {
    const fns = columns.map((c) => CSV_VALUE[c.kind]);
    return (row) => {
      let line = "";
      for (let i = 0; i < fns.length; i++) {
        const v = row[i];
        line += `${i ? "," : ""}${v === null || v === undefined ? "" : fns[i]!(v)}`;
      }
      return `${line}\r\n`;
    };
  }
  const keys = columns.map((c, i) => `${i ? "," : "{"}${JSON.stringify(c.name)}:`);
  const fns = columns.map((c) => JSON_VALUE[c.kind]);
  return (row) => {
    let line = "";
    for (let i = 0; i < fns.length; i++) {
      const v = row[i];
      line += keys[i] + (v === null || v === undefined ? "null" : fns[i]!(v));
    }
    return `${line}}\n`;
  };
}

const CHUNK = 64 * 1024;

function formatter(line: (row: (string | null)[]) => string, header: string | null): Transform {
  let buffer = header ?? "";
  return new Transform({
    writableObjectMode: true,
    readableHighWaterMark: CHUNK,
    transform(row: (string | null)[], _encoding, done) {
      buffer += line(row);
      if (buffer.length >= CHUNK) {
        this.push(buffer);
        buffer = "";
      }
      done();
    },
    flush(done) {
      if (buffer) this.push(buffer);
      done();
    },
  });
}

export type ExportOptions = {
  /** Concurrent exports (each holds one connection for its duration). */
  maxConcurrent?: number;
  /** Concurrent exports per client address. */
  maxPerIp?: number;
  /** Throughput is judged over windows this long (and a client that takes nothing for one is ended). */
  windowMs?: number;
  /** An export whose client takes less than this (bytes/s over a window) is ended; 0 = only stalls. */
  minBytesPerSecond?: number;
  /** Longest an export may run, however fast. */
  maxDurationMs?: number;
};

/** The exports settings of config/env.ts (EXPORT_*). */
export const EXPORT_DEFAULTS = {
  maxConcurrent: 4,
  maxPerIp: 1,
  windowMs: 30_000,
  minBytesPerSecond: 16 * 1024,
  maxDurationMs: 300_000,
} satisfies Required<ExportOptions>;

export type ExportService = ReturnType<typeof exportService>;

/**
 * Where exports read: one database URL, or (with hot standbys) the URLs to try now in order — the
 * serving standbys, then the primary — and who to tell when a standby's connection fails.
 */
export type ExportSource = {
  urls(): Array<{ url: string; standby: string | null }>;
  failed?(standby: string): void;
};

export function exportService(
  source: string | ExportSource | undefined,
  devLicense: string,
  opts: ExportOptions = {},
) {
  const { maxConcurrent, maxPerIp, windowMs, minBytesPerSecond, maxDurationMs } = {
    ...EXPORT_DEFAULTS,
    ...opts,
  };
  const from: ExportSource | null =
    typeof source === "string" ? { urls: () => [{ url: source, standby: null }] } : (source ?? null);
  const pools = new Map<string, pg.Pool>();
  let running = 0;
  const perIp = new Map<string, number>();
  const release = (ip: string) => {
    running--;
    const left = (perIp.get(ip) ?? 1) - 1;
    if (left > 0) perIp.set(ip, left);
    else perIp.delete(ip);
  };
  /** Rows taken from cursors so far (all exports): lets tests see backpressure at work. */
  const stats = { rowsRead: 0 };
  const getPool = (url: string) => {
    let pool = pools.get(url);
    if (!pool) {
      pool = new pg.Pool({
        connectionString: url,
        max: maxConcurrent,
        idleTimeoutMillis: 10_000,
        connectionTimeoutMillis: 5_000,
        allowExitOnIdle: true,
        application_name: "dimo-console-export",
      });
      pool.on("error", () => {}); // an idle connection dropping is replaced on the next export
      keepClientErrors(pool);
      pools.set(url, pool);
    }
    return pool;
  };
  /** A connection on the first source that takes one (a standby that is down is skipped). */
  const connect = async (): Promise<pg.PoolClient> => {
    const candidates = from!.urls();
    for (const [i, c] of candidates.entries()) {
      try {
        return await getPool(c.url).connect();
      } catch (error) {
        if (c.standby === null || i === candidates.length - 1) throw error;
        from!.failed?.(c.standby);
      }
    }
    throw new UnavailableError("Exports are not configured on this server");
  };

  return {
    stats,
    /** Exports in progress (each holds a connection). */
    running: () => running,
    /**
     * Starts an export and resolves once Postgres accepted the query (so a missing view is still a
     * 503 envelope, not a broken download); the stream then carries the rows.
     */
    async open(
      dataset: Dataset,
      format: ExportFormat,
      filter: ExportFilter,
      /** The client's address (api/http/clientIp.ts): exports are capped per address. */
      ip = "unknown",
    ): Promise<Readable> {
      if (!from) throw new UnavailableError("Exports are not configured on this server");
      if (
        filter.fromBlock !== undefined &&
        filter.toBlock !== undefined &&
        filter.fromBlock > filter.toBlock
      ) {
        throw new InvalidRequestError("fromBlock must not be greater than toBlock");
      }
      if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) {
        throw new InvalidRequestError("from must be earlier than to");
      }
      if ((perIp.get(ip) ?? 0) >= maxPerIp) {
        throw new RateLimitedError(
          `${maxPerIp === 1 ? "An export" : `${maxPerIp} exports`} from your address ${maxPerIp === 1 ? "is" : "are"} already running; retry when it has finished`,
        );
      }
      if (running >= maxConcurrent) {
        throw new RateLimitedError(
          `${maxConcurrent} exports are already running; retry when one has finished`,
        );
      }
      running++;
      perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
      let client: pg.PoolClient | undefined;
      try {
        client = await connect();
        const query = exportQuery(dataset, filter, devLicense);
        await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        await client.query(`SET LOCAL statement_timeout = ${Math.floor(maxDurationMs)}`);
        // Plan and check it (views present, parameters valid) before answering 200.
        await client.query(`SELECT * FROM (${query.text}) q LIMIT 0`, query.values);
        const rows = client.query(
          new QueryStream(query.text, query.values, { batchSize: 5_000, rowMode: "array" }),
        );
        const header = format === "csv" ? `${EXPORT_COLUMNS[dataset].join(",")}\r\n` : null;
        const formatted = formatter(lineFormat(dataset, format), header);
        // What the client took: bytes pass this meter only as fast as the response is read.
        let taken = 0;
        const out = new Transform({
          transform(chunk: Buffer | string, _encoding, done) {
            taken += chunk.length;
            done(null, chunk);
          },
        });
        const held = client;
        // The slot is free once the client has the last byte (the COMMIT after it is ours to wait
        // for): a client starting its next export right away is not refused by its own last one.
        let freed = false;
        const free = () => {
          if (!freed) {
            freed = true;
            release(ip);
          }
        };
        out.once("end", free);
        rows.on("data", () => {
          stats.rowsRead++;
        });
        // Judged only while the output is backed up (the client holds it back, not a slow query):
        // less than minBytesPerSecond over a window, or nothing at all, ends the export.
        let takenBefore = 0;
        const watchdog = setInterval(() => {
          const took = taken - takenBefore;
          takenBefore = taken;
          const backedUp = formatted.readableLength >= formatted.readableHighWaterMark;
          if (backedUp && (took === 0 || took < (minBytesPerSecond * windowMs) / 1000)) {
            out.destroy(new Error(`export too slow: the client took ${took} bytes in ${windowMs / 1000} s`));
          }
        }, windowMs);
        watchdog.unref();
        const deadline = setTimeout(
          () => out.destroy(new Error("export ended: it ran for its maximum duration")),
          maxDurationMs,
        );
        deadline.unref();
        pipeline(rows, formatted, out, (error) => {
          clearInterval(watchdog);
          clearTimeout(deadline);
          // A failed or abandoned cursor leaves the connection mid-protocol: destroy it.
          const done = error ? Promise.reject(error) : held.query("COMMIT");
          done.then(
            () => held.release(),
            (e: unknown) => held.release(e instanceof Error ? e : new Error(String(e))),
          );
          free();
        });
        return out;
      } catch (error) {
        release(ip);
        if (client) {
          await client.query("ROLLBACK").catch(() => {});
          client.release();
        }
        throw error;
      }
    },
    async close() {
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((p) => p.end()));
    },
  };
}

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  ndjson: "application/x-ndjson; charset=utf-8",
};

/** A web stream of the export, for a fetch-style Response. */
export const toWeb = (stream: Readable) => Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>;
