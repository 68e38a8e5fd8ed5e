import { describe, expect, it } from "vitest";
import { loadConfig } from "./env";

const CUSTOM = {
  DIMO_NETWORK: "custom",
  RPC_URL: "http://127.0.0.1:8545",
  DEV_LICENSE_ADDRESS: `0x${"1".repeat(40)}`,
  VEHICLE_ID_ADDRESS: `0x${"2".repeat(40)}`,
  SACD_ADDRESS: `0x${"3".repeat(40)}`,
};

describe("operations config", () => {
  it("funds devnet wallets by default on the local network only", () => {
    expect(loadConfig({}).operations).toEqual({
      pollMs: 100,
      preparedTtlSeconds: 1_800,
      maxPrepared: 5,
      maxWaitersPerSession: 4,
      maxWaiters: 1_000,
      devnetFunding: true,
    });
    expect(loadConfig({ ...CUSTOM, CHAIN_ID: "31337" }).operations.devnetFunding).toBe(false);
    expect(
      loadConfig({ ...CUSTOM, CHAIN_ID: "31337", DEVNET_FUND_WALLETS: "true" }).operations.devnetFunding,
    ).toBe(true);
    expect(loadConfig({ DEVNET_FUND_WALLETS: "false" }).operations.devnetFunding).toBe(false);
  });

  it("refuses devnet funding on a real network", () => {
    expect(() =>
      loadConfig({ DIMO_NETWORK: "amoy", RPC_URL: "https://rpc.example", DEVNET_FUND_WALLETS: "1" }),
    ).toThrow("DEVNET_FUND_WALLETS: is for the local devnet only (chain 31337), not amoy (80002)");
    expect(() => loadConfig({ ...CUSTOM, CHAIN_ID: "137", DEVNET_FUND_WALLETS: "true" })).toThrow(
      /local devnet only/,
    );
  });

  it("bounds the follower's poll and the prepared lifetime", () => {
    expect(
      loadConfig({ OPERATIONS_POLL_MS: "25", OPERATIONS_PREPARED_TTL_SECONDS: "600" }).operations,
    ).toMatchObject({
      pollMs: 25,
      preparedTtlSeconds: 600,
    });
    expect(() => loadConfig({ OPERATIONS_POLL_MS: "1" })).toThrow(/OPERATIONS_POLL_MS/);
  });
});
