import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { SCHEMA_FILE, schemaTypes } from "./openapi";

// The web app's client types are committed (so `tsc` checks the app with no generation step); this
// fails while they lag the routes. Fix: `npm run web:types`, then `npx tsc --noEmit` shows what broke.

describe("web/src/api/schema.d.ts", () => {
  it("is what the API's OpenAPI document gives today", async () => {
    const current = await schemaTypes();
    expect(
      fs.readFileSync(SCHEMA_FILE, "utf8") === current,
      "web/src/api/schema.d.ts is stale: run `npm run web:types`",
    ).toBe(true);
  });
});
