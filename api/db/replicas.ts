import type { Kysely, PostgresPool, PostgresPoolClient } from "kysely";
import pg from "pg";
import type { Logger } from "pino";
import { Counter, Gauge, type Registry } from "prom-client";
import { loggable } from "../lib/loggable";
import {
  createPool,
  type Database,
  type DatabaseOptions,
  type DatabasePool,
  databaseOver,
  keepClientErrors,
} from "./database";
import { unavailableReason } from "./unavailable";

// Reads of public data from hot standbys (docs/deploy.md). Every API process checks each standby
// every CHECK_MS: is it up, still a standby, how far behind the primary's WAL, and past the read
// fence (the WAL position of the last operation marked `indexed`)? Reads go to a standby that
// passes all four, round robin, else to the primary. A read that fails because its standby went
// away (or a recovery conflict cancelled it) is run again on the primary: callers never see it.

/** How often each API process checks its standbys and samples the primary's WAL position. */
export const CHECK_MS = 200;

export type StandbyState =
  /** In rotation: up, replaying, within the lag bound and past the read fence. */
  | "serving"
  /** More than the lag bound behind the primary. */
  | "lagging"
  /** Has not replayed the last operation marked `indexed` yet. */
  | "behind"
  /** Not reachable, or refusing connections (starting up, shutting down). */
  | "down"
  /** Answers but is not in recovery (promoted, or not a standby at all): never read from. */
  | "not_standby";

export type StandbyStatus = {
  /** `standby-1`… in DATABASE_READ_URL order (URLs carry credentials: never shown). */
  name: string;
  state: StandbyState;
  /** How long the oldest WAL the standby has not replayed has existed on the primary (0: caught up). */
  lagMs: number | null;
  lagBytes: number | null;
};

