import { isIP } from "node:net";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

/**
 * The client's IP for rate limits and per-address caps. With `trustProxyHops` = n reverse proxies
 * in front, it is the address n hops back in X-Forwarded-For: each proxy appends the peer it saw,
 * so that entry was written by our outermost proxy. Entries further left are whatever the client
 * wrote, so they are never used: when the header has fewer than n entries (the request did not
 * come through every proxy) or the entry is not an IP, the socket's peer is the answer.
 */
export function clientIp(c: Context, trustProxyHops: number): string {
  if (trustProxyHops > 0) {
    const hops = (c.req.header("x-forwarded-for") ?? "")
      .split(",")
      .map((h) => h.trim())
      .filter(Boolean);
    const ip = hops.length >= trustProxyHops ? hops[hops.length - trustProxyHops] : undefined;
    if (ip && isIP(ip)) return ip;
  }
  return peerIp(c);
}

/** The TCP peer of the request. */
export function peerIp(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    // Not served by @hono/node-server (app.request in tests): one bucket for all.
    return "unknown";
  }
}
