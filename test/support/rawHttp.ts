import http from "node:http";
import net from "node:net";

// HTTP below fetch, for attacks fetch cannot make: a request from another loopback address
// (127.0.0.2 is the same machine, but another client IP to the server), a declared body that never
// comes, headers that stop half-way.

export type RawAnswer = {
  status: number;
  headers: Record<string, string>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back.
  json(): any;
};

/** One request over a fresh connection from `localAddress` (e.g. "127.0.0.2"). */
export function requestFrom(
  localAddress: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: init.method ?? "GET",
        headers: {
          ...init.headers,
          ...(init.body !== undefined ? { "content-length": String(Buffer.byteLength(init.body)) } : {}),
        },
        localAddress,
        agent: false,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(answer(res.statusCode ?? 0, res.headers, Buffer.concat(chunks))));
        res.on("error", reject);
      },
    );
    // The server may answer (a 413) and close before the whole body is written: the answer counts.
    let answered = false;
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    req.end(init.body);
  });
}

function answer(status: number, raw: http.IncomingHttpHeaders, body: Buffer): RawAnswer {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) headers[k] = String(v);
  const text = body.toString("utf8");
  return { status, headers, text, json: () => JSON.parse(text) };
}

/**
 * Writes `head` (and then each of `parts`) on a raw socket and never sends more: resolves with the
 * first response the server sends (parsed), or null when the server closed without one.
 */
export function rawExchange(url: string, head: string, parts: Buffer[] = []): Promise<RawAnswer | null> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port) });
    let received = Buffer.alloc(0);
    const finish = (value: RawAnswer | null) => {
      socket.destroy();
      resolve(value);
    };
    socket.on("connect", () => {
      socket.write(head);
      for (const p of parts) socket.write(p);
    });
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const parsed = parseResponse(received);
      if (parsed) finish(parsed);
    });
    socket.on("end", () => finish(parseResponse(received, true)));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      // A reset after the answer arrived is the server closing on a body it will not read.
      const parsed = parseResponse(received, true);
      if (parsed || error.code === "ECONNRESET" || error.code === "EPIPE") finish(parsed);
      else reject(error);
    });
  });
}

function parseResponse(bytes: Buffer, ended = false): RawAnswer | null {
  const end = bytes.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const [statusLine, ...lines] = bytes.subarray(0, end).toString("latin1").split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = bytes.subarray(end + 4);
  const length = headers["content-length"] === undefined ? null : Number(headers["content-length"]);
  if (length === null ? !ended : body.length < length) return null;
  const text = body.subarray(0, length ?? body.length).toString("utf8");
  return { status: Number(statusLine!.split(" ")[1]), headers, text, json: () => JSON.parse(text) };
}
