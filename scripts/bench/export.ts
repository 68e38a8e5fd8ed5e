import pg from "pg";
import pino from "pino";
import { createDatabase } from "../../api/db/database";
import { startApi } from "../../api/server";
import { loadConfig } from "../../config/env";
import { createIndexedSchema } from "../fixtures/indexedFixture";
import { freePort } from "../runtime/ports";
import type { BenchFigures, BenchSection } from "./support/benchRegistry";

// export.*: GET /v1/export/events?format=ndjson of a large license_event table through the real
// API (startApi, as `npm start` runs it), read to the end by an HTTP client; rows per second and
// how much the process's resident memory grew while streaming (constant memory: a few MB whatever
// the size).

const ROWS = Number(process.env.BENCH_EXPORT_ROWS ?? 500_000);
const T0 = 1_735_689_600;

async function seed(url: string) {
  const db = createDatabase(url, { poolMax: 1, statementTimeoutMs: 600_000 });
  try {
    await createIndexedSchema(db);
  } finally {
    await db.destroy();
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO dimo.license_event (block_number, log_index, token_id, type, args, tx_hash, timestamp)
       SELECT 57700000 + i / 4, i % 4, 1 + i / 20, 'SignerEnabled',
              json_build_object('tokenId', (1 + i / 20)::text, 'signer', '0x' || lpad(to_hex(i), 40, '0')),
              '0x' || md5(i::text) || md5((i + 1)::text), $1 + i
       FROM generate_series(0, $2::int - 1) i`,
      [T0, ROWS],
    );
    await client.query("ANALYZE dimo.license_event");
  } finally {
    await client.end();
  }
}

export const exportSection: BenchSection = {
  key: "export",
  title: "Analyst exports",
  describe: {
    rows: "license_event rows exported",
    rowsPerSec: "GET /v1/export/events?format=ndjson read to the end, rows/s",
    mbPerSec: "… MB/s of NDJSON",
    rssGrowthMb: "API process resident memory growth during the export, MB (constant memory)",
  },
  async run(ctx): Promise<BenchFigures> {
    const database = await ctx.freshDatabase("export");
    ctx.onCleanup(() => database.drop());
    ctx.log(`seeding ${ROWS} license events…`);
    await seed(database.url);
    const api = await startApi({
      config: loadConfig({ ...process.env, LOG_LEVEL: "warn", DATA_DIR: process.env.DATA_DIR ?? ".data" }),
      databaseUrl: database.url,
      rpcUrl: "http://127.0.0.1:9",
      port: await freePort(),
      logger: pino({ level: "warn" }, pino.destination({ dest: "/dev/null", sync: false })),
      chain: { headBlock: async () => 1n },
    });
    ctx.onCleanup(() => api.stop());

    ctx.log(`exporting ${ROWS} rows as NDJSON…`);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 50);
    const t0 = performance.now();
    const res = await fetch(`${api.url}/v1/export/events?format=ndjson`);
    if (res.status !== 200) throw new Error(`export answered ${res.status}: ${await res.text()}`);
    let lines = 0;
    let bytes = 0;
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    }
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    if (lines !== ROWS) throw new Error(`export returned ${lines} rows, expected ${ROWS}`);
    return {
      "export.rows": ROWS,
      "export.rowsPerSec": Math.round(ROWS / seconds),
      "export.mbPerSec": Number((bytes / seconds / 1e6).toFixed(1)),
      "export.rssGrowthMb": Math.round((rssPeak - rssBefore) / 1e6),
    };
  },
};
