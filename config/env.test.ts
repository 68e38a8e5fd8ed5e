import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./env";
import { DEPLOYMENTS } from "./networks";

const custom = {
  DIMO_NETWORK: "custom",
  RPC_URL: "http://127.0.0.1:8545",
  CHAIN_ID: "31337",
  DEV_LICENSE_ADDRESS: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
  VEHICLE_ID_ADDRESS: "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
  SACD_ADDRESS: "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0",
};

function errorOf(env: Record<string, string>) {
  try {
    loadConfig(env);
  } catch (e) {
    return e as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("defaults to the local devnet with embedded services", () => {
    const config = loadConfig({});
    expect(config.chain.network).toBe("local");
    expect(config.chain.rpcUrl).toBeNull();
    expect(config.databaseUrl).toBeNull();
    expect(config.port).toBe(3000);
    expect(config.indexerPort).toBe(42069);
    expect(config.publicUrl).toBe("http://localhost:3000");
    expect(config.chain.devLicense).toBe(DEPLOYMENTS.local.devLicense);
  });

  it("reads hot standbys as a comma-separated list, and never echoes one that is bad", () => {
    expect(loadConfig({}).databaseReadUrls).toEqual([]);
    const config = loadConfig({
      DATABASE_READ_URL: " postgresql://a:pw@s1:5432/dimo , postgres://a:pw@s2/dimo,",
      DATABASE_READ_MAX_LAG_MS: "2500",
    });
    expect(config.databaseReadUrls).toEqual(["postgresql://a:pw@s1:5432/dimo", "postgres://a:pw@s2/dimo"]);
    expect(config.api.readMaxLagMs).toBe(2500);
    expect(loadConfig({}).api.readMaxLagMs).toBe(5000);
    const bad = errorOf({ DATABASE_READ_URL: "postgresql://a:secret-pw@s1/dimo,mysql://a:secret-pw@s2/x" });
    expect(bad.message).toMatch(/^DATABASE_READ_URL: /);
    expect(bad.message).not.toContain("secret-pw");
    expect(errorOf({ DATABASE_READ_MAX_LAG_MS: "50" }).message).toMatch(/^DATABASE_READ_MAX_LAG_MS: /);
  });

  it("reads a custom deployment, checksumming addresses", () => {
    const config = loadConfig({ ...custom, START_BLOCK: "12" });
    expect(config.chain).toEqual({
      network: "custom",
      rpcUrl: "http://127.0.0.1:8545",
      chainId: 31337,
      devLicense: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      vehicleId: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
      sacd: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
      dimoToken: null,
      dimoCredit: null,
      startBlock: 12,
    });
  });

  it("lets START_BLOCK and addresses override a known network", () => {
    const config = loadConfig({
      DIMO_NETWORK: "polygon",
      RPC_URL: "https://polygon.example",
      START_BLOCK: "70000000",
      SACD_ADDRESS: custom.SACD_ADDRESS,
    });
    expect(config.chain.startBlock).toBe(70_000_000);
    expect(config.chain.sacd).toBe("0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0");
    expect(config.chain.devLicense).toBe(DEPLOYMENTS.polygon.devLicense);
  });

  it("gives Polygon and Amoy a 10,000-block eth_getLogs range and 2 s polling, overridable", () => {
    const polygon = { DIMO_NETWORK: "polygon", RPC_URL: "https://polygon.example" };
    expect(loadConfig(polygon).indexerRpc).toEqual({
      getLogsBlockRange: 10_000,
      pollingIntervalMs: 2_000,
      loopbackBuckets: 16,
    });
    expect(
      loadConfig({ DIMO_NETWORK: "amoy", RPC_URL: "https://amoy.example" }).indexerRpc.getLogsBlockRange,
    ).toBe(10_000);
    expect(loadConfig({}).indexerRpc).toEqual({
      getLogsBlockRange: null,
      pollingIntervalMs: 200,
      loopbackBuckets: 16,
    });
    const overridden = loadConfig({
      ...polygon,
      RPC_GET_LOGS_BLOCK_RANGE: "auto",
      RPC_POLLING_INTERVAL_MS: "500",
      RPC_LOOPBACK_BUCKETS: "1",
    }).indexerRpc;
    expect(overridden).toEqual({ getLogsBlockRange: null, pollingIntervalMs: 500, loopbackBuckets: 1 });
    expect(() => loadConfig({ ...polygon, RPC_GET_LOGS_BLOCK_RANGE: "0" })).toThrow(
      /RPC_GET_LOGS_BLOCK_RANGE/,
    );
  });

  it("infers polygon and amoy from CHAIN_ID when RPC_URL is set", () => {
    expect(loadConfig({ RPC_URL: "https://x.example", CHAIN_ID: "80002" }).chain.network).toBe("amoy");
    expect(loadConfig({ RPC_URL: "https://x.example", CHAIN_ID: "137" }).chain.network).toBe("polygon");
  });

  it.each([
    [{ PORT: "http" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ DIMO_NETWORK: "mainnet" }, "DIMO_NETWORK"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ START_BLOCK: "-1" }, "START_BLOCK"],
    [{ ...custom, SACD_ADDRESS: "0x1234" }, "SACD_ADDRESS"],
    [{ ...custom, CHAIN_ID: "" }, "CHAIN_ID"],
    [{ DIMO_NETWORK: "custom", RPC_URL: custom.RPC_URL, CHAIN_ID: "5" }, "DEV_LICENSE_ADDRESS"],
    [{ DIMO_NETWORK: "polygon" }, "RPC_URL"],
    [{ RPC_URL: "http://127.0.0.1:8545" }, "DIMO_NETWORK"],
    [{ DIMO_NETWORK: "amoy", RPC_URL: "https://x.example", CHAIN_ID: "137" }, "CHAIN_ID"],
  ])("names the bad variable in one line: %o", (env, variable) => {
    const error = errorOf(env as Record<string, string>);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
    expect(error.message).not.toContain("\n");
  });
});
