import http from "node:http";
import type { AddressInfo } from "node:net";

// A minimal loopback JSON-RPC 2.0 server (single and batch requests) for the cassette recorder and
// replayer. The URL path and query string are ignored: config/rpc.ts fans loopback URLs out into
// `?bucket=i` variants so Ponder rate-limits each separately.

export type RpcRequest = { jsonrpc?: string; id?: unknown; method: string; params?: unknown[] };

/** `json` is the result already serialized (big log lists are kept as text, never re-stringified). */
export type RpcAnswer = { result: unknown } | { json: string } | { error: { code: number; message: string } };

/** Thrown by a handler to answer the whole HTTP request with this status (e.g. an upstream 429). */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}`);
  }
}

/**
 * Thrown by a handler to reset the connection without any answer, the way an overloaded provider or
 * a proxy in between sometimes does (the fault-injecting proxy uses it).
 */
export class DropConnectionError extends Error {
  constructor() {
    super("connection dropped");
  }
}

export type RpcServer = { url: string; port: number; close(): Promise<void> };

function frame(id: unknown, answer: RpcAnswer): string {
  const head = `{"jsonrpc":"2.0","id":${JSON.stringify(id ?? null)},`;
  if ("json" in answer) return `${head}"result":${answer.json}}`;
  if ("error" in answer) return `${head}"error":${JSON.stringify(answer.error)}}`;
  return `${head}"result":${JSON.stringify(answer.result ?? null)}}`;
}

export async function startRpcServer(
  handle: (req: RpcRequest) => Promise<RpcAnswer>,
  opts: { port?: number } = {},
): Promise<RpcServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(frame(null, { error: { code: -32700, message: "parse error" } }));
        return;
      }
      const one = async (r: RpcRequest) => {
        if (!r || typeof r.method !== "string") {
          return frame(r?.id, { error: { code: -32600, message: "invalid request" } });
        }
        return frame(r.id, await handle(r));
      };
      try {
        const text = Array.isArray(body)
          ? `[${(await Promise.all(body.map((r) => one(r as RpcRequest)))).join(",")}]`
          : await one(body as RpcRequest);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(text);
      } catch (error) {
        if (error instanceof DropConnectionError) {
          req.socket.destroy();
          return;
        }
        if (error instanceof HttpStatusError) {
          res.writeHead(error.status, { "content-type": "application/json" });
          res.end(error.body);
          return;
        }
        res.writeHead(500, { "content-type": "application/json" });
        res.end(frame(null, { error: { code: -32603, message: String(error) } }));
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: opts.port ?? 0, host: "127.0.0.1" }, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
