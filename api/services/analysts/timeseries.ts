import { z } from "@hono/zod-openapi";
import { sql } from "kysely";
import { InvalidRequestError } from "../../errors";
import { isoFromSeconds, unixSeconds } from "../../lib/time";
import type { ServiceContext } from "../public/context";

// Counts per UTC day or ISO week (Monday 00:00 UTC), by block time:
// - licenses_issued: `Issued` events (license_event), revoked licenses included — they were issued;
// - keys_enabled: `SignerEnabled` events (license_event), re-enabling a key counts again;
// - vehicles_shared: distinct vehicles with a grant on record (vehicle_sacd, vehicle_privilege)
//   whose current record was set in the bucket (SACD created_at, privilege set_at). Grants since
//   renounced, revoked or dropped by a transfer or burn are gone from the index and not counted;
//   a vehicle is counted once per bucket.
// Every bucket from `from` (rounded down to its bucket) to `to` (exclusive) is listed, empty ones as 0.

export const METRICS = ["licenses_issued", "keys_enabled", "vehicles_shared"] as const;
export type Metric = (typeof METRICS)[number];
export const INTERVALS = ["day", "week"] as const;
export type Interval = (typeof INTERVALS)[number];

const DAY = 86_400n;
const STEP: Record<Interval, bigint> = { day: DAY, week: 7n * DAY };
/** Bucket origins: the epoch for days, Monday 1970-01-05 for ISO weeks. */
const ORIGIN: Record<Interval, bigint> = { day: 0n, week: 4n * DAY };
const MAX_BUCKETS = 1_000;
const DEFAULT_SPAN: Record<Interval, bigint> = { day: 30n * DAY, week: 26n * 7n * DAY };

/** GET /v1/stats/timeseries's answer. */
export const TimeSeries = z
  .object({
    metric: z.enum(METRICS),
    interval: z.enum(INTERVALS),
    from: z.string().openapi({ description: "Start of the first bucket (ISO-8601 UTC)" }),
    to: z.string().openapi({ description: "End of the range, exclusive (ISO-8601 UTC)" }),
    buckets: z.array(z.object({ start: z.string(), count: z.number().int() })),
  })
  .openapi("TimeSeries");
export type TimeSeries = z.infer<typeof TimeSeries>;

const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));

export function timeSeriesService(ctx: ServiceContext) {
  const counts = async (metric: Metric, origin: bigint, step: bigint, from: bigint, to: bigint) => {
    const args = {
      origin: origin.toString(),
      step: step.toString(),
      from: from.toString(),
      to: to.toString(),
    };
    const bucket = (column: string) =>
      sql`floor((${sql.ref(column)} - ${args.origin}::numeric) / ${args.step}::numeric)::int8`;
    if (metric === "vehicles_shared") {
      return sql<{ i: string; n: string }>`
        SELECT ${bucket("t")} AS i, count(DISTINCT vehicle_id) AS n FROM (
          SELECT vehicle_id, created_at AS t FROM dimo.vehicle_sacd
          UNION ALL SELECT vehicle_id, set_at FROM dimo.vehicle_privilege
        ) g
        WHERE t >= ${args.from}::numeric AND t < ${args.to}::numeric GROUP BY 1`.execute(ctx.db);
    }
    const type = metric === "licenses_issued" ? "Issued" : "SignerEnabled";
    return sql<{ i: string; n: string }>`
      SELECT ${bucket("timestamp")} AS i, count(*) AS n FROM dimo.license_event
      WHERE type = ${type} AND "timestamp" >= ${args.from}::numeric AND "timestamp" < ${args.to}::numeric
      GROUP BY 1`.execute(ctx.db);
  };

  return {
    async get(q: { metric: Metric; interval: Interval; from?: bigint; to?: bigint }): Promise<TimeSeries> {
      const step = STEP[q.interval];
      const origin = ORIGIN[q.interval];
      const to = q.to ?? unixSeconds(ctx.clock()) + 1n;
      const from = q.from ?? to - DEFAULT_SPAN[q.interval];
      if (from >= to) throw new InvalidRequestError("from must be earlier than to");
      const first = floorDiv(from - origin, step);
      const end = floorDiv(to - 1n - origin, step); // last bucket holding a second before `to`
      const n = Number(end - first + 1n);
      if (n > MAX_BUCKETS) {
        throw new InvalidRequestError(
          `from..to spans ${n} ${q.interval}s; at most ${MAX_BUCKETS} buckets per request`,
        );
      }
      const start = origin + first * step;
      const { rows } = await counts(q.metric, origin, step, start, to);
      const byBucket = new Map(rows.map((r) => [BigInt(r.i), Number(r.n)]));
      const buckets = Array.from({ length: n }, (_, k) => {
        const i = first + BigInt(k);
        return { start: isoFromSeconds(origin + i * step), count: byBucket.get(i) ?? 0 };
      });
      return {
        metric: q.metric,
        interval: q.interval,
        from: isoFromSeconds(start),
        to: isoFromSeconds(to),
        buckets,
      };
    },
  };
}

export type TimeSeriesService = ReturnType<typeof timeSeriesService>;
