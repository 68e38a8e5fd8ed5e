import { describe, expect, it } from "vitest";
import { isoFromSeconds, isoFromSecondsOrNull, MAX_ISO_SECONDS, unixSeconds } from "./time";

describe("isoFromSeconds", () => {
  it("formats unix seconds as ISO-8601 UTC with milliseconds", () => {
    expect(isoFromSeconds("1700000000")).toBe("2023-11-14T22:13:20.000Z");
    expect(isoFromSeconds(1700000000n)).toBe("2023-11-14T22:13:20.000Z");
    expect(isoFromSeconds(1700000000)).toBe("2023-11-14T22:13:20.000Z");
  });

  it("shows time 0 as the epoch, not null", () => {
    expect(isoFromSeconds("0")).toBe("1970-01-01T00:00:00.000Z");
  });

  it("clamps times beyond year 9999 (e.g. uint256 max) to the last representable second", () => {
    expect(isoFromSeconds(MAX_ISO_SECONDS)).toBe("9999-12-31T23:59:59.000Z");
    expect(isoFromSeconds(MAX_ISO_SECONDS - 1n)).toBe("9999-12-31T23:59:58.000Z");
    expect(isoFromSeconds(MAX_ISO_SECONDS + 1n)).toBe("9999-12-31T23:59:59.000Z");
    expect(isoFromSeconds((2n ** 256n - 1n).toString())).toBe("9999-12-31T23:59:59.000Z");
    expect(isoFromSeconds(2n ** 64n)).toBe("9999-12-31T23:59:59.000Z");
  });

  it("keeps null for nullable fields only", () => {
    expect(isoFromSecondsOrNull(null)).toBeNull();
    expect(isoFromSecondsOrNull("0")).toBe("1970-01-01T00:00:00.000Z");
  });
});

describe("unixSeconds", () => {
  it("floors to whole seconds", () => {
    expect(unixSeconds(new Date("2024-01-01T00:00:00.999Z"))).toBe(1704067200n);
  });
});
