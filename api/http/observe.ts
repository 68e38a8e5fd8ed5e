import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { Logger } from "pino";
import { Histogram, type Registry } from "prom-client";
import type { AppEnv } from "./types";

/**
 * One JSON log line and one histogram sample per request, labelled by the route pattern (never the
 * raw path, which would let any client mint new label values).
 */
export function observeRequests(logger: Logger, registry: Registry): MiddlewareHandler<AppEnv> {
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration in seconds, by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const logRequests = logger.isLevelEnabled("info");
  return async (c, next) => {
    const start = performance.now();
    await next();
    const seconds = (performance.now() - start) / 1000;
    const matched = routePath(c);
    const route = matched === "" || matched === "*" || matched === "/*" ? "unmatched" : matched;
    const status = c.res.status;
    duration.observe({ method: c.req.method, route, status }, seconds);
    if (logRequests) {
      logger.info(
        {
          reqId: c.get("requestId"),
          method: c.req.method,
          path: c.req.path,
          route,
          status,
          ms: Math.round(seconds * 10_000) / 10,
        },
        "request",
      );
    }
  };
}
