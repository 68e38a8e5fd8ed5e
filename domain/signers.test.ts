import { describe, expect, it } from "vitest";
import { DEFAULT_PERIOD_VALIDITY, signerExpired, signerExpiresAt, signerExpiresSoon } from "./signers";

describe("signer expiry", () => {
  it("expires at enabledAt + the latest periodValidity, 365 days when none was seen", () => {
    expect(DEFAULT_PERIOD_VALIDITY).toBe(365n * 86_400n);
    expect(signerExpiresAt(1000n, 10n)).toBe(1010n);
    expect(signerExpiresAt("1000", "10")).toBe(1010n);
    expect(signerExpiresAt("1000", null)).toBe(1000n + 31_536_000n);
    expect(signerExpiresAt("1", (2n ** 255n).toString())).toBe(2n ** 255n + 1n);
  });

  it("is expired from its expiry time on", () => {
    expect(signerExpired(1010n, 1009n)).toBe(false);
    expect(signerExpired(1010n, 1010n)).toBe(true);
    expect(signerExpired(1010n, 2000n)).toBe(true);
  });

  it("expires soon within the warning window, never once expired", () => {
    expect(signerExpiresSoon(1010n, 1000n, 10n)).toBe(true);
    expect(signerExpiresSoon(1010n, 999n, 10n)).toBe(false);
    expect(signerExpiresSoon(1010n, 1009n, 10n)).toBe(true);
    expect(signerExpiresSoon(1010n, 1010n, 10n)).toBe(false);
    expect(signerExpiresSoon(1010n, 1000n, 0n)).toBe(false);
  });
});
