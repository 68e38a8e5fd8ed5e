import pg from "pg";
import type { ApiProcess } from "./apiProcess";
import { startApiProcess } from "./apiProcess";
import type { BenchContext, BenchFigures, BenchSection } from "./benchRegistry";
import { seedIndex } from "./benchSeed";
import { postgresCpuSpan, processCpuMs } from "./cpu";
import { type HttpTarget, httpFigures, measureRounds, ratioFigures, round } from "./httpRounds";
import { startPeer } from "./peerServers";
import { startPonderServe } from "./ponderServe";
import { ensureWrk, type WrkResult, type WrkTarget } from "./wrk";

const LICENSES = Number(process.env.BENCH_LICENSES ?? 10_000);
const VEHICLES = Number(process.env.BENCH_VEHICLES ?? 100_000);
const CONNECTIONS = 64;
const KEYSET_SAMPLES = 25;

// GraphQL documents the peers answer: the same license with its signers and redirect URIs, and
// the vehicles shared with a license (Ponder has no joins: the grants to its clientId, which the
// caller must know; our route looks it up itself and adds each vehicle's owner).
const json = { "content-type": "application/json" };
const gql = (query: string) => JSON.stringify({ query });
const PONDER_LICENSE = gql(
  `{ license(tokenId: "{id}") { tokenId clientId owner alias status mintedAt mintedBlock mintedTx revokedAt revokedBlock revokedTx } licenseSigners(where: {tokenId: "{id}"}, limit: 100) { items { signer enabledAt enabledBlock enabledTx } } licenseRedirectUris(where: {tokenId: "{id}"}, limit: 100) { items { uri enabledAt enabledBlock enabledTx } } }`,
);
const PONDER_VEHICLES = gql(
  `{ vehicleSacds(where: {grantee: "{value}", expiresAt_gt: "1"}, orderBy: "vehicleId", limit: 20) { items { vehicleId grantee permissions expiresAt source templateId } pageInfo { endCursor hasNextPage } } vehiclePrivileges(where: {user: "{value}", expiresAt_gt: "1"}, orderBy: "vehicleId", limit: 20) { items { vehicleId privilegeId user expiresAt } } }`,
);
/** The identity-api–shaped query of POST /query for the same license. */
const QUERY_LICENSE = gql(
  "{ developerLicense(by: {tokenId: {id}}) { alias tokenId clientId owner signers(first: 100) { nodes { address enabledAt } } redirectURIs(first: 100) { nodes { uri enabledAt } } } }",
);

export type ApiTargets = {
  licenseDetail: WrkTarget;
  licenseVehicles: WrkTarget;
};

/** The two public reads every API figure is about, ids drawn over all `licenses`. */
export function apiTargets(licenses: number): ApiTargets {
  return {
    licenseDetail: { path: "/v1/licenses/{id}", ids: licenses },
    licenseVehicles: { path: "/v1/licenses/{id}/vehicles", ids: licenses },
  };
}

/**
 * The public API as `npm run start:api` runs it, against a generated index (LICENSES licenses
 * with 2 signers and 2 redirect URIs each, VEHICLES vehicles with 2 grants each), side by side
 * with its peers on the same rows: Ponder's own /graphql (`ponder serve` of our indexer app),
 * a naive one-query Hono + pg route, and a bare JSON route. Every server is a process of its own,
 * driven by wrk at 64 connections; each figure is the median of ROUNDS interleaved runs.
 */
