import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_ACCOUNTS } from "../../devnet/scenario";
import { type LoginHarness, loginHarness } from "../auth/harness";

// CSV injection through the chain: anyone can set a license alias, and an analyst opens the
// licenses export in a spreadsheet. Aliases set by real transactions on anvil, indexed by the real
// indexer, exported over real HTTP.

const OWNER = DEV_ACCOUNTS[1]!.address;
const HOSTILE = ['=HYPERLINK("http://x.io","a")', "@SUM(1+1)", "+1+1", "-1+1", "\tTAB"];

let h: LoginHarness;
const tokenIds: bigint[] = [];

beforeAll(async () => {
  h = await loginHarness(async (chain) => {
    const issued = await chain.apply(
      HOSTILE.map((alias) => ({ kind: "issue", owner: OWNER, alias }) as const),
    );
    tokenIds.push(...issued.map((r) => r.tokenId));
  });
});
afterAll(() => h?.close());

describe("license aliases that are spreadsheet formulas", () => {
  it("are exported in CSV with a leading single quote, and exactly as set in NDJSON", async () => {
    const csv = await (await fetch(`${h.api.url}/v1/export/licenses?format=csv`)).text();
    const aliasColumn = csv.split("\r\n")[0]!.split(",").indexOf("alias");
    expect(aliasColumn).toBeGreaterThan(0);
    const cells = new Map<string, string>();
    for (const line of csv.split("\r\n").slice(1, -1)) {
      // No alias here holds a comma outside quotes except the HYPERLINK one, which is quoted.
      const fields = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((f) => f.replace(/,$/, ""));
      cells.set(fields[0]!, fields[aliasColumn]!);
    }
    expect(tokenIds.map((id) => cells.get(String(id)))).toEqual([
      `"'=HYPERLINK(""http://x.io"",""a"")"`,
      "'@SUM(1+1)",
      "'+1+1",
      "'-1+1",
      "'\tTAB",
    ]);
    // No cell of the export starts a formula.
    for (const cell of cells.values()) expect(cell.replace(/^"/, "")).not.toMatch(/^[=+\-@\t\r]/);

    const ndjson = await (await fetch(`${h.api.url}/v1/export/licenses`)).text();
    const aliases = ndjson
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { token_id: number; alias: string | null });
    expect(tokenIds.map((id) => aliases.find((a) => a.token_id === Number(id))?.alias)).toEqual(HOSTILE);
  });
});
