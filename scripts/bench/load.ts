import pino from "pino";
import { createPublicClient, http } from "viem";
import { startApi } from "../../api/server";
import { loadConfig } from "../../config/env";
import { applyStep, randomStep, spreadHistory, type World } from "../../devnet/activity";
import { startAnvil } from "../../devnet/anvil";
import { cassetteChain } from "../../devnet/demoChain";
import { deployDimo } from "../../devnet/deploy";
import { rng } from "../../devnet/prng";
import { createChain } from "../../devnet/scenario";
import { indexerEnv } from "../replay/syncRun";
import { VIEWS_SCHEMA } from "../runtime/deploymentSchema";
import { startIndexer } from "../runtime/indexer";
import type { BenchSection } from "./support/benchRegistry";
import { httpFigures, measureRounds, ROUNDS } from "./support/httpRounds";
import { ensureWrk } from "./support/wrk";

// load.*: mixed public reads on loopback while the indexer follows a live chain. A devnet mining a
// block every second, a generator sending license and grant transactions the whole time, the real
// Ponder indexer writing them, and the API as `npm start` runs it, under wrk (its own process): a
// warm-up, then ROUNDS runs, each figure their median with its spread. Every answer must be a
// 2xx or 3xx (a failed one fails the section); `load.errors` stays in the output as 0.

const CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 32);

function readMix(world: World): string[] {
  const paths: string[] = [];
  const add = (path: string, weight: number) => {
    for (let i = 0; i < weight; i++) paths.push(path);
  };
  add("/v1/licenses?status=all", 3);
  add("/v1/licenses?status=all&limit=100", 1);
  add("/v1/stats", 1);
  add("/status", 1);
  for (const l of world.licenses) {
    add(`/v1/licenses/${l.tokenId}`, 3);
    add(`/v1/licenses/${l.tokenId}/vehicles`, 2);
    add(`/v1/licenses/${l.tokenId}/events`, 1);
    add(`/v1/licenses/by-client-id/${l.clientId}`, 1);
  }
  for (const v of world.vehicles) add(`/v1/vehicles/${v.vehicleId}`, 2);
  return paths;
}

export const loadSection: BenchSection = {
  key: "load",
  title: "Mixed read load while the indexer follows a live chain (1-second blocks)",
  describe: {
    rps: "requests per second over the mixed public reads (median of the runs; …Min/…Max = spread)",
    p50Ms: "median latency, ms",
    p99Ms: "p99 latency, ms",
    errors: "transport errors + timeouts + 4xx/5xx answers (must be 0; any fails the section)",
    txs: "license and grant transactions mined during the load",
    indexLagBlocks: "blocks the indexer was behind the head when the load ended",
  },
  async run(ctx) {
    ensureWrk(ctx.log);
    const database = await ctx.freshDatabase("load");
    ctx.onCleanup(() => database.drop());
    const anvil = await startAnvil();
    ctx.onCleanup(() => anvil.stop());
    const deployment = await deployDimo(anvil.rpcUrl);
    const chain = createChain(anvil.rpcUrl, deployment);
    ctx.log("devnet: seeding licenses, vehicles and grants…");
    const { world } = await spreadHistory(chain, { seed: 42, txs: 40, maxGap: 0, tag: "load" });
    const rpc = createPublicClient({ transport: http(anvil.rpcUrl), cacheTime: 0 });
    await rpc.request({ method: "evm_setIntervalMining", params: [1] } as never);

    const env = indexerEnv(cassetteChain(deployment), anvil.rpcUrl, database.url);
    ctx.log("indexer: starting Ponder…");
    const indexer = await startIndexer({
      env,
      schema: "bench_load",
      viewsSchema: VIEWS_SCHEMA,
    });
    ctx.onCleanup(() => indexer.stop());
    await indexer.waitForReady(300_000);
    await indexer.waitForBlock(await rpc.getBlockNumber(), 120_000);
    const api = await startApi({
      config: loadConfig({ ...env, LOG_LEVEL: "warn" }),
      databaseUrl: database.url,
      rpcUrl: anvil.rpcUrl,
      port: 0,
      logger: pino({ level: "warn" }),
    });
    ctx.onCleanup(() => api.stop());

    // The chain keeps moving: one license or grant transaction after another, each mined in the
    // next 1-second block, for as long as the load runs.
    let generating = true;
    let txs = 0;
    const r = rng(7);
    const generator = (async () => {
      while (generating) {
        await applyStep(chain, world, randomStep(r, world, await chain.now()));
        txs++;
      }
    })();

    const paths = readMix(world);
    ctx.log(
      `load: ${CONNECTIONS} connections over ${new Set(paths).size} paths, ${ROUNDS} × ${ctx.seconds} s…`,
    );
    const runs = await measureRounds([{ name: "load", url: api.url, target: { path: "/", paths } }], {
      connections: CONNECTIONS,
      seconds: ctx.seconds,
      log: ctx.log,
    });
    generating = false;
    await generator;
    const head = await rpc.getBlockNumber();
    const indexed = (await indexer.indexedBlock()) ?? 0n;
    return {
      ...httpFigures("load", runs.load!),
      "load.errors": 0,
      "load.txs": txs,
      "load.indexLagBlocks": Number(head > indexed ? head - indexed : 0n),
    };
  },
};
