import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleApi, startConsoleApi } from "../console/harness";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { rawExchange, requestFrom } from "../support/rawHttp";

// Bounded requests (docs/security.md "Bounded requests"): bodies over the limit are refused before
// they are read, slow senders are cut off, and a client cannot pick its own address for the
// per-address limits by writing X-Forwarded-For.

let database: TestDatabase;
let api: ConsoleApi;
let proxied: ConsoleApi;

const MiB = 1024 * 1024;

beforeAll(async () => {
  database = await createTestDatabase("security_http");
  api = await startConsoleApi({
    databaseUrl: database.url,
    http: { headersMs: 500, requestMs: 1_000 },
  });
  // Behind two proxies, with a small per-address limit to see which address is counted.
  proxied = await startConsoleApi({
    databaseUrl: database.url,
    env: { TRUST_PROXY_HOPS: "2", RATE_LIMIT_CODES_PER_IP: "2" },
  });
});
afterAll(async () => {
  await api?.stop();
  await proxied?.stop();
  await database?.drop();
});

const host = (url: string) => new URL(url).host;

describe("request bodies", () => {
  it("answers a 1 MiB JSON body to POST /console/auth/email/verify with 413 in the error envelope", async () => {
    const body = JSON.stringify({ email: "a@example.com", code: "123456", pad: "x".repeat(MiB) });
    const res = await fetch(`${api.url}/console/auth/email/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: {
        code: "invalid_request",
        message: "Request body too large (64 KiB at most)",
        details: { maxBytes: 65_536 },
      },
    });
  });

  it("refuses a declared 1 MiB body before reading it: the answer comes though the body never does", async () => {
    const head =
      `POST /console/auth/email/verify HTTP/1.1\r\nHost: ${host(api.url)}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${MiB}\r\n\r\n`;
    const res = await rawExchange(api.url, head, [Buffer.from('{"email":')]);
    expect(res?.status).toBe(413);
    expect(res?.json().error.code).toBe("invalid_request");
  });

  it("counts a chunked body as it streams and refuses it at the limit, without waiting for its end", async () => {
    const chunk = (data: Buffer) =>
      Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from("\r\n")]);
    const head =
      `POST /console/auth/email/verify HTTP/1.1\r\nHost: ${host(api.url)}\r\n` +
      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    // 80 KiB sent, no terminating chunk: only a refusal at 64 KiB can answer.
    const res = await rawExchange(api.url, head, [
      chunk(Buffer.alloc(40 * 1024, 0x20)),
      chunk(Buffer.alloc(40 * 1024, 0x20)),
    ]);
    expect(res?.status).toBe(413);
    expect(res?.json().error.message).toBe("Request body too large (64 KiB at most)");
  });

  it("holds Login with DIMO to its own 16 KiB limit", async () => {
    // A fresh connection: the server may close one whose oversized body it did not read.
    const res = await requestFrom("127.0.0.1", `${api.url}/auth/challenge`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ address: `0x${"1".repeat(40)}`, pad: "x".repeat(20 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(res.json().error.message).toBe("Request body too large (16 KiB at most)");
  });
});

describe("slow clients", () => {
  it("answers 408 and closes when the headers do not arrive in time (slowloris)", async () => {
    const res = await rawExchange(
      api.url,
      `POST /console/auth/email/start HTTP/1.1\r\nHost: ${host(api.url)}\r\nContent-Type: application/json\r\n`,
    );
    expect(res?.status).toBe(408);
    expect(res?.headers.connection).toBe("close");
    expect(res?.json()).toEqual({
      error: { code: "invalid_request", message: "Request not received in time" },
    });
  });

  it("answers 408 when a declared body trickles in too slowly", async () => {
    const head =
      `POST /console/auth/email/start HTTP/1.1\r\nHost: ${host(api.url)}\r\n` +
      "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n";
    const res = await rawExchange(api.url, head, [Buffer.from('{"email":"slow')]);
    expect(res?.status).toBe(408);
  });
});

describe("client address", () => {
  it("never takes a client-written X-Forwarded-For entry: a chain shorter than TRUST_PROXY_HOPS counts the socket's peer", async () => {
    const start = (xff: string) =>
      fetch(`${proxied.url}/console/auth/email/start`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": xff },
        body: JSON.stringify({ email: `spoof-${xff.replace(/\W/g, "")}@example.com` }),
      });
    // Three forged single entries: all the same client (127.0.0.1), so the third is over 2.
    const statuses = [];
    for (const xff of ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) statuses.push((await start(xff)).status);
    expect(statuses).toEqual([202, 202, 429]);
    // A full chain names the address the outer proxy saw (second from the right), whatever the client prepended.
    expect((await start("6.6.6.6, 198.51.100.7, 10.0.0.1")).status).toBe(202);
    expect((await start("7.7.7.7, 198.51.100.7, 10.0.0.1")).status).toBe(202);
    expect((await start("8.8.8.8, 198.51.100.7, 10.0.0.1")).status).toBe(429);
  });
});
