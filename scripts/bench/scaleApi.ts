import pg from "pg";
import { startApiProcess } from "./support/apiProcess";
import { apiTargets, cpuCounter } from "./support/benchApi";
import type { BenchContext, ScaleCurve, ScaleSection } from "./support/benchRegistry";
import { seedIndex } from "./support/benchSeed";
import { memoryMb } from "./support/cpu";
import { measureRounds, round, spread } from "./support/httpRounds";
import { ensureWrk } from "./support/wrk";

// scale.api.*: the public API as the index grows. At each size a fresh database gets that many
// licenses and as many vehicles (2 signers, 2 redirect URIs per license; grants from each vehicle
// to 2 licenses, so a license lists ~2 vehicles at every size and only the data around it grows),
// a fresh API process serves it, and wrk measures license detail and the vehicles list as in the
// api section (warm-up, median of the rounds, 64 connections, ids over the whole range).

export const API_SCALE_SIZES = [1_000, 10_000, 100_000];
const CONNECTIONS = 64;

type Step = {
  size: number;
  /** CPU ms per request by target and process (`<target>.cpuMsPerRequest.apiProcess|postgres`). */
  cpu: Record<string, number>;
  detail: { rps: number; p50Ms: number; p99Ms: number };
  vehicles: { rps: number; p50Ms: number; p99Ms: number };
  rssMb: number;
  peakRssMb: number;
  databaseMb: number;
};

export const scaleApiSection: ScaleSection = {
  key: "api",
  title: "Public API as the index grows",
  run: (ctx) => apiScaleCurves(ctx, API_SCALE_SIZES),
};

export async function apiScaleCurves(ctx: BenchContext, sizes: number[]): Promise<ScaleCurve[]> {
  ensureWrk(ctx.log);
  const steps: Step[] = [];
  for (const size of sizes) steps.push(await measureStep(ctx, size));
  const curve = (key: string, title: string, unit: string, value: (s: Step) => number): ScaleCurve => ({
    key: `scale.api.${key}`,
    title,
    sizeLabel: "licenses (and as many vehicles)",
    unit,
    points: steps.map((s) => ({ size: s.size, value: value(s) })),
  });
  return [
    curve("licenseDetail.rps", "GET /v1/licenses/{id}: requests/s", "req/s", (s) => s.detail.rps),
    curve("licenseDetail.p50Ms", "GET /v1/licenses/{id}: median latency", "ms", (s) => s.detail.p50Ms),
    curve("licenseDetail.p99Ms", "GET /v1/licenses/{id}: p99 latency", "ms", (s) => s.detail.p99Ms),
    curve(
      "licenseVehicles.rps",
      "GET /v1/licenses/{id}/vehicles: requests/s",
      "req/s",
      (s) => s.vehicles.rps,
    ),
    curve(
      "licenseVehicles.p50Ms",
      "GET /v1/licenses/{id}/vehicles: median latency",
      "ms",
      (s) => s.vehicles.p50Ms,
    ),
    curve(
      "licenseVehicles.p99Ms",
      "GET /v1/licenses/{id}/vehicles: p99 latency",
      "ms",
      (s) => s.vehicles.p99Ms,
    ),
    curve(
      "licenseDetail.cpuMsPerRequest.apiProcess",
      "GET /v1/licenses/{id}: CPU per request in the API process",
      "ms",
      (s) => s.cpu["licenseDetail.cpuMsPerRequest.apiProcess"] ?? 0,
    ),
    curve(
      "licenseDetail.cpuMsPerRequest.postgres",
      "GET /v1/licenses/{id}: CPU per request in Postgres",
      "ms",
      (s) => s.cpu["licenseDetail.cpuMsPerRequest.postgres"] ?? 0,
    ),
    curve(
      "licenseVehicles.cpuMsPerRequest.apiProcess",
      "GET /v1/licenses/{id}/vehicles: CPU per request in the API process",
      "ms",
      (s) => s.cpu["licenseVehicles.cpuMsPerRequest.apiProcess"] ?? 0,
    ),
    curve(
      "licenseVehicles.cpuMsPerRequest.postgres",
      "GET /v1/licenses/{id}/vehicles: CPU per request in Postgres",
      "ms",
      (s) => s.cpu["licenseVehicles.cpuMsPerRequest.postgres"] ?? 0,
    ),
    curve("rssMb", "API process resident memory after the load", "MB", (s) => s.rssMb),
    curve("peakRssMb", "API process peak resident memory", "MB", (s) => s.peakRssMb),
    curve("databaseMb", "Database size", "MB", (s) => s.databaseMb),
  ];
}

async function measureStep(ctx: BenchContext, size: number): Promise<Step> {
  const database = await ctx.freshDatabase(`scale_api_${size}`);
  try {
    ctx.log(`scale ${size}: seeding ${size} licenses and ${size} vehicles…`);
    await seedIndex(database.url, { licenses: size, vehicles: size });
    const api = await startApiProcess(database.url);
    try {
      const t = apiTargets(size);
      const cpu = cpuCounter(api, database.url, "step");
      const runs = await measureRounds(
        [
          { name: "licenseDetail", url: api.url, target: t.licenseDetail },
          { name: "licenseVehicles", url: api.url, target: t.licenseVehicles },
        ],
        {
          connections: CONNECTIONS,
          seconds: ctx.seconds,
          log: (l) => ctx.log(`scale ${size}: ${l}`),
          around: cpu.around,
        },
      );
      const med = (rs: typeof runs.licenseDetail) => ({
        rps: round(spread(rs!.map((r) => r.rps)).median),
        p50Ms: round(spread(rs!.map((r) => r.p50Ms)).median, 2),
        p99Ms: round(spread(rs!.map((r) => r.p99Ms)).median, 2),
      });
      const memory = memoryMb(api.pid);
      const step: Step = {
        size,
        cpu: Object.fromEntries(Object.entries(cpu.figures()).map(([k, v]) => [k.slice("step.".length), v])),
        detail: med(runs.licenseDetail),
        vehicles: med(runs.licenseVehicles),
        rssMb: memory.rssMb,
        peakRssMb: memory.peakMb,
        databaseMb: await databaseMb(database.url),
      };
      ctx.log(`scale ${size}: ${JSON.stringify(step)}`);
      return step;
    } finally {
      await api.stop();
    }
  } finally {
    await database.drop();
  }
}

async function databaseMb(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ bytes: string }>(
      "SELECT pg_database_size(current_database()) AS bytes",
    );
    return round(Number(rows[0]!.bytes) / 2 ** 20, 1);
  } finally {
    await client.end();
  }
}
