import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{abis,config,domain,devnet,indexer,api,scripts,test}/**/*.test.ts"],
    exclude: ["**/node_modules/**", "indexer/.ponder/**", ".data/**"],
    // One Postgres for the whole run (embedded unless TEST_DATABASE_URL/DATABASE_URL names one);
    // each suite gets a fresh database of its own.
    globalSetup: ["test/support/globalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    maxWorkers: 2,
    // Suites start anvil, Ponder and servers; a retry would only hide a real fault.
    retry: 0,
  },
});
