import type { Hook, z } from "@hono/zod-openapi";
import type { ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "pino";
import { unavailableReason } from "../db/unavailable";
import { ApiError, type ErrorCode, InvalidRequestError, type IssueDetail, RateLimitedError } from "../errors";
import { loggable } from "../lib/loggable";
import type { ErrorEnvelope } from "./openapi";

export type ErrorBody = z.infer<typeof ErrorEnvelope>;

export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

const TARGETS: Record<string, string> = { param: "path", json: "body", form: "body" };

/** One hook for every validated route: zod issues → 400 `invalid_request` naming each input. */
// biome-ignore lint/suspicious/noExplicitAny: the hook serves every route, whatever its input type.
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (result.success) return;
  const where = TARGETS[result.target] ?? result.target;
  const details: IssueDetail[] = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
  const first = details[0];
  throw new InvalidRequestError(first ? `${first.path}: ${first.message}` : "Invalid request", details);
};

const HTTP_CODES: Partial<Record<number, ErrorCode>> = {
  400: "invalid_request",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "invalid_request",
  415: "invalid_request",
  429: "rate_limited",
  503: "unavailable",
};

const VIEWS_MISSING =
  "Indexed data is not available yet: the indexer has not created its views (still backfilling)";
const DATABASE_DOWN = "The database is unavailable; try again shortly";

/** What a database-unavailable error is answered with (503 here, UNAVAILABLE on /query), or null. */
export function unavailableMessage(error: unknown): string | null {
  const reason = unavailableReason(error);
  if (!reason) return null;
  return reason === "views_missing" ? VIEWS_MISSING : DATABASE_DOWN;
}

/**
 * Every error becomes the error envelope here, and only here. Unknown errors are logged with the
 * request id and answered as a bare 500, never with a stack or a message that could leak internals.
 */
export function errorHandler(logger: Logger): ErrorHandler {
  return (error, c) => {
    if (error instanceof ApiError) {
      if (error.status >= 500)
        logger.warn({ reqId: c.get("requestId"), error: loggable(error) }, error.message);
      if (error instanceof RateLimitedError && error.retryAfterSeconds !== undefined)
        c.header("Retry-After", String(error.retryAfterSeconds));
      return c.json(errorBody(error.code, error.message, error.details), error.status);
    }
    if (error instanceof HTTPException) {
      const status = error.status;
      const code = HTTP_CODES[status] ?? (status >= 500 ? "internal" : "invalid_request");
      return c.json(errorBody(code, error.message || "Invalid request"), status);
    }
    const unavailable = unavailableMessage(error);
    if (unavailable) {
      logger.warn({ reqId: c.get("requestId"), error: loggable(error) }, "database unavailable");
      return c.json(errorBody("unavailable", unavailable), 503);
    }
    logger.error({ reqId: c.get("requestId"), err: error }, "unhandled error");
    return c.json(errorBody("internal", "Internal error"), 500);
  };
}

/** Unknown paths and known paths with another method alike (the error codes have no 405). */
export const notFoundHandler: NotFoundHandler = (c) =>
  c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`), 404);
