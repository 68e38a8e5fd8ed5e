import { describe, expect, it } from "vitest";
import {
  hasPermission,
  maskOf,
  maskToHex,
  namesInOrder,
  parsePermission,
  permissionIdsOfMask,
  permissionName,
} from "./permissions";

describe("SACD masks", () => {
  it("grants permission i only when both of its bits are set", () => {
    expect(permissionIdsOfMask(0x3fffcn)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(hasPermission(0b1100n, 1)).toBe(true);
    expect(hasPermission(0b0100n, 1)).toBe(false);
    expect(hasPermission(0b1000n, 1)).toBe(false);
    // bits 0-1 are unused
    expect(permissionIdsOfMask(0b11n)).toEqual([]);
  });

  it("reads the console simulator's 510 as permissions 1-3 only (its known bug)", () => {
    expect(permissionIdsOfMask(510n)).toEqual([1, 2, 3]);
  });

  it("ignores bits above permission 8 and round-trips maskOf", () => {
    expect(permissionIdsOfMask((3n << 20n) | maskOf([2, 8]))).toEqual([2, 8]);
    expect(maskOf([1, 2, 3, 4, 5, 6, 7, 8])).toBe(0x3fffcn);
  });

  it("formats masks as lowercase minimal hex", () => {
    expect(maskToHex(0x3fffcn)).toBe("0x3fffc");
    expect(maskToHex(0n)).toBe("0x0");
    expect(maskToHex(2n ** 255n)).toBe(`0x8${"0".repeat(63)}`);
  });
});

describe("names", () => {
  it("maps ids and names both ways, including the privilege: prefix", () => {
    expect(permissionName(5)).toBe("GetVINCredential");
    expect(permissionName(9)).toBeNull();
    expect(parsePermission("privilege:GetLiveData")).toBe(6);
    expect(parsePermission("GetRawData")).toBe(7);
    expect(parsePermission(8)).toBe(8);
    expect(parsePermission("getrawdata")).toBeNull();
    expect(parsePermission(0)).toBeNull();
  });

  it("orders names by permission id without repeats", () => {
    expect(namesInOrder([4, 1, 4, 8])).toEqual([
      "GetNonLocationHistory",
      "GetLocationHistory",
      "GetApproximateLocation",
    ]);
  });
});
