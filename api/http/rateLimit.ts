import type { Context } from "hono";
import type { Kysely } from "kysely";
import type { Database } from "../db/database";
import { windowCounter } from "../db/windowCounter";
import { RateLimitedError } from "../errors";
import { clientIp } from "./clientIp";

// Per-minute limits on the login challenge endpoints, shared by every replica: both of a request's
// windows (per IP, per client) counted in one statement (console.login_rate_limit).

export type RateLimitOptions = {
  db: Kysely<Database>;
  /** Bucket name, e.g. "login"; keys are `${name}_ip:<ip>` and `${name}_client:<id>`. */
  name: string;
  /** Requests per minute per client IP; 0 = unlimited. */
  perIp: number;
  /** Requests per minute per client (client_id / address); 0 = unlimited. */
  perClient: number;
  trustProxyHops: number;
};

const WINDOW_MS = 60_000;

/**
 * Returns a check to await in a handler once the client key is known: it counts one request for
 * the caller's IP and for `clientKey`, and throws RateLimitedError (429, Retry-After set) when
 * either is over its limit.
 */
export function rateLimit(opts: RateLimitOptions) {
  const count = windowCounter(opts.db, "login_rate_limit");
  const ipPrefix = `${opts.name}_ip:`;
  const clientPrefix = `${opts.name}_client:`;

  return async (c: Context, clientKey: string | null): Promise<void> => {
    const keys: string[] = [];
    if (opts.perIp > 0) keys.push(ipPrefix + clientIp(c, opts.trustProxyHops));
    if (opts.perClient > 0 && clientKey) keys.push(clientPrefix + clientKey.toLowerCase());
    if (keys.length === 0) return;
    const now = Date.now();
    let retryMs = 0;
    for (const w of await count(keys, WINDOW_MS)) {
      const limit = w.key.startsWith(ipPrefix) ? opts.perIp : opts.perClient;
      if (w.points > limit) retryMs = Math.max(retryMs, w.expire - now);
    }
    if (retryMs > 0) {
      const retryAfter = Math.max(1, Math.ceil(retryMs / 1000));
      c.header("Retry-After", String(retryAfter));
      throw new RateLimitedError(`Too many requests; retry in ${retryAfter} s`);
    }
  };
}

export type RateLimitCheck = ReturnType<typeof rateLimit>;
