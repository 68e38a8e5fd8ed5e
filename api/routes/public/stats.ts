import { createRoute } from "@hono/zod-openapi";
import { commonErrors, json } from "../../http/openapi";
import { publicJson } from "../../http/publicJson";
import type { ApiApp } from "../../http/types";
import { Stats } from "../../services/public/schemas";
import type { StatsService } from "../../services/public/stats";

const stats = createRoute({
  method: "get",
  path: "/v1/stats",
  tags: ["Stats"],
  summary:
    "Counts: licenses by status, signers and redirect URIs of active licenses, vehicles, unexpired grants",
  responses: { 200: json(Stats, "The counts"), ...commonErrors },
});

export function registerStatsRoutes(app: ApiApp, s: { stats: StatsService }) {
  app.openapi(stats, async (c) => publicJson(c, await s.stats.get()));
}
