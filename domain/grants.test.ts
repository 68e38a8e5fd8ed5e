import { describe, expect, it } from "vitest";
import { grantTarget, sourceOrNull, templateIdHex } from "./grants";

const VEHICLE = "0xbA5738a18d83D41847dfFbDC6101d37C69c9B0cF";
const OTHER = "0x4804e8D1661cd1a1e5dDdE1ff458A7f878c0aC6D";

describe("grantTarget", () => {
  it("routes tokenId 0 to account grants whatever the asset", () => {
    expect(grantTarget(OTHER, 0n, VEHICLE)).toBe("account");
    expect(grantTarget(VEHICLE, 0n, VEHICLE)).toBe("account");
  });
  it("keeps only VehicleId grants, in any address case", () => {
    expect(grantTarget(VEHICLE.toLowerCase() as `0x${string}`, 7n, VEHICLE)).toBe("vehicle");
    expect(grantTarget(OTHER, 7n, VEHICLE)).toBe("ignored");
  });
});

describe("grant fields", () => {
  it("formats templateId as 32-byte hex, null for 0 or absent", () => {
    expect(templateIdHex(undefined)).toBeNull();
    expect(templateIdHex(0n)).toBeNull();
    expect(templateIdHex(255n)).toBe(`0x${"0".repeat(62)}ff`);
  });
  it("maps an empty source to null", () => {
    expect(sourceOrNull("")).toBeNull();
    expect(sourceOrNull("ipfs://x")).toBe("ipfs://x");
  });
});
