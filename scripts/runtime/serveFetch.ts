import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";

export type Served = { url: string; close(): Promise<void> };

/**
 * A fetch handler (a Hono app's `fetch`) over real HTTP on 127.0.0.1, for browsers and load
 * generators; port 0 picks a free one. close() also drops keep-alive connections.
 */
export function serveFetch(
  fetch: (request: Request) => Response | Promise<Response>,
  port = 0,
): Promise<Served> {
  return new Promise((resolve) => {
    const server = serve({ fetch, hostname: "127.0.0.1", port }, (info: AddressInfo) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as Server).closeAllConnections();
          }),
      }),
    );
  });
}
