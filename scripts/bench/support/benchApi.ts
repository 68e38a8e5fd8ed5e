import { Hono } from "hono";
import { sql } from "kysely";
import pino from "pino";
import { createDatabase } from "../../../api/db/database";
import { startApi } from "../../../api/server";
import { loadConfig } from "../../../config/env";
import { createIndexedSchema } from "../../fixtures/indexedFixture";
import { freePort } from "../../runtime/ports";
import { type Served, serveFetch } from "../../runtime/serveFetch";
import { type LoadOptions, loadPlacement, runLoad as runLoadAt } from "./benchLoad";
import type { BenchFigures, BenchSection } from "./benchRegistry";
import { backendPids, cpuMs } from "./cpu";

const LICENSES = Number(process.env.BENCH_LICENSES ?? 10_000);
// autocannon in this process, beside both servers: each target pays the same client cost on the
// same thread (BENCH_LOADGEN=child gives the server a thread of its own instead).
const PLACEMENT = loadPlacement("inprocess");
const runLoad = (opts: LoadOptions) => runLoadAt(opts, PLACEMENT);
const CONNECTIONS = 50;
const KEYSET_SAMPLES = 25;
const T0 = 1_735_689_600;

/**
 * The public API against a generated index of LICENSES licenses (2 signers and 2 redirect URIs
 * each): license-detail throughput and latency next to a bare Hono JSON route on the same
 * machine, and the first vs the last page of the license list walked with cursors.
 */
export const apiSection: BenchSection = {
  key: "api",
  title: "Public API",
  describe: {
    "seed.licenses": "licenses in the generated index",
    "licenseDetail.rps": "GET /v1/licenses/{random tokenId}, requests/s",
    "licenseDetail.p50Ms": "… median latency, ms",
    "licenseDetail.p99Ms": "… p99 latency, ms",
    "bareHono.rps": "bare Hono c.json({ok:true}) on @hono/node-server, requests/s",
    "bareHono.p99Ms": "… p99 latency, ms",
    "licenseDetail.ratioToBare": "license detail rps / bare Hono rps (target ≥ 0.5)",
    "licenseDetail.cpuMsPerRequest.apiProcess":
      "CPU ms per license-detail request in the bench process, which serves the API (with BENCH_LOADGEN=inprocess it also runs the load generator)",
    "licenseDetail.cpuMsPerRequest.postgres": "… in the API's Postgres backends",
    keysetFirstPageMs: "GET /v1/licenses?status=all&limit=100, first page, median ms",
    keysetLastPageMs: "… last page (reached by walking cursors), median ms",
    keysetDepthRatio: "last page / first page (target ≤ 1.5)",
  },
  async run(ctx) {
    const database = await ctx.freshDatabase("api");
    ctx.onCleanup(() => database.drop());
    ctx.log(`seeding ${LICENSES} licenses…`);
    await seed(database.url);

    // The API as `npm start` runs it (pool, migrations, middleware, per-request JSON logs), the
    // logs going to /dev/null so the bench's own output stays clean.
    const logger = pino({ level: "info" }, pino.destination({ dest: "/dev/null", sync: false }));
    const api = await startApi({
      config: loadConfig({ ...process.env, LOG_LEVEL: "info", DATA_DIR: process.env.DATA_DIR ?? ".data" }),
      databaseUrl: database.url,
      rpcUrl: "http://127.0.0.1:9",
      port: await freePort(),
      logger,
      chain: { headBlock: async () => 1n },
    });
    ctx.onCleanup(() => api.stop());
    const bare = await serveBareHono();
    ctx.onCleanup(() => bare.close());

    const figures: BenchFigures = { "api.seed.licenses": LICENSES };
    const detail = { prefix: "/v1/licenses/", max: LICENSES };
    ctx.log("warming up…");
    await checked(runLoad({ url: api.url, connections: CONNECTIONS, seconds: 2, randomIdPath: detail }));
    await checked(runLoad({ url: bare.url, connections: CONNECTIONS, seconds: 2 }));

    ctx.log(`GET /v1/licenses/{id} for ${ctx.seconds} s…`);
    const backends = await backendPids(database.url);
    const before = { self: process.cpuUsage(), postgres: cpuMs(backends) };
    const d = await checked(
      runLoad({ url: api.url, connections: CONNECTIONS, seconds: ctx.seconds, randomIdPath: detail }),
    );
    const self = process.cpuUsage(before.self);
    const postgres = cpuMs(backends);
    if (d.requests > 0) {
      figures["api.licenseDetail.cpuMsPerRequest.apiProcess"] = round(
        (self.user + self.system) / 1000 / d.requests,
        4,
      );
      if (postgres !== null && before.postgres !== null) {
        figures["api.licenseDetail.cpuMsPerRequest.postgres"] = round(
          (postgres - before.postgres) / d.requests,
          4,
        );
      }
    }
    ctx.log(`bare Hono for ${ctx.seconds} s…`);
    const b = await checked(runLoad({ url: bare.url, connections: CONNECTIONS, seconds: ctx.seconds }));
    figures["api.licenseDetail.rps"] = round(d.rps);
    figures["api.licenseDetail.p50Ms"] = d.p50Ms;
    figures["api.licenseDetail.p99Ms"] = d.p99Ms;
    figures["api.bareHono.rps"] = round(b.rps);
    figures["api.bareHono.p99Ms"] = b.p99Ms;
    figures["api.licenseDetail.ratioToBare"] = round(d.rps / b.rps, 3);

    ctx.log("keyset pages: walking the license list…");
    Object.assign(figures, await keysetDepth(api.url));
    return figures;
  },
};