/** pg_lsn text (`16/B374D848`) → a byte position. */
export function parseLsn(text: string): bigint {
  const m = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(text.trim());
  if (!m) throw new Error(`not a WAL position: ${JSON.stringify(text)}`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

export const formatLsn = (lsn: bigint): string =>
  `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;

/**
 * The primary's WAL positions as sampled over the last `windowMs`, each with the time it was first
 * seen. A standby's lag is the age of the oldest sample it has not replayed: how long the primary
 * has had WAL the standby lacks. Unlike "now − last replayed commit time" it grows while a standby
 * is cut off from an idle-looking stream, and it is 0 on an idle, caught-up pair.
 */
export class WalHistory {
  private samples: Array<{ t: number; lsn: bigint }> = [];
  constructor(private readonly windowMs: number) {}

  add(t: number, lsn: bigint): void {
    const last = this.samples.at(-1);
    if (!last || lsn > last.lsn) this.samples.push({ t, lsn });
    // Keep the newest sample whatever its age: it is the position a caught-up standby is at.
    while (this.samples.length > 1 && this.samples[0]!.t < t - this.windowMs) this.samples.shift();
  }

  latest(): bigint | null {
    return this.samples.at(-1)?.lsn ?? null;
  }

  /** ms the standby at `replay` is behind, as of `now`; null before the first sample. */
  lagMs(replay: bigint, now: number): number | null {
    const last = this.samples.at(-1);
    if (!last) return null;
    if (replay >= last.lsn) return 0;
    const oldestMissing = this.samples.find((s) => s.lsn > replay)!;
    return Math.max(0, now - oldestMissing.t);
  }
}

/** Why a read on a standby failed such that the primary should answer instead; null: a real error. */
export function standbyFailure(error: unknown): "down" | "conflict" | null {
  const code = (error as { code?: unknown })?.code;
  // 40001 on a standby: "canceling statement due to conflict with recovery" (the replayed WAL
  // needed what the query held, e.g. a view switched by an indexer upgrade).
  if (code === "40001") return "conflict";
  // A statement timeout would only time out again on the primary, at twice the cost.
  if (code === "57014") return null;
  return unavailableReason(error) === "database" ? "down" : null;
}

type Standby = {
  name: string;
  url: string;
  reads: DatabasePool;
  /** One connection for the checks, apart from the read pool (which load may exhaust). */
  monitor: pg.Pool;
  state: StandbyState;
  replay: bigint | null;
  lagMs: number | null;
  lagBytes: bigint | null;
};

export type ReadReplicasOptions = {
  /** DATABASE_READ_URL, split: one hot standby each. */
  urls: string[];
  /** The primary: its URL (checks) and the dialect pool reads fall back to. */
  primaryUrl: string;
  primary: PostgresPool;
  pool: Pick<DatabaseOptions, "poolMax" | "statementTimeoutMs" | "connectTimeoutMs">;
  /** DATABASE_READ_MAX_LAG_MS: a standby further behind serves no reads. */
  maxLagMs: number;
  checkMs?: number;
  logger?: Logger;
};

export type ReadReplicas = {
  /** Kysely for public reads: a serving standby, else the primary. */
  db: Kysely<Database>;
  /** DATABASE_READ_MAX_LAG_MS. */
  maxLagMs: number;
  /** Where a long read (an export) should connect now: serving standbys first, the primary last. */
  readUrls(): Array<{ url: string; standby: string | null }>;
  /** A connection to `standby` failed outside the router (an export): out of rotation until its next check. */
  failed(standby: string): void;
  status(): StandbyStatus[];
  /**
   * Until every standby in rotation has replayed the primary's WAL up to `lsn`, or `timeoutMs`.
   * Returns the standbys that did not (they stay out of rotation once the fence passes them).
   */
  waitReplayed(lsn: string, timeoutMs: number): Promise<string[]>;
  /** Registers the standby gauges and read counters with the app's /metrics. */
  registerMetrics(registry: Registry): void;
  /** First check now (awaited), then every checkMs. */
  start(): Promise<void>;
  stop(): Promise<void>;
};

const monitorPool = (url: string, name: string) => {
  const pool = new pg.Pool({
    connectionString: url,
    max: 1,
    options: "-c statement_timeout=2000",
    query_timeout: 3_000,
    connectionTimeoutMillis: 2_000,
    idleTimeoutMillis: 60_000,
    application_name: `dimo-console-${name}-check`,
  });
  pool.on("error", () => {}); // the next check reports it
  keepClientErrors(pool);
  return pool;
};

const TX_START = /^\s*(begin|start\s+transaction)\b/i;
const TX_END = /^\s*(commit|rollback|end|abort)\b/i;

export function readReplicas(opts: ReadReplicasOptions): ReadReplicas {
  const checkMs = opts.checkMs ?? CHECK_MS;
  const logger = opts.logger;
  const history = new WalHistory(Math.max(2 * opts.maxLagMs, 10 * checkMs) + 1_000);
  const primaryMonitor = monitorPool(opts.primaryUrl, "primary");
  let fence = 0n;
  const standbys: Standby[] = opts.urls.map((url, i) => {
    const name = `standby-${i + 1}`;
    return {
      name,
      url,
      reads: createPool(url, {
        ...opts.pool,
        // A standby that is down should cost a read little before it falls back to the primary.
        connectTimeoutMs: Math.min(opts.pool.connectTimeoutMs ?? 5_000, 2_000),
        applicationName: `dimo-console-api-${name}`,
        ...(logger ? { logger } : {}),
      }),
      monitor: monitorPool(url, name),
      // Out of rotation until its first check says otherwise.
      state: "down",
      replay: null,
      lagMs: null,
      lagBytes: null,
    };
  });

  /** Reads counted before /metrics registered its counter (between the first check and the app). */
  const counts = { reads: new Map<string, number>() };
  let readsCounter: Counter<"target"> | null = null;
  let fallbackCounter: Counter<"standby" | "reason"> | null = null;
  const countRead = (target: string) => {
    if (readsCounter) readsCounter.inc({ target });
    else counts.reads.set(target, (counts.reads.get(target) ?? 0) + 1);
  };

  const setState = (s: Standby, state: StandbyState, why?: unknown) => {
    if (s.state === state) return;
    const level = state === "serving" ? "info" : "warn";
    logger?.[level](
      {
        standby: s.name,
        from: s.state,
        to: state,
        lagMs: s.lagMs,
        ...(why ? { error: loggable(why) } : {}),
      },
      "standby state changed",
    );
    s.state = state;
  };

  const markDown = (s: Standby, reason: "down" | "conflict", error: unknown) => {
    fallbackCounter?.inc({ standby: s.name, reason });
    // A recovery conflict cancels one query; the standby itself is fine.
    if (reason === "down") setState(s, "down", error);
  };

  let next = 0;
  const pick = (): Standby | null => {
    const serving = standbys.filter((s) => s.state === "serving");
    if (serving.length === 0) return null;
    next = (next + 1) % serving.length;
    return serving[next]!;
  };

  /**
   * A pooled connection that starts on a standby and moves to the primary if the standby fails
   * it (only between statements of no transaction: a read is then simply asked again).
   */
  async function connectRouted(): Promise<PostgresPoolClient> {
    const standby = pick();
    let client: PostgresPoolClient | null = null;
    let on: Standby | null = null;
    if (standby) {
      try {
        client = await standby.reads.dialect.connect();
        on = standby;
      } catch (error) {
        const reason = standbyFailure(error);
        if (!reason) throw error;
        markDown(standby, reason, error);
      }
    }
    if (!client) client = await opts.primary.connect();
    countRead(on?.name ?? "primary");
    let inTransaction = false;
    /** The connection in use; null between giving up a failed standby's and getting the primary's. */
    let current: PostgresPoolClient | null = client;
    const query = async (text: string, values: readonly unknown[]) => {
      if (!current) throw new Error("Client was closed: the read moved to the primary and failed");
      if (TX_START.test(text)) inTransaction = true;
      try {
        return await current.query(text, values as unknown[]);
      } catch (error) {
        const reason = on && !inTransaction ? standbyFailure(error) : null;
        if (!on || !reason) throw error;
        markDown(on, reason, error);
        current.release(true);
        current = null;
        on = null;
        current = await opts.primary.connect();
        countRead("primary");
        return await current.query(text, values as unknown[]);
      } finally {
        if (TX_END.test(text)) inTransaction = false;
      }
    };
    return {
      query: ((textOrSubmittable: unknown, values?: readonly unknown[]) =>
        typeof textOrSubmittable === "string"
          ? query(textOrSubmittable, values ?? [])
          : (current!.query as (q: unknown) => unknown)(
              textOrSubmittable,
            )) as unknown as PostgresPoolClient["query"],
      // After a failed move to the primary there is nothing left to release.
      release: (discard?: boolean) => current?.release(discard),
    };
  }

  const router: PostgresPool = {
    options: {},
    connect: connectRouted,
    end: async () => {
      await Promise.all(standbys.map((s) => s.reads.pg.end().catch(() => {})));
    },
  };

  async function checkPrimary(): Promise<void> {
    try {
      const { rows } = await primaryMonitor.query<{ lsn: string; fence: string | null }>(
        `SELECT pg_current_wal_flush_lsn()::text AS lsn,
                (SELECT lsn::text FROM console.read_fence) AS fence`,
      );
      history.add(Date.now(), parseLsn(rows[0]!.lsn));
      if (rows[0]!.fence) fence = parseLsn(rows[0]!.fence);
    } catch (error) {
      // The primary down: standbys keep serving what they have (their lag grows from here).
      logger?.debug({ error: loggable(error) }, "primary WAL check failed");
    }
  }

  async function checkStandby(s: Standby): Promise<void> {
    try {
      const { rows } = await s.monitor.query<{ recovery: boolean; replay: string | null }>(
        `SELECT pg_is_in_recovery() AS recovery, pg_last_wal_replay_lsn()::text AS replay`,
      );
      const { recovery, replay } = rows[0]!;
      if (!recovery || !replay) {
        s.replay = null;
        s.lagMs = null;
        s.lagBytes = null;
        setState(s, "not_standby");
        return;
      }
      s.replay = parseLsn(replay);
      s.lagMs = history.lagMs(s.replay, Date.now());
      const latest = history.latest();
      s.lagBytes = latest === null ? null : latest > s.replay ? latest - s.replay : 0n;
      if (s.lagMs === null || s.lagMs > opts.maxLagMs) setState(s, "lagging");
      else if (s.replay < fence) setState(s, "behind");
      else setState(s, "serving");
    } catch (error) {
      s.lagMs = null;
      s.lagBytes = null;
      setState(s, "down", error);
    }
  }

  async function check(): Promise<void> {
    // The primary first: a standby is compared with a position the primary had before it was asked.
    await checkPrimary();
    await Promise.all(standbys.map(checkStandby));
  }

  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  const loop = () => {
    if (stopped) return;
    running = check().finally(() => {
      running = null;
      if (!stopped) timer = setTimeout(loop, checkMs);
    });
  };

  return {
    db: databaseOver(router),
    maxLagMs: opts.maxLagMs,

    readUrls() {
      const serving = standbys.filter((s) => s.state === "serving");
      if (serving.length) next = (next + 1) % serving.length;
      const start = serving.length ? next : 0;
      const ordered = [...serving.slice(start), ...serving.slice(0, start)];
      return [
        ...ordered.map((s) => ({ url: s.url, standby: s.name })),
        { url: opts.primaryUrl, standby: null },
      ];
    },

    failed(name) {
      const s = standbys.find((x) => x.name === name);
      if (s) markDown(s, "down", new Error("connection failed"));
    },

    status: () =>
      standbys.map((s) => ({
        name: s.name,
        state: s.state,
        lagMs: s.lagMs,
        lagBytes: s.lagBytes === null ? null : Number(s.lagBytes),
      })),

    async waitReplayed(lsnText, timeoutMs) {
      const lsn = parseLsn(lsnText);
      const deadline = Date.now() + timeoutMs;
      const pending = standbys.filter((s) => s.state === "serving" && (s.replay ?? 0n) < lsn);
      const missed: string[] = [];
      await Promise.all(
        pending.map(async (s) => {
          for (let delay = 5; ; delay = Math.min(delay * 2, 50)) {
            try {
              const { rows } = await s.monitor.query<{ replay: string | null }>(
                "SELECT pg_last_wal_replay_lsn()::text AS replay",
              );
              const replay = rows[0]?.replay ? parseLsn(rows[0].replay) : null;
              if (replay !== null) s.replay = replay > (s.replay ?? 0n) ? replay : s.replay;
              if (replay !== null && replay >= lsn) return;
            } catch (error) {
              setState(s, "down", error);
              missed.push(s.name);
              return;
            }
            if (Date.now() + delay > deadline) {
              missed.push(s.name);
              return;
            }
            await new Promise((r) => setTimeout(r, delay));
          }
        }),
      );
      return missed;
    },

    registerMetrics(registry) {
      const stateOf = (s: Standby) => s.state;
      new Gauge({
        name: "db_standby_serving",
        help: "1 while the standby serves reads (up, replaying, within DATABASE_READ_MAX_LAG_MS, past the read fence)",
        labelNames: ["standby", "state"] as const,
        registers: [registry],
        collect() {
          this.reset();
          for (const s of standbys)
            this.set({ standby: s.name, state: stateOf(s) }, s.state === "serving" ? 1 : 0);
        },
      });
      new Gauge({
        name: "db_standby_lag_seconds",
        help: "Age of the oldest primary WAL the standby has not replayed (0 when caught up; absent while down)",
        labelNames: ["standby"] as const,
        registers: [registry],
        collect() {
          this.reset();
          for (const s of standbys) if (s.lagMs !== null) this.set({ standby: s.name }, s.lagMs / 1000);
        },
      });
      new Gauge({
        name: "db_standby_lag_bytes",
        help: "Bytes of primary WAL the standby has not replayed",
        labelNames: ["standby"] as const,
        registers: [registry],
        collect() {
          this.reset();
          for (const s of standbys)
            if (s.lagBytes !== null) this.set({ standby: s.name }, Number(s.lagBytes));
        },
      });
      readsCounter = new Counter({
        name: "db_reads_total",
        help: "Connections taken for public reads, by where they went (a standby, or the primary)",
        labelNames: ["target"] as const,
        registers: [registry],
      });
      for (const [target, n] of counts.reads) readsCounter.inc({ target }, n);
      fallbackCounter = new Counter({
        name: "db_read_fallbacks_total",
        help: "Reads a standby failed (down, or a recovery conflict) that the primary answered instead",
        labelNames: ["standby", "reason"] as const,
        registers: [registry],
      });
    },

    async start() {
      if (standbys.length === 0) return;
      await check();
      timer = setTimeout(loop, checkMs);
    },

    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await router.end();
      await Promise.all(
        [primaryMonitor, ...standbys.map((s) => s.monitor)].map((p) => p.end().catch(() => {})),
      );
    },
  };
}
