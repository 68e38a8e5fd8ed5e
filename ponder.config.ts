import { createConfig } from "ponder";
import { devLicenseAbi } from "./abis/devLicense";
import { sacdAbi } from "./abis/sacd";
import { vehicleIdAbi } from "./abis/vehicleId";
import { loadConfig } from "./config";
import { rpcEndpoints } from "./config/rpc";

// Built from the same validated environment as every other part (config/), so START_BLOCK and the
// address overrides point the indexer at any deployment, including a test's.
const { chain, databaseUrl, indexerRpc } = loadConfig();
if (!chain.rpcUrl) {
  throw new Error("RPC_URL: required to run the indexer on its own (npm start sets it for the local devnet)");
}
if (!databaseUrl) {
  throw new Error(
    "DATABASE_URL: required to run the indexer on its own (npm start sets it for embedded Postgres)",
  );
}

const contract = { chain: chain.network, startBlock: chain.startBlock } as const;

export default createConfig({
  database: { kind: "postgres", connectionString: databaseUrl, poolConfig: { max: 20 } },
  chains: {
    [chain.network]: {
      id: chain.chainId,
      rpc: rpcEndpoints(chain.rpcUrl, indexerRpc.loopbackBuckets),
      // Per network (config/rpc.ts): 10,000-block eth_getLogs and 2 s polling on Polygon and Amoy,
      // fast polling on a local chain; RPC_* variables override.
      pollingInterval: indexerRpc.pollingIntervalMs,
      ...(indexerRpc.getLogsBlockRange === null
        ? {}
        : { ethGetLogsBlockRange: indexerRpc.getLogsBlockRange }),
    },
  },
  contracts: {
    DevLicense: { ...contract, abi: devLicenseAbi, address: chain.devLicense },
    VehicleId: { ...contract, abi: vehicleIdAbi, address: chain.vehicleId },
    Sacd: { ...contract, abi: sacdAbi, address: chain.sacd },
  },
});
