import { describe, expect, it } from "vitest";
import { maskOf } from "../../../domain/permissions";
import { privilegeGrant, sacdGrant, sharedVehicle, signer } from "./shape";

const A = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const A_CS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const MAX = (2n ** 256n - 1n).toString();

const sacd = (over: Partial<Parameters<typeof sacdGrant>[0]> = {}) => ({
  grantee: A,
  permissions: maskOf([1, 2]).toString(),
  expires_at: "1700000000",
  source: "ipfs://x",
  template_id: null,
  ...over,
});

describe("sacdGrant", () => {
  it("checksums the grantee, shows the mask as minimal lowercase hex, keeps source and templateId", () => {
    expect(sacdGrant(sacd({ template_id: `0x${"AB".repeat(32)}` }))).toStrictEqual({
      kind: "sacd",
      grantee: A_CS,
      permissions: "0x3c",
      expiresAt: "2023-11-14T22:13:20.000Z",
      source: "ipfs://x",
      templateId: `0x${"ab".repeat(32)}`,
    });
  });

  it("shows an empty source as null, a zero mask as 0x0, and a uint256 expiry clamped", () => {
    expect(sacdGrant(sacd({ source: "", permissions: "0", expires_at: MAX }))).toMatchObject({
      permissions: "0x0",
      source: null,
      expiresAt: "9999-12-31T23:59:59.000Z",
    });
    expect(sacdGrant(sacd({ permissions: MAX })).permissions).toBe(`0x${"f".repeat(64)}`);
  });
});

describe("privilegeGrant", () => {
  it("has a numeric privilegeId and the user as grantee", () => {
    expect(privilegeGrant({ user: A, privilege_id: "4", expires_at: "0" })).toStrictEqual({
      kind: "privilege",
      grantee: A_CS,
      privilegeId: 4,
      expiresAt: "1970-01-01T00:00:00.000Z",
    });
  });
});

describe("sharedVehicle", () => {
  it("unions permission names of both grant kinds in id order, keeps the latest expiry", () => {
    const v = sharedVehicle(
      "42",
      A,
      [sacd({ permissions: maskOf([8, 3]).toString(), expires_at: "100" })],
      [
        { user: A, privilege_id: "1", expires_at: "300" },
        { user: A, privilege_id: "3", expires_at: "200" },
        { user: A, privilege_id: "9", expires_at: "400" },
      ],
    );
    expect(v.vehicleId).toBe(42);
    expect(v.owner).toBe(A_CS);
    expect(v.permissions).toEqual(["GetNonLocationHistory", "GetCurrentLocation", "GetApproximateLocation"]);
    expect(v.expiresAt).toBe("1970-01-01T00:06:40.000Z"); // 400: an unnamed privilege still counts as a grant
    expect(v.grants.map((g) => g.kind)).toEqual(["sacd", "privilege", "privilege", "privilege"]);
  });

  it("ignores the half-set bit pairs of a SACD mask", () => {
    const v = sharedVehicle("1", null, [sacd({ permissions: ((1n << 2n) | (2n << 4n)).toString() })], []);
    expect(v.permissions).toEqual([]);
    expect(v.owner).toBeNull();
  });
});

describe("signer", () => {
  it("expires at enabledAt + periodValidity, expired when that is <= now", () => {
    expect(signer({ signer: A, enabled_at: "1000" }, "10", 1009n)).toStrictEqual({
      address: A_CS,
      enabledAt: "1970-01-01T00:16:40.000Z",
      expiresAt: "1970-01-01T00:16:50.000Z",
      expired: false,
    });
    expect(signer({ signer: A, enabled_at: "1000" }, "10", 1010n).expired).toBe(true);
  });

  it("defaults to 365 days and clamps huge periods", () => {
    expect(signer({ signer: A, enabled_at: "1" }, null, 0n).expiresAt).toBe("1971-01-01T00:00:01.000Z");
    expect(signer({ signer: A, enabled_at: "1" }, (2n ** 255n).toString(), 0n)).toMatchObject({
      expiresAt: "9999-12-31T23:59:59.000Z",
      expired: false,
    });
  });
});
