import { createRoute, z } from "@hono/zod-openapi";
import type { Registry } from "prom-client";
import { errorBody } from "../http/errors";
import { errors, json } from "../http/openapi";
import type { ApiApp } from "../http/types";
import {
  type IndexerStatusService,
  type ReplicaStatusSource,
  Status,
} from "../services/system/indexerStatus";

const tags = ["System"];
const NO_STORE = { "Cache-Control": "no-store" };
const unavailable = errors({ 503: "Not ready (code `unavailable`; the message says why)" });

const Health = z.object({ status: z.literal("ok") }).openapi("Health");

const Ready = z
  .object({
    status: z.literal("ready"),
    indexedBlock: z.number().int(),
    headBlock: z.number().int(),
    lagBlocks: z.number().int(),
  })
  .openapi("Ready");

const health = createRoute({
  method: "get",
  path: "/health",
  tags,
  summary: "The process is up",
  responses: { 200: json(Health, "Up") },
});

const ready = createRoute({
  method: "get",
  path: "/ready",
  tags,
  summary:
    "200 once the indexer has finished backfilling and is within READY_MAX_LAG_BLOCKS of the chain head",
  responses: { 200: json(Ready, "Ready to serve current data"), ...unavailable },
});

const status = createRoute({
  method: "get",
  path: "/status",
  tags,
  summary: "Indexed block, chain head and lag",
  responses: { 200: json(Status, "Indexer status"), ...unavailable },
});

const metrics = createRoute({
  method: "get",
  path: "/metrics",
  tags,
  summary: "Prometheus metrics of this process, in the text exposition format (not JSON)",
  responses: {
    200: {
      description:
        "`http_request_duration_seconds`: a histogram by method, route pattern and status; with hot " +
        "standbys also `db_standby_serving`, `db_standby_lag_seconds`, `db_standby_lag_bytes`, " +
        "`db_reads_total` and `db_read_fallbacks_total`",
      content: { "text/plain": { schema: z.string() } },
    },
  },
});

export function registerSystemRoutes(
  app: ApiApp,
  s: { indexer: IndexerStatusService; replicas: ReplicaStatusSource | null; metrics: Registry },
) {
  app.openapi(health, (c) => c.json({ status: "ok" as const }, 200, NO_STORE));
  app.openapi(ready, async (c) => {
    const st = await s.indexer.status();
    if (st.reason !== null || st.indexedBlock === null || st.headBlock === null || st.lagBlocks === null) {
      const details = { indexedBlock: st.indexedBlock, headBlock: st.headBlock, lagBlocks: st.lagBlocks };
      return c.json(errorBody("unavailable", st.reason ?? "Not ready", details), 503, NO_STORE);
    }
    const body = {
      status: "ready" as const,
      indexedBlock: st.indexedBlock,
      headBlock: st.headBlock,
      lagBlocks: st.lagBlocks,
    };
    return c.json(body, 200, NO_STORE);
  });
  app.openapi(status, async (c) => {
    const { reason: _reason, ...st } = await s.indexer.status();
    return c.json(s.replicas ? { ...st, standbys: s.replicas.status() } : st, 200, NO_STORE);
  });
  app.openapi(metrics, async (c) =>
    c.text(await s.metrics.metrics(), 200, { "Content-Type": s.metrics.contentType, ...NO_STORE }),
  );
}