export const apiSection: BenchSection = {
  key: "api",
  title: "Public API",
  describe: {
    "seed.licenses": "licenses in the generated index",
    "seed.vehicles": "vehicles, each with SACD grants to 2 licenses",
    "licenseDetail.rps":
      "GET /v1/licenses/{random tokenId}, requests/s (median of the runs; …Min/…Max = spread)",
    "licenseDetail.p50Ms": "… median latency, ms",
    "licenseDetail.p99Ms": "… p99 latency, ms",
    "licenseDetail.ratioToBare": "license detail rps / bare JSON route rps",
    "licenseDetail.ratioToOneRow": "… / naive one-row Hono + pg route rps (goal ≥ 1.0)",
    "licenseDetail.ratioToPonderGraphql":
      "… / Ponder /graphql for the license with signers and URIs (goal ≥ 10)",
    "licenseDetail.cpuMsPerRequest.apiProcess": "CPU ms per license-detail request in the API process",
    "licenseDetail.cpuMsPerRequest.postgres": "… in the API's Postgres backends",
    "licenseVehicles.rps": "GET /v1/licenses/{random tokenId}/vehicles (first page, 20), requests/s",
    "licenseVehicles.ratioToOneRow": "… / naive one-statement Hono + pg route rps",
    "licenseVehicles.ratioToPonderGraphql": "… / Ponder /graphql for the grants to the license's clientId",
    "bareHono.rps": "bare Hono c.json({ok:true}) on @hono/node-server, requests/s",
    keysetFirstPageMs: "GET /v1/licenses?status=all&limit=100, first page, median ms",
    keysetLastPageMs: "… last page (reached by walking cursors), median ms",
    keysetDepthRatio: "last page / first page (target ≤ 1.5)",
  },
  async run(ctx) {
    ensureWrk(ctx.log);
    const database = await ctx.freshDatabase("api");
    ctx.onCleanup(() => database.drop());
    ctx.log(`seeding ${LICENSES} licenses and ${VEHICLES} vehicles…`);
    await seedIndex(database.url, { licenses: LICENSES, vehicles: VEHICLES });
    const clientIds = await licenseClientIds(database.url);

    ctx.log("starting the API, its peers and `ponder serve`…");
    const api = await startApiProcess(database.url);
    ctx.onCleanup(api.stop);
    const bare = await startPeer("bare");
    ctx.onCleanup(bare.stop);
    const oneRow = await startPeer("oneRow", database.url);
    ctx.onCleanup(oneRow.stop);
    const ponder = await startPonderServe({ databaseUrl: database.url, schema: "dimo" });
    ctx.onCleanup(ponder.stop);

    const t = apiTargets(LICENSES);
    const gqlPost = (body: string, values?: string[]): WrkTarget => ({
      path: "/graphql",
      method: "POST",
      headers: json,
      body,
      ids: LICENSES,
      values,
    });
    // Each peer right after the route it is compared with.
    const targets: HttpTarget[] = [
      { name: "licenseDetail", url: api.url, target: t.licenseDetail },
      { name: "oneRow.licenseDetail", url: oneRow.url, target: t.licenseDetail },
      { name: "ponderGraphql.licenseDetail", url: ponder.url, target: gqlPost(PONDER_LICENSE) },
      { name: "licenseVehicles", url: api.url, target: t.licenseVehicles },
      { name: "oneRow.licenseVehicles", url: oneRow.url, target: t.licenseVehicles },
      { name: "ponderGraphql.licenseVehicles", url: ponder.url, target: gqlPost(PONDER_VEHICLES, clientIds) },
      { name: "bareHono", url: bare.url, target: { path: "/" } },
    ];
    const queryTarget = await queryRouteTarget(api.url, ctx);
    if (queryTarget) targets.push({ name: "query.licenseDetail", url: api.url, target: queryTarget });

    const cpu = cpuCounter(api, database.url);
    const runs = await measureRounds(targets, {
      connections: CONNECTIONS,
      seconds: ctx.seconds,
      log: ctx.log,
      around: cpu.around,
    });

    const figures: BenchFigures = { "api.seed.licenses": LICENSES, "api.seed.vehicles": VEHICLES };
    for (const [name, r] of Object.entries(runs)) Object.assign(figures, httpFigures(`api.${name}`, r));
    const peersOf = (name: string, ours: WrkResult[], prefix: string) => ({
      ...ratioFigures(`${prefix}.ratioToBare`, ours, runs.bareHono!),
      ...ratioFigures(`${prefix}.ratioToOneRow`, ours, runs[`oneRow.${name}`]!),
      ...ratioFigures(`${prefix}.ratioToPonderGraphql`, ours, runs[`ponderGraphql.${name}`]!),
    });
    Object.assign(figures, peersOf("licenseDetail", runs.licenseDetail!, "api.licenseDetail"));
    Object.assign(figures, peersOf("licenseVehicles", runs.licenseVehicles!, "api.licenseVehicles"));
    if (runs["query.licenseDetail"])
      Object.assign(
        figures,
        peersOf("licenseDetail", runs["query.licenseDetail"], "api.query.licenseDetail"),
      );
    Object.assign(figures, cpu.figures());

    ctx.log("keyset pages: walking the license list…");
    Object.assign(figures, await keysetDepth(api.url));
    return figures;
  },
};

/** POST /query's target when the route exists (it answers 404 until identity GraphQL lands). */
async function queryRouteTarget(base: string, ctx: BenchContext): Promise<WrkTarget | null> {
  const body = QUERY_LICENSE.replaceAll("{id}", "1");
  const res = await fetch(`${base}/query`, { method: "POST", headers: json, body });
  await res.arrayBuffer();
  if (res.status === 404) {
    ctx.log("POST /query answers 404: api.query.* skipped");
    return null;
  }
  if (res.status !== 200) throw new Error(`POST /query answered ${res.status}`);
  return { path: "/query", method: "POST", headers: json, body: QUERY_LICENSE, ids: LICENSES };
}

/** CPU ms per request of the API's measured runs, in its process and its Postgres backends. */
export function cpuCounter(api: ApiProcess, databaseUrl: string, prefix = "api") {
  const totals: Record<string, { api: number; postgres: number; requests: number }> = {};
  return {
    async around(name: string) {
      if (name !== "licenseDetail" && name !== "licenseVehicles") return undefined;
      const postgres = await postgresCpuSpan(databaseUrl, "dimo-console-api");
      const start = processCpuMs(api.pid) ?? 0;
      return {
        async end(r: WrkResult) {
          const sum = totals[name] ?? { api: 0, postgres: 0, requests: 0 };
          totals[name] = sum;
          sum.api += (processCpuMs(api.pid) ?? 0) - start;
          sum.postgres += await postgres.end();
          sum.requests += r.requests;
        },
      };
    },
    figures(): BenchFigures {
      const out: BenchFigures = {};
      for (const [name, s] of Object.entries(totals)) {
        out[`${prefix}.${name}.cpuMsPerRequest.apiProcess`] = round(s.api / s.requests, 4);
        out[`${prefix}.${name}.cpuMsPerRequest.postgres`] = round(s.postgres / s.requests, 4);
      }
      return out;
    },
  };
}

export async function licenseClientIds(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ client_id: string }>(
      "SELECT client_id FROM dimo.license ORDER BY token_id",
    );
    return rows.map((r) => r.client_id);
  } finally {
    await client.end();
  }
}

/** Median latency of the first page and of the last page (found by walking every cursor). */
async function keysetDepth(base: string): Promise<BenchFigures> {
  const first = `${base}/v1/licenses?status=all&limit=100`;
  type Page = { items: unknown[]; nextCursor: string | null };
  let lastUrl = first;
  let pages = 0;
  for (let url = first; ; pages++) {
    const page = (await (await fetch(url)).json()) as Page;
    if (!page.nextCursor) break;
    url = lastUrl = `${first}&cursor=${page.nextCursor}`;
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

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
