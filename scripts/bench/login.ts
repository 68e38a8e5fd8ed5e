import os from "node:os";
import sha3 from "js-sha3";
import secp256k1 from "secp256k1";
import type { Hex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { createDatabase } from "../../api/db/database";
import { createIndexedSchema, indexedFixture } from "../fixtures/indexedFixture";
import { startApiProcess } from "./support/apiProcess";
import type { BenchFigures, BenchSection } from "./support/benchRegistry";
import { runChildTask, serveChildTask } from "./support/childTask";
import { backendPids, cpuMs } from "./support/cpu";
import { ROUNDS, withSpread } from "./support/httpRounds";
import { KeepAliveClient } from "./support/keepAliveClient";

// login.*: full Login with DIMO cycles — generate_challenge, sign the fresh EIP-4361 message with
// one of the license's 10 API keys, submit_challenge — against API replicas run as
// `npm run start:api` runs them (one process per core by default, rate limits on but set high
// enough not to throttle). Each cycle asks one replica for the challenge and submits it to the
// next, so the figure also shows that replicas share login state through Postgres alone. The
// client is a process of its own, on raw keep-alive sockets, signing with native libsecp256k1 and
// js-sha3's keccak; every cycle signs its own fresh challenge (nothing precomputed). A warm-up,
// then ROUNDS runs: each figure is their median with the spread.

const SIGNERS = 10;
const BACKGROUND_LICENSES = 1_000;
const CONCURRENCY = Number(process.env.BENCH_LOGIN_CONCURRENCY ?? 24);
// One core is left to Postgres and the load client: on this 2-core machine a second replica only
// adds context switches (211 vs 259 cycles/s measured; 291 vs 445 with the lean client).
const REPLICAS = Number(
  process.env.BENCH_LOGIN_REPLICAS ?? Math.max(1, Math.min(os.availableParallelism() - 1, 4)),
);
const DOMAIN = "https://bench.example/callback";
/**
 * Challenges per minute per IP, per (client, IP) and per client: on (the limiter's staged statement
 * counts) but never hit; 0 = off. The per-(client, IP) limit stays under half the ceiling, as the
 * configuration requires.
 */
const RATE_LIMIT = process.env.BENCH_LOGIN_RATE_LIMIT ?? "1000000";
const RATE_LIMIT_CLIENT_IP = String(Math.floor(Number(RATE_LIMIT) / 3));

type LoadSpec = { urls: string[]; clientId: string; keys: Hex[]; seconds: number; concurrency: number };
type LoadResult = {
  cycles: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  firstFailure: string | null;
  /** The client process's own CPU during the measured loop, ms. */
  cpuMs: number;
};

export const loginSection: BenchSection = {
  key: "login",
  title: "Login with DIMO",
  describe: {
    "submitChallenge.rps": "full generate_challenge + sign + submit_challenge cycles/s (target ≥ 500)",
    "submitChallenge.p50Ms": "… median cycle latency, ms",
    "submitChallenge.p99Ms": "… p99 cycle latency, ms",
    "submitChallenge.failures": "cycles that did not end with a developer JWT (must be 0)",
    concurrency: "concurrent clients",
    replicas: "API processes (a challenge from one is submitted to the next)",
    "cpuMsPerCycle.api": "CPU ms per cycle in the API processes (Linux /proc), all replicas",
    "cpuMsPerCycle.postgres": "… in their Postgres backends",
    "cpuMsPerCycle.client": "… in the load client (HTTP + signing)",
  },
  async run(ctx) {
    const database = await ctx.freshDatabase("login");
    ctx.onCleanup(() => database.drop());
    const keys = Array.from(
      { length: SIGNERS },
      (_, i) => `0x${(0xbe0000 + i + 1).toString(16).padStart(64, "0")}` as Hex,
    );
    const clientId = "0x00000000000000000000000000000000000b3c4e";
    await seed(database.url, clientId, keys);

    const urls: string[] = [];
    const pids: number[] = [];
    for (let i = 0; i < REPLICAS; i++) {
      const replica = await startApiProcess(database.url, {
        LOGIN_RATE_LIMIT_PER_IP: RATE_LIMIT,
        LOGIN_RATE_LIMIT_PER_CLIENT: RATE_LIMIT_CLIENT_IP,
        LOGIN_RATE_LIMIT_PER_CLIENT_GLOBAL: RATE_LIMIT,
      });
      ctx.onCleanup(replica.stop);
      urls.push(replica.url);
      pids.push(replica.pid);
    }
    const spec = { urls, clientId, keys, concurrency: CONCURRENCY };
    // Long enough for V8 to optimize the whole cycle on both sides (2 s left the first run slow).
    ctx.log(`warming up (${CONCURRENCY} clients, ${REPLICAS} API replicas, 5 s)…`);
    await runClients({ ...spec, seconds: 5 });
    const runs: LoadResult[] = [];
    const spent = { api: 0, postgres: 0, client: 0, cycles: 0 };
    for (let round = 1; round <= ROUNDS; round++) {
      const backends = await backendPids(database.url, "dimo-console-api");
      const before = { api: cpuMs(pids), postgres: cpuMs(backends) };
      const r = await runClients({ ...spec, seconds: ctx.seconds });
      const after = { api: cpuMs(pids), postgres: cpuMs(backends) };
      spent.api += (after.api ?? 0) - (before.api ?? 0);
      spent.postgres += (after.postgres ?? 0) - (before.postgres ?? 0);
      spent.client += r.cpuMs;
      spent.cycles += r.cycles;
      runs.push(r);
      ctx.log(
        `round ${round}/${ROUNDS}: ${Math.round(r.cycles / r.seconds)} cycles/s, p50 ${r.p50Ms} / p99 ${r.p99Ms} ms`,
      );
      if (r.failures > 0) ctx.log(`${r.failures} failed cycles; first: ${r.firstFailure}`);
    }
    const per = (ms: number) => Math.round((ms / Math.max(1, spent.cycles)) * 100) / 100;
    return {
      "login.cpuMsPerCycle.api": per(spent.api),
      "login.cpuMsPerCycle.postgres": per(spent.postgres),
      "login.cpuMsPerCycle.client": per(spent.client),
      ...withSpread(
        "login.submitChallenge.rps",
        runs.map((r) => r.cycles / r.seconds),
      ),
      ...withSpread(
        "login.submitChallenge.p50Ms",
        runs.map((r) => r.p50Ms),
        1,
      ),
      ...withSpread(
        "login.submitChallenge.p99Ms",
        runs.map((r) => r.p99Ms),
        1,
      ),
      "login.submitChallenge.failures": runs.reduce((n, r) => n + r.failures, 0),
      "login.concurrency": CONCURRENCY,
      "login.replicas": REPLICAS,
    } satisfies BenchFigures;
  },
};

/** One active license with SIGNERS fresh signers and a redirect URI, among background licenses. */
async function seed(url: string, clientId: string, keys: Hex[]) {
  const db = createDatabase(url, { poolMax: 1, statementTimeoutMs: 600_000 });
  try {
    await createIndexedSchema(db);
    const fx = indexedFixture(db);
    const now = Math.floor(Date.now() / 1000);
    for (let i = 1; i <= BACKGROUND_LICENSES; i++) {
      await fx.license({
        tokenId: i,
        clientId: `0x${i.toString(16).padStart(40, "0")}`,
        owner: `0x${"0a".repeat(20)}`,
      });
    }
    const tokenId = BACKGROUND_LICENSES + 1;
    await fx.license({ tokenId, clientId, owner: `0x${"0b".repeat(20)}`, alias: "bench" });
    await fx.redirectUri({ tokenId, uri: DOMAIN, enabledAt: now });
    for (const key of keys) await fx.signer({ tokenId, signer: privateKeyToAddress(key), enabledAt: now });
  } finally {
    await db.destroy();
  }
}

function runClients(spec: LoadSpec): Promise<LoadResult> {
  return runChildTask(import.meta.url, spec, "login load client");
}

// ---- the client (child process) ------------------------------------------------------------------

/** EIP-191 personal_sign with libsecp256k1 and js-sha3's keccak: 65 bytes, v 27/28. */
function personalSign(key: Uint8Array, message: string): string {
  const bytes = Buffer.from(message, "utf8");
  const digest = sha3.keccak256
    .create()
    .update(`\x19Ethereum Signed Message:\n${bytes.length}`)
    .update(bytes)
    .arrayBuffer();
  const { signature, recid } = secp256k1.ecdsaSign(new Uint8Array(digest), key);
  return `0x${Buffer.from(signature).toString("hex")}${(27 + recid).toString(16)}`;
}

async function clients(spec: LoadSpec): Promise<LoadResult> {
  const urls = spec.urls.map((u) => new URL(u));
  const keys = spec.keys.map((k) => Buffer.from(k.slice(2), "hex"));
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | null = null;
  const fail = (why: string) => {
    failures++;
    firstFailure ??= why;
  };
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const end = start + spec.seconds * 1000;
  let n = 0;
  const connections: KeepAliveClient[] = [];
  const loop = async () => {
    // One connection per replica per client, as a browser or SDK would keep them.
    const own = urls.map((u) => new KeepAliveClient(u));
    connections.push(...own);
    while (performance.now() < end) {
      const t0 = performance.now();
      const i = n++;
      const key = keys[i % keys.length]!;
      const gen = await own[i % own.length]!.postForm("/auth/web3/generate_challenge", {
        client_id: spec.clientId,
        domain: DOMAIN,
        scope: "openid email",
        response_type: "code",
        address: spec.clientId,
      });
      if (gen.status !== 200) {
        fail(`generate ${gen.status} ${gen.body}`);
        continue;
      }
      const { state, challenge } = JSON.parse(gen.body) as { state: string; challenge: string };
      const sub = await own[(i + 1) % own.length]!.postForm("/auth/web3/submit_challenge", {
        client_id: spec.clientId,
        domain: DOMAIN,
        grant_type: "authorization_code",
        state,
        signature: personalSign(key, challenge),
      });
      if (sub.status !== 200 || !sub.body.includes('"access_token"')) {
        fail(`submit ${sub.status} ${sub.body}`);
        continue;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, loop));
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  for (const c of connections) c.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 10) / 10;
  return {
    cycles: latencies.length,
    seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    failures,
    firstFailure,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

serveChildTask(import.meta.url, clients, "login load client");
