import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { clientIp } from "../../http/clientIp";
import { commonErrors, errors, json } from "../../http/openapi";
import { publicJson } from "../../http/publicJson";
import type { ApiApp } from "../../http/types";
import { CONTENT_TYPES, DATASETS, EXPORT_COLUMNS, toWeb } from "../../services/analysts/exports";
import { INTERVALS, METRICS, TimeSeries } from "../../services/analysts/timeseries";
import type { AnalystServices } from "../../services/index";

// Analysts (docs/analysts.md): streamed CSV/NDJSON exports of the indexed tables and a time series of
// licenses issued, keys enabled and vehicles shared. Both read the `dimo` views.

const blockQuery = (name: string, description: string) =>
  z
    .string()
    .regex(/^[0-9]{1,20}$/, `${name} must be a block number`)
    .transform(BigInt)
    .optional()
    .openapi({ param: { name, in: "query" }, description, example: "57700000" });

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;

/** Unix seconds of an ISO-8601 date or date-time (UTC unless it names a zone) or of unix seconds. */
export function parseTime(v: string): bigint | null {
  if (/^[0-9]{1,12}$/.test(v)) return BigInt(v);
  const text = DATE.test(v)
    ? `${v}T00:00:00Z`
    : DATE_TIME.test(v) && !/(Z|[+-]\d{2}:\d{2})$/.test(v)
      ? `${v}Z`
      : v;
  if (!DATE.test(v) && !DATE_TIME.test(v)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : BigInt(Math.floor(ms / 1000));
}

const timeQuery = (name: string, description: string) =>
  z
    .string()
    .refine((v) => parseTime(v) !== null, `${name} must be an ISO-8601 date or date-time, or unix seconds`)
    .transform((v) => parseTime(v)!)
    .optional()
    .openapi({ param: { name, in: "query" }, description, example: "2025-01-01" });

const exportRoute = createRoute({
  method: "get",
  path: "/v1/export/{dataset}",
  tags: ["Analysts"],
  summary: "Streams a whole dataset as CSV or NDJSON, optionally limited to a block or time range",
  description:
    "Rows in primary-key order from one consistent snapshot, streamed (no page size). Columns: " +
    DATASETS.map((d) => `**${d}** ${EXPORT_COLUMNS[d].join(", ")}`).join("; ") +
    ". Addresses and hashes are lowercase hex as in the `dimo` views, times ISO-8601 UTC, SACD masks hex; " +
    "in CSV an empty field is null and `args` is JSON text. Block and time filters apply to the row's " +
    "creation (minted, enabled, granted or emitted).",
  request: {
    params: z.object({
      dataset: z.enum(DATASETS).openapi({ param: { name: "dataset", in: "path" }, example: "licenses" }),
    }),
    query: z.object({
      format: z
        .enum(["csv", "ndjson"])
        .optional()
        .openapi({ param: { name: "format", in: "query" }, description: "Default ndjson", example: "csv" }),
      fromBlock: blockQuery("fromBlock", "First block (inclusive)"),
      toBlock: blockQuery("toBlock", "Last block (inclusive)"),
      from: timeQuery("from", "Earliest block time (inclusive)"),
      to: timeQuery("to", "Latest block time (exclusive)"),
    }),
  },
  responses: {
    200: {
      description: "The rows, streamed",
      content: {
        "text/csv": { schema: z.string().openapi({ description: "RFC 4180 CSV with a header row" }) },
        "application/x-ndjson": { schema: z.string().openapi({ description: "One JSON object per line" }) },
      },
    },
    ...errors({
      429: "Too many exports running, in all or from this address (EXPORT_MAX_CONCURRENT, EXPORT_MAX_PER_IP; code `rate_limited`)",
    }),
    ...commonErrors,
  },
});

const timeSeriesRoute = createRoute({
  method: "get",
  path: "/v1/stats/timeseries",
  tags: ["Analysts"],
  summary: "Licenses issued, keys enabled or vehicles shared per UTC day or ISO week",
  description:
    "`licenses_issued` counts Issued events and `keys_enabled` SignerEnabled events (re-enabling counts) by " +
    "block time. `vehicles_shared` counts distinct vehicles whose grant on record (SACD or legacy privilege, " +
    "still present in the index) was set in the bucket. Buckets start at 00:00 UTC (weeks on Monday); `from` " +
    "is rounded down to its bucket, `to` is exclusive (default: now; `from` defaults to 30 days or 26 weeks " +
    "before `to`); every bucket is listed, empty ones with 0; at most 1000 buckets.",
  request: {
    query: z.object({
      metric: z.enum(METRICS).openapi({ param: { name: "metric", in: "query" }, example: "licenses_issued" }),
      interval: z
        .enum(INTERVALS)
        .optional()
        .openapi({ param: { name: "interval", in: "query" }, description: "Default day", example: "week" }),
      from: timeQuery("from", "Start (inclusive; rounded down to its bucket)"),
      to: timeQuery("to", "End (exclusive)"),
    }),
  },
  responses: { 200: json(TimeSeries, "Counts per bucket"), ...commonErrors },
});

export type AnalystRouteOptions = {
  /** The caller's address as per-address caps see it (api/http/clientIp.ts); default: the socket's peer. */
  ip?(c: Context): string;
};

export function registerAnalystRoutes(app: ApiApp, s: AnalystServices, o: AnalystRouteOptions = {}) {
  const { exports, timeseries } = s;
  const ip = o.ip ?? ((c: Context) => clientIp(c, 0));

  app.openapi(exportRoute, async (c) => {
    const { dataset } = c.req.valid("param");
    const { format = "ndjson", ...filter } = c.req.valid("query");
    const rows = await exports.open(dataset, format, filter, ip(c));
    const stamp = new Date().toISOString().replace(/[-:]|\.\d+/g, "");
    return c.body(toWeb(rows), 200, {
      "Content-Type": CONTENT_TYPES[format],
      "Content-Disposition": `attachment; filename="dimo-${dataset}-${stamp}.${format}"`,
      "Cache-Control": "no-store",
    }) as never;
  });

  app.openapi(timeSeriesRoute, async (c) => {
    const { metric, interval = "day", from, to } = c.req.valid("query");
    return publicJson(c, await timeseries.get({ metric, interval, from, to }));
  });
}
