import { defineConfig } from "vitest/config";
import base from "./vitest.config";

// `npm run test:faults`: every seed and case of the fault suites (test/faults), not the fast subset
// `npm test` runs. `npm run test:faults -- reorg` runs one suite; SEED and CASES pick the cases.
// (Spread, not mergeConfig: mergeConfig would append to the base `include` and run every suite.)
process.env.FAULTS = "full";

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/faults/**/*.test.ts"],
    env: { FAULTS: "full" },
    testTimeout: 900_000,
    hookTimeout: 600_000,
  },
});
