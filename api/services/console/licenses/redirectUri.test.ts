import { describe, expect, it } from "vitest";
import { checkRedirectUri, MAX_REDIRECT_URI_LENGTH, nearMatches } from "./redirectUri";

describe("checkRedirectUri", () => {
  it.each([
    "https://app.example/callback",
    "http://localhost:3000/cb",
    "http://localhost",
    "http://127.0.0.1:8080/auth?x=1",
    "https://intranet/cb",
  ])("accepts %s", (uri) => {
    const r = checkRedirectUri(uri);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.uri).toBe(uri);
  });

  it.each([
    ["", "required"],
    ["app.example/cb", "absolute URL"],
    ["ftp://app.example/cb", "http or https"],
    ["javascript:alert(1)", "http or https"],
    ["https://app.example/cb#x", "fragment"],
    ["https://app.example/c b", "spaces"],
    ["https://app.example/\ncb", "control"],
    ["https://u:p@app.example/cb", "credentials"],
    ["https:app.example", "host"],
    [`https://app.example/${"a".repeat(MAX_REDIRECT_URI_LENGTH)}`, "too long"],
  ])("refuses %j", (uri, why) => {
    const r = checkRedirectUri(uri);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(why);
  });

  it("keeps the URI as given and warns when it normalizes differently", () => {
    const r = checkRedirectUri("https://App.Example");
    expect(r).toMatchObject({ ok: true, uri: "https://App.Example" });
    if (r.ok) expect(r.warnings[0]).toContain('"https://app.example/"');
    const clean = checkRedirectUri("https://app.example/cb");
    expect(clean.ok && clean.warnings).toEqual([]);
  });

  it("finds near matches that differ by a trailing slash or case", () => {
    expect(
      nearMatches("https://app.example/cb/", ["https://app.example/cb", "https://other.example/cb"]),
    ).toEqual(["https://app.example/cb"]);
    expect(nearMatches("https://app.example/cb", ["https://app.example/cb"])).toEqual([]);
  });
});
