import { Kysely, PostgresDialect } from "kysely";
import { describe, expect, it } from "vitest";
import { queryTemplate, slot } from "./template";

describe("queryTemplate", () => {
  it("compiles once and binds slot values in place, keeping constants", async () => {
    const seen: { sql: string; parameters: readonly unknown[] }[] = [];
    const db = new Kysely<{ t: { a: string; b: string; c: string } }>({
      dialect: new PostgresDialect({
        pool: {
          options: {},
          end: async () => {},
          connect: async () => ({
            query: async (sql: string, parameters: readonly unknown[]) => {
              seen.push({ sql, parameters });
              return { command: "SELECT", rowCount: 1, rows: [{ a: "x" }] };
            },
            release: () => {},
          }),
        } as never,
      }),
    });
    const run = queryTemplate(
      db,
      db
        .selectFrom("t")
        .select("a")
        .where("b", "=", slot("b"))
        .where("c", "=", "constant")
        .where("a", "=", slot("a")),
    );
    expect(await run({ a: "1", b: "2" })).toEqual([{ a: "x" }]);
    await run({ a: "3", b: "4" });
    expect(seen.map((s) => s.parameters)).toEqual([
      ["2", "constant", "1"],
      ["4", "constant", "3"],
    ]);
    expect(seen[0]!.sql).toBe(seen[1]!.sql);
  });
});
