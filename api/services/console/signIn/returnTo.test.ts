import { describe, expect, it } from "vitest";
import { safeReturnTo } from "./returnTo";

const PUBLIC = "https://console.example.com";
const FRONT = "https://app.example.com";
const ok = (raw: string | undefined) => safeReturnTo(raw, PUBLIC, [FRONT]);

describe("safeReturnTo", () => {
  it("keeps same-origin paths (relative) and allowed origins' URLs", () => {
    expect(ok(undefined)).toBe("/");
    expect(ok("")).toBe("/");
    expect(ok("/app?tab=keys#top")).toBe("/app?tab=keys#top");
    expect(ok("/a/../b")).toBe("/b");
    expect(ok(`${PUBLIC}/app`)).toBe(`${PUBLIC}/app`);
    expect(ok(`${FRONT}/done`)).toBe(`${FRONT}/done`);
  });

  it.each([
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/ok\r\nSet-Cookie: x=1",
    "/\tevil",
    "javascript:alert(1)",
    "data:text/html,hi",
    "https://console.example.com.evil.example/",
    "https://user:pass@console.example.com/",
    "http://console.example.com/",
    "app",
    `/${"a".repeat(2048)}`,
  ])("refuses %j", (raw) => {
    expect(() => ok(raw)).toThrow(/returnTo/);
  });
});
