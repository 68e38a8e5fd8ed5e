import { type RouteConfig, z } from "@hono/zod-openapi";
import { type ApiError, ERROR_CODES } from "../errors";
import type { ApiApp } from "./types";

// The pieces every route's OpenAPI declaration is made of, defined once: a JSON answer, the error
// answers by status, and the error envelope they all share (api/http/errors.ts writes it).

export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      details: z
        .unknown()
        .optional()
        .openapi({ description: "For invalid_request: [{path, message}] naming each bad input." }),
    }),
  })
  .openapi("Error");

/** A JSON answer: `responses: { 200: json(License, "The license") }`. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

type ErrorStatus = ApiError["status"];
type ErrorResponse = ReturnType<typeof json<typeof ErrorEnvelope>>;

/** Error answers by status, each the error envelope: `...errors({ 409: "Alias taken" })`. */
export function errors<const M extends { [S in ErrorStatus]?: string }>(
  descriptions: M,
): { [S in keyof M]: ErrorResponse } {
  const out: Record<string, ErrorResponse> = {};
  for (const [status, description] of Object.entries(descriptions)) {
    out[status] = json(ErrorEnvelope, description as string);
  }
  return out as { [S in keyof M]: ErrorResponse };
}

/** The error answers every route with input or data can give. */
export const commonErrors = errors({
  400: "Invalid input: `details` lists each bad parameter",
  500: "Unexpected error (code `internal`)",
  503: "Database unreachable or the indexer's views not created yet (code `unavailable`)",
});

export const notFoundError = errors({ 404: "Not found (code `not_found`)" });

export const rateLimitedError = errors({
  429: "Too many requests or wrong codes (code `rate_limited`); see Retry-After",
});

/**
 * A route whose handler reads and parses its own input, for requests @hono/zod-openapi's
 * validators cannot express: Login with DIMO takes its parameters from the query string or the
 * body (form or JSON) as DIMO's SDKs send them, and the token exchange takes either of two JSON
 * bodies. The declared `request` goes into /openapi.json like any route's; `app.openapi` is given
 * the route without it, so no validator of the library's runs before the handler's own.
 */
export function parsedByHandler<R extends RouteConfig>(
  app: ApiApp,
  route: R,
): Omit<R, "request"> & { hide: true } {
  const { middleware: _middleware, hide: _hide, ...documented } = route;
  app.openAPIRegistry.registerPath(documented);
  const { request: _request, ...served } = route;
  return { ...served, hide: true };
}
