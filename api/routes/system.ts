import { createRoute } from "@hono/zod-openapi";
import type { Registry } from "prom-client";
import { errorBody } from "../http/errors";
import { ErrorEnvelope, Health, jsonOk, Ready, Status } from "../http/schemas";
import type { ApiApp } from "../http/types";
import type { IndexerStatusService } from "../services/system/indexerStatus";

const tags = ["System"];
const NO_STORE = { "Cache-Control": "no-store" };
const unavailable = {
  503: {
    description: "Not ready (code `unavailable`; the message says why)",
    content: { "application/json": { schema: ErrorEnvelope } },
  },
};

const health = createRoute({
  method: "get",
  path: "/health",
  tags,
  summary: "The process is up",
  responses: jsonOk(Health, "Up"),
});

const ready = createRoute({
  method: "get",
  path: "/ready",
  tags,
  summary:
    "200 once the indexer has finished backfilling and is within READY_MAX_LAG_BLOCKS of the chain head",
  responses: { ...jsonOk(Ready, "Ready to serve current data"), ...unavailable },
});

const status = createRoute({
  method: "get",
  path: "/status",
  tags,
  summary: "Indexed block, chain head and lag",
  responses: { ...jsonOk(Status, "Indexer status"), ...unavailable },
});

export function registerSystemRoutes(app: ApiApp, s: { indexer: IndexerStatusService; metrics: Registry }) {
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
    return c.json(st, 200, NO_STORE);
  });
  // Prometheus text, not JSON: outside the OpenAPI document on purpose.
  app.get("/metrics", async (c) =>
    c.body(await s.metrics.metrics(), 200, { "Content-Type": s.metrics.contentType, ...NO_STORE }),
  );
}
