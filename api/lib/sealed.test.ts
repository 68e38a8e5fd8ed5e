import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { open, SealError, seal } from "./sealed";

describe("sealed", () => {
  const key = randomBytes(32);

  it("round-trips and never shows the plaintext", () => {
    const sealed = seal(key, '{"d":"secret"}', "signing-key:a");
    expect(sealed).not.toContain("secret");
    expect(open(key, sealed, "signing-key:a")).toBe('{"d":"secret"}');
    expect(seal(key, "x", "c")).not.toBe(seal(key, "x", "c"));
  });

  it("refuses another key, another context or an altered value", () => {
    const sealed = seal(key, "payload", "signing-key:a");
    expect(() => open(randomBytes(32), sealed, "signing-key:a")).toThrow(SealError);
    expect(() => open(key, sealed, "signing-key:b")).toThrow(SealError);
    const raw = Buffer.from(sealed.slice(3), "base64url");
    raw[raw.length - 20]! ^= 1;
    expect(() => open(key, `v1.${raw.toString("base64url")}`, "signing-key:a")).toThrow(SealError);
    expect(() => open(key, "v2.abc", "signing-key:a")).toThrow(SealError);
  });
});
