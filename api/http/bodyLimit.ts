import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { PayloadTooLargeError } from "../errors";

/** Every request body is held to this unless its route has its own limit. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** A route whose bodies may be larger (or must be smaller) than the default. */
export type BodyLimitRule = { method: string; path: RegExp; maxBytes: number };

/**
 * One body limit for the whole API, wired once: hono's bodyLimit refuses a declared Content-Length
 * over the limit without reading a byte, and counts a chunked body as it streams, refusing at the
 * first byte past the limit (so at most `maxBytes` is ever held). A refusal is the error envelope
 * with 413. `rules` give a route its own limit; the first match wins.
 */
export function limitBodies(rules: BodyLimitRule[] = [], defaultMax = DEFAULT_BODY_LIMIT): MiddlewareHandler {
  const limiter = (maxBytes: number) =>
    bodyLimit({
      maxSize: maxBytes,
      onError: () => {
        throw new PayloadTooLargeError(maxBytes);
      },
    });
  const fallback = limiter(defaultMax);
  const routes = rules.map((r) => ({ ...r, handler: limiter(r.maxBytes) }));
  return (c, next) => {
    // A GET or HEAD has no body (fetch's Request drops it), and asking for one would make
    // @hono/node-server build a full Request object: several µs on every read.
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const rule = routes.find((r) => r.method === c.req.method && r.path.test(c.req.path));
    return (rule?.handler ?? fallback)(c, next);
  };
}
