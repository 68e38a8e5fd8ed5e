import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

/**
 * The client's IP for rate limiting. With `trustProxyHops` = n reverse proxies in front, it is the
 * address n hops back in X-Forwarded-For (each proxy appends the peer it saw; entries further left
 * are whatever the client wrote, so they are never trusted). Without proxies: the socket's peer.
 */
export function clientIp(c: Context, trustProxyHops: number): string {
  if (trustProxyHops > 0) {
    const hops = (c.req.header("x-forwarded-for") ?? "")
      .split(",")
      .map((h) => h.trim())
      .filter(Boolean);
    const ip = hops[hops.length - trustProxyHops] ?? hops[0];
    if (ip) return ip;
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    // Not served by @hono/node-server (app.request in tests): one bucket for all.
    return "unknown";
  }
}
