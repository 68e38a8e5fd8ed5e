import { createHash } from "node:crypto";
import type { Context, TypedResponse } from "hono";
import type { JSONParsed } from "hono/utils/types";

const PUBLIC_CACHE_CONTROL = "public, max-age=2";

/**
 * A public read: JSON with a short shared cache lifetime and a strong ETag of the exact body, and
 * 304 when the client already has it. Hashing the string we serialize anyway is cheaper than an
 * etag middleware that clones and re-reads every response stream.
 */
export function publicJson<T>(c: Context, data: T): TypedResponse<JSONParsed<T>, 200, "json"> {
  const body = JSON.stringify(data);
  const etag = `"${createHash("sha1").update(body).digest("base64url")}"`;
  c.header("Cache-Control", PUBLIC_CACHE_CONTROL);
  c.header("ETag", etag);
  const ifNoneMatch = c.req.header("If-None-Match");
  if (ifNoneMatch && matches(ifNoneMatch, etag)) {
    return c.body(null, 304) as unknown as TypedResponse<JSONParsed<T>, 200, "json">;
  }
  c.header("Content-Type", "application/json");
  return c.body(body, 200) as unknown as TypedResponse<JSONParsed<T>, 200, "json">;
}

/** RFC 9110 §13.1.2: weak comparison, a list of tags, or `*`. */
function matches(header: string, etag: string): boolean {
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}
