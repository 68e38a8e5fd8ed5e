import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql ships a CommonJS build (main) and an ESM one (module). Node, and so graphql-yoga and
    // the API under tsx, load the CommonJS one; Vite would give our files the ESM one: two graphql
    // realms whose schemas and errors do not mix. Tests load Node's.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
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
