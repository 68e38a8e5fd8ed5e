import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDatabase } from "../../api/db/database";
import { createTestDatabase, type TestDatabase } from "../support/database";

// `npm run rotate-keys` as an operator runs it: a process against the configured database.

const run = promisify(execFile);
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase("rotate");
});
afterAll(() => database?.drop());

const rotate = async () => {
  const { stdout } = await run("npx", ["tsx", "scripts/rotateKeys.ts"], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: database.url,
      API_SECRET: "x".repeat(40),
    },
  });
  return stdout;
};

it("makes a new current key and retires the previous one, printing kids only", async () => {
  const first = await rotate();
  const [, kid1, retired1] =
    /^new signing key (\S+) \(ES256\); retired (\S+); deleted none\n$/.exec(first) ?? [];
  expect(kid1).toBeDefined();
  const second = await rotate();
  expect(second).toBe(
    `new signing key ${/key (\S+) /.exec(second)![1]} (ES256); retired ${kid1}; deleted none\n`,
  );
  expect(first + second).not.toMatch(/"d"|private/);

  const db = createDatabase(database.url, { poolMax: 1, statementTimeoutMs: 5_000 });
  try {
    const rows = await db.selectFrom("console.signing_key").select(["kid", "retired_at"]).execute();
    expect(rows).toHaveLength(3);
    expect(rows.filter((r) => r.retired_at === null)).toHaveLength(1);
    expect(rows.map((r) => r.kid)).toContain(retired1);
  } finally {
    await db.destroy();
  }
}, 60_000);
