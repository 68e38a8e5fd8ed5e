import pg from "pg";
import { describe, expect, it } from "vitest";
import { formatLsn, parseLsn, standbyFailure, WalHistory } from "./replicas";

describe("WAL positions", () => {
  it("parses and prints pg_lsn text", () => {
    expect(parseLsn("0/0")).toBe(0n);
    expect(parseLsn("16/B374D848")).toBe((0x16n << 32n) | 0xb374d848n);
    expect(formatLsn(parseLsn("16/B374D848"))).toBe("16/B374D848");
    expect(() => parseLsn("16-B3")).toThrow(/not a WAL position/);
  });
});

describe("standby lag from the primary's WAL samples", () => {
  it("is 0 for a standby at or past the newest sample, and unknown before any sample", () => {
    const h = new WalHistory(10_000);
    expect(h.lagMs(5n, 1_000)).toBeNull();
    h.add(1_000, 100n);
    expect(h.lagMs(100n, 9_000)).toBe(0);
    expect(h.lagMs(150n, 9_000)).toBe(0);
  });

  it("is the age of the oldest position the standby has not replayed", () => {
    const h = new WalHistory(10_000);
    h.add(1_000, 100n);
    h.add(1_200, 100n); // unchanged: keeps the time 100 was first seen
    h.add(1_400, 200n);
    h.add(1_600, 300n);
    expect(h.lagMs(100n, 2_000)).toBe(600); // lacks 200, first seen at 1,400
    expect(h.lagMs(250n, 2_000)).toBe(400); // lacks 300, first seen at 1,600
    expect(h.lagMs(50n, 2_000)).toBe(1_000);
  });

  it("keeps growing for a standby cut off while the primary moves on, within the window", () => {
    const h = new WalHistory(1_000);
    for (let t = 0; t <= 5_000; t += 200) h.add(t, BigInt(t + 1));
    // Samples older than the window are gone: a standby that far behind reads as the window's age.
    expect(h.lagMs(0n, 5_000)).toBeGreaterThanOrEqual(1_000);
    expect(h.latest()).toBe(5_001n);
  });
});

describe("which standby failures the primary answers instead", () => {
  const dbError = (code: string) => Object.assign(new pg.DatabaseError("x", 0, "error"), { code });
  it("retries a lost or refusing standby and a recovery conflict, not a timeout or a bug", () => {
    expect(standbyFailure(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBe(
      "down",
    );
    expect(standbyFailure(dbError("57P01"))).toBe("down"); // admin shutdown
    expect(standbyFailure(dbError("57P03"))).toBe("down"); // starting up
    expect(standbyFailure(new Error("Connection terminated unexpectedly"))).toBe("down");
    expect(standbyFailure(dbError("40001"))).toBe("conflict");
    expect(standbyFailure(dbError("57014"))).toBeNull(); // statement timeout
    expect(standbyFailure(dbError("42703"))).toBeNull(); // undefined column: a bug
  });
});
