import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config";

// `npm run test:faults`: every seed of the fault suites (test/faults), not the fast subset that
// `npm test` runs. `npm run test:faults -- reorg` runs one suite; SEED and CASES pick the cases.
process.env.FAULTS = "full";

export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: ["test/faults/**/*.test.ts"],
      env: { FAULTS: "full" },
      testTimeout: 900_000,
      hookTimeout: 600_000,
    },
  }),
);
