import net from "node:net";

// A minimal HTTP/1.1 keep-alive client on one socket, one request at a time: a load client's
// whole cost per request is formatting one string, one write and parsing the status line and a
// Content-Length (or chunked) body, a fraction of node:http's (an Agent, ClientRequest and
// IncomingMessage objects per request). For bench clients that must do more per request than
// wrk can (sign a challenge between two calls).

export type RawResponse = { status: number; body: string };

/**
 * The first complete response at the start of `buf`, and where the next begins; null while the
 * bytes so far end mid-response.
 */
export function parseResponse(buf: Buffer): { response: RawResponse; end: number } | null {
  const headEnd = buf.indexOf("\r\n\r\n");
  if (headEnd < 0) return null;
  const head = buf.toString("latin1", 0, headEnd);
  const status = Number(head.slice(9, 12));
  if (!/^HTTP\/1\.[01] \d{3}/.test(head)) throw new Error(`not an HTTP response: ${head.slice(0, 40)}`);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  const bodyStart = headEnd + 4;
  if (length) {
    const end = bodyStart + Number(length[1]);
    if (buf.length < end) return null;
    return { response: { status, body: buf.toString("utf8", bodyStart, end) }, end };
  }
  if (!/\r\ntransfer-encoding:\s*chunked/i.test(head))
    return { response: { status, body: "" }, end: bodyStart };
  const parts: Buffer[] = [];
  for (let at = bodyStart; ; ) {
    const lineEnd = buf.indexOf("\r\n", at);
    if (lineEnd < 0) return null;
    const size = Number.parseInt(buf.toString("latin1", at, lineEnd), 16);
    const dataEnd = lineEnd + 2 + size;
    if (buf.length < dataEnd + 2) return null;
    if (size === 0)
      return { response: { status, body: Buffer.concat(parts).toString("utf8") }, end: dataEnd + 2 };
    parts.push(buf.subarray(lineEnd + 2, dataEnd));
    at = dataEnd + 2;
  }
}

export class KeepAliveClient {
  private socket: net.Socket | null = null;
  private buf: Buffer = Buffer.alloc(0);
  private waiting: { resolve(r: RawResponse): void; reject(e: Error): void } | null = null;

  constructor(private readonly url: URL) {}

  /** POST an application/x-www-form-urlencoded body. */
  postForm(path: string, form: Record<string, string>): Promise<RawResponse> {
    const body = new URLSearchParams(form).toString();
    return this.send(
      `POST ${path} HTTP/1.1\r\nHost: ${this.url.host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private send(request: string): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.connected().write(request);
    });
  }

  private connected(): net.Socket {
    if (this.socket && !this.socket.destroyed) return this.socket;
    const socket = net.connect({ host: this.url.hostname, port: Number(this.url.port), noDelay: true });
    this.buf = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      const parsed = parseResponse(this.buf);
      if (!parsed) return;
      this.buf = this.buf.subarray(parsed.end);
      const w = this.waiting;
      this.waiting = null;
      w?.resolve(parsed.response);
    });
    const fail = (error: Error) => {
      const w = this.waiting;
      this.waiting = null;
      this.socket = null;
      w?.reject(error);
    };
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("connection closed")));
    this.socket = socket;
    return socket;
  }
}
