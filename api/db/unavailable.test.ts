import pg from "pg";
import { describe, expect, it } from "vitest";
import { unavailableReason } from "./unavailable";

const dbError = (code: string) => Object.assign(new pg.DatabaseError("x", 1, "error"), { code });
const sysError = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe("unavailableReason", () => {
  it("recognizes missing views (the indexer still backfilling)", () => {
    expect(unavailableReason(dbError("42P01"))).toBe("views_missing");
    expect(unavailableReason(dbError("3F000"))).toBe("views_missing");
  });

  it("recognizes outages: connection, shutdown, statement timeout, resources, network", () => {
    for (const code of ["08006", "08001", "57P01", "57P03", "57014", "53300", "3D000"]) {
      expect(unavailableReason(dbError(code)), code).toBe("database");
    }
    for (const code of ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT"])
      expect(unavailableReason(sysError(code))).toBe("database");
    expect(unavailableReason(new Error("timeout exceeded when trying to connect"))).toBe("database");
    expect(unavailableReason(new Error("Connection terminated unexpectedly"))).toBe("database");
    expect(unavailableReason(new AggregateError([sysError("ECONNREFUSED")]))).toBe("database");
    expect(unavailableReason(new Error("wrapped", { cause: sysError("ECONNRESET") }))).toBe("database");
  });

  it("leaves bugs alone", () => {
    expect(unavailableReason(dbError("42703"))).toBeNull(); // undefined_column
    expect(unavailableReason(dbError("22P02"))).toBeNull(); // invalid_text_representation
    expect(unavailableReason(new TypeError("x is undefined"))).toBeNull();
    expect(unavailableReason(null)).toBeNull();
  });
});
