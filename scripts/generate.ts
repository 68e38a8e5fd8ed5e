// `npm run generate -- --events 100000 [--out file]`: a synthetic history of ≈ N events of every
// kind (scripts/replay/syntheticHistory.ts) on a fresh deterministic anvil, recorded as a cassette.
// Default output: .tmp/synthetic-<N>.cassette.ndjson.gz (not committed; cassettes this size are MBs).

import path from "node:path";
import { parseArgs } from "node:util";
import { fileSize, progress, runMain } from "./lib/cli";
import { generateSyntheticCassette } from "./replay/syntheticHistory";
import { ROOT } from "./runtime/paths";

const say = progress("generate");

runMain("generate", async () => {
  const { values } = parseArgs({ options: { events: { type: "string" }, out: { type: "string" } } });
  const events = Number(values.events ?? 100_000);
  if (!Number.isInteger(events) || events < 1_000) throw new Error("--events must be an integer ≥ 1000");
  const out = values.out ?? path.join(ROOT, ".tmp", `synthetic-${events}.cassette.ndjson.gz`);
  const result = await generateSyntheticCassette({
    events,
    out,
    databaseServerUrl: process.env.DATABASE_URL ?? null,
    log: say,
  });
  say(
    `wrote ${out}: ${result.logs} logs in ${result.blocks} blocks, ${result.transactions} transactions, ${fileSize(result.bytes)}`,
  );
  process.stdout.write(`${out}\n`);
});
