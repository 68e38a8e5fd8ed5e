import { describe, expect, it } from "vitest";
import { parseResponse } from "./keepAliveClient";

const b = (s: string) => Buffer.from(s, "utf8");

describe("keep-alive client's response parser", () => {
  it("reads a Content-Length body and says where the next response starts", () => {
    const one = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 10\r\n\r\n{"a":"é"}';
    const parsed = parseResponse(b(`${one}HTTP/1.1 404`));
    expect(parsed?.response).toEqual({ status: 200, body: '{"a":"é"}' });
    expect(parsed?.end).toBe(Buffer.byteLength(one));
  });

  it("waits for the rest of a body or of the headers", () => {
    expect(parseResponse(b("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"))).toBeNull();
    expect(parseResponse(b("HTTP/1.1 200 OK\r\nContent-Le"))).toBeNull();
  });

  it("reads a chunked body", () => {
    const r = parseResponse(
      b("HTTP/1.1 400 Bad\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"),
    );
    expect(r?.response).toEqual({ status: 400, body: "abcde" });
    expect(parseResponse(b("HTTP/1.1 400 Bad\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"))).toBeNull();
  });

  it("refuses what is not HTTP", () => {
    expect(() => parseResponse(b("SSH-2.0-OpenSSH\r\n\r\n"))).toThrow(/not an HTTP response/);
  });
});