async function seed(url: string) {
  const db = createDatabase(url, { poolMax: 1, statementTimeoutMs: 600_000 });
  try {
    await createIndexedSchema(db);
    const n = LICENSES;
    const hex40 = (expr: string) => `'0x' || substr(md5(${expr}) || md5('x' || ${expr}), 1, 40)`;
    // Shaped like the views: lowercase hex, numeric(78) times; every 10th license revoked.
    await sql
      .raw(`INSERT INTO dimo.license
        SELECT i, ${hex40("'client' || i")}, ${hex40("'owner' || (i % 500)")},
               CASE WHEN i % 10 = 0 THEN NULL ELSE 'app-' || i END,
               CASE WHEN i % 10 = 0 THEN 'revoked' ELSE 'active' END,
               ${T0} - 86400 + i, 1000 + i, '0x' || md5('tx' || i) || md5('tx2' || i),
               CASE WHEN i % 10 = 0 THEN ${T0} ELSE NULL END,
               CASE WHEN i % 10 = 0 THEN 2000000 ELSE NULL END,
               CASE WHEN i % 10 = 0 THEN '0x' || md5('rv' || i) || md5('rv2' || i) ELSE NULL END
        FROM generate_series(1, ${n}) AS i`)
      .execute(db);
    await sql
      .raw(`INSERT INTO dimo.license_signer
        SELECT i, ${hex40("'signer' || i || '-' || k")}, ${T0} - 400 * 86400 * (k - 1) + i, 1000 + i,
               '0x' || md5('s' || i || k) || md5('s2' || i || k)
        FROM generate_series(1, ${n}) AS i, generate_series(1, 2) AS k`)
      .execute(db);
    await sql
      .raw(`INSERT INTO dimo.license_redirect_uri
        SELECT i, 'https://app-' || i || '.example.com/callback/' || k, ${T0} + i, 1000 + i,
               '0x' || md5('r' || i || k) || md5('r2' || i || k)
        FROM generate_series(1, ${n}) AS i, generate_series(1, 2) AS k`)
      .execute(db);
    await sql.raw("ANALYZE").execute(db);
  } finally {
    await db.destroy();
  }
}

function serveBareHono(): Promise<Served> {
  return serveFetch(new Hono().get("/", (c) => c.json({ ok: true })).fetch);
}

/** Median latency of the first page and of the last page (found by walking every cursor). */
async function keysetDepth(base: string): Promise<BenchFigures> {
  const first = `${base}/v1/licenses?status=all&limit=100`;
  type Page = { items: unknown[]; nextCursor: string | null };
  let cursor: string | null = null;
  let lastUrl = first;
  let pages = 0;
  for (let url = first; ; pages++) {
    const page = (await (await fetch(url)).json()) as Page;
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
    url = lastUrl = `${first}&cursor=${cursor}`;
  }
  const time = async (url: string) => {
    const start = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    return performance.now() - start;
  };
  const firstMs: number[] = [];
  const lastMs: number[] = [];
  for (let i = 0; i < 5; i++) await Promise.all([time(first), time(lastUrl)]); // warm
  for (let i = 0; i < KEYSET_SAMPLES; i++) {
    firstMs.push(await time(first));
    lastMs.push(await time(lastUrl));
  }
  const f = median(firstMs);
  const l = median(lastMs);
  return {
    "api.keysetPages": pages + 1,
    "api.keysetFirstPageMs": round(f, 2),
    "api.keysetLastPageMs": round(l, 2),
    "api.keysetDepthRatio": round(l / f, 3),
  };
}

async function checked(p: ReturnType<typeof runLoad>) {
  const r = await p;
  if (r.errors || r.non2xx || r.timeouts || r.requests === 0) {
    throw new Error(`load run failed: ${JSON.stringify(r)}`);
  }
  return r;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;
