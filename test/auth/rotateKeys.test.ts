import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDatabase } from "../../api/db/database";
import { migrateToLatest } from "../../api/db/migrate";
import { signingKeys } from "../../api/services/loginWithDimo/signingKeys";
import { createTestDatabase, type TestDatabase } from "../support/database";

// `npm run rotate-keys` as an operator runs it: a process against the configured database.

const run = promisify(execFile);
const SECRET = "x".repeat(40);
let database: TestDatabase;
let db: ReturnType<typeof createDatabase>;

beforeAll(async () => {
  database = await createTestDatabase("rotate");
  db = createDatabase(database.url, { poolMax: 1, statementTimeoutMs: 5_000 });
  await migrateToLatest(db);
});
afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

it("makes a new current key and retires the previous one, printing kids only", async () => {
  const api = signingKeys({
    db,
    secret: Buffer.from(SECRET),
    clock: () => new Date(),
    alg: "ES256",
    maxTokenLifetimeSeconds: 3600,
  });
  await api.ensure();
  const [kid1] = (await api.jwks()).keys.map((k) => k.kid);

  const { stdout } = await run(process.execPath, ["--import", "tsx", "scripts/rotateKeys.ts"], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: database.url, API_SECRET: SECRET },
  });
  const [, kid2] = /^new signing key (\S+) \(ES256\); retired (\S+); deleted none\n$/.exec(stdout) ?? [];
  expect(stdout).toBe(`new signing key ${kid2} (ES256); retired ${kid1}; deleted none\n`);
  expect(stdout).not.toMatch(/"d"|private/);

  const rows = await db.selectFrom("console.signing_key").select(["kid", "retired_at"]).execute();
  expect(rows.map((r) => [r.kid, r.retired_at === null]).sort()).toEqual(
    [
      [kid1, false],
      [kid2, true],
    ].sort(),
  );
  // The running API signs with the new key once it re-reads (at once here: a fresh instance).
  const replica = signingKeys({
    db,
    secret: Buffer.from(SECRET),
    clock: () => new Date(),
    alg: "ES256",
    maxTokenLifetimeSeconds: 3600,
  });
  expect(
    JSON.parse(Buffer.from((await replica.sign({ a: 1 })).split(".")[0]!, "base64url").toString()).kid,
  ).toBe(kid2);
}, 60_000);
