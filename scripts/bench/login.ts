import { spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { signRecoverable } from "tiny-secp256k1";
import { type Hex, hashMessage } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { createDatabase } from "../../api/db/database";
import { startApi } from "../../api/server";
import { loadConfig } from "../../config/env";
import { createIndexedSchema, indexedFixture } from "../../test/support/indexedFixture";
import type { BenchFigures, BenchSection } from "../lib/benchRegistry";
import { freePort } from "../lib/ports";

// login.*: full Login with DIMO cycles — generate_challenge, sign the fresh EIP-4361 message with
// one of the license's 10 API keys, submit_challenge — against the API as `npm start` runs it
// (rate limits on, set high enough not to throttle). The client runs in a child process so the
// server keeps its own thread; every cycle signs its own challenge (nothing precomputed).

const SIGNERS = 10;
const BACKGROUND_LICENSES = 1_000;
const CONCURRENCY = Number(process.env.BENCH_LOGIN_CONCURRENCY ?? 24);
const DOMAIN = "https://bench.example/callback";

type LoadSpec = { url: string; clientId: string; keys: Hex[]; seconds: number; concurrency: number };
type LoadResult = {
  cycles: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  firstFailure: string | null;
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

    const logger = pino({ level: "info" }, pino.destination({ dest: "/dev/null", sync: false }));
    const api = await startApi({
      config: loadConfig({
        ...process.env,
        LOG_LEVEL: "info",
        DATA_DIR: process.env.DATA_DIR ?? ".data",
        LOGIN_RATE_LIMIT_PER_IP: "1000000",
        LOGIN_RATE_LIMIT_PER_CLIENT: "1000000",
      }),
      databaseUrl: database.url,
      rpcUrl: "http://127.0.0.1:9",
      port: await freePort(),
      logger,
      chain: { headBlock: async () => 1n },
    });
    ctx.onCleanup(() => api.stop());

    const spec = { url: api.url, clientId, keys, concurrency: CONCURRENCY };
    ctx.log(`warming up (${CONCURRENCY} clients)…`);
    await runClients({ ...spec, seconds: 2 });
    ctx.log(`login cycles for ${ctx.seconds} s…`);
    const r = await runClients({ ...spec, seconds: ctx.seconds });
    if (r.failures > 0) ctx.log(`${r.failures} failed cycles; first: ${r.firstFailure}`);
    return {
      "login.submitChallenge.rps": Math.round(r.cycles / r.seconds),
      "login.submitChallenge.p50Ms": r.p50Ms,
      "login.submitChallenge.p99Ms": r.p99Ms,
      "login.submitChallenge.failures": r.failures,
      "login.concurrency": CONCURRENCY,
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
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", self, JSON.stringify(spec)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`login load client exited with ${code}`));
      try {
        resolve(JSON.parse(out) as LoadResult);
      } catch (error) {
        reject(new Error(`login load client printed no result: ${out.slice(0, 200)}`, { cause: error }));
      }
    });
  });
}

// ---- the client (child process) ------------------------------------------------------------------

function post(
  agent: Agent,
  url: URL,
  path: string,
  form: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path,
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Content-Length": Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** EIP-191 personal_sign with libsecp256k1: 65 bytes, v 27/28. */
function personalSign(key: Uint8Array, message: string): string {
  const { signature, recoveryId } = signRecoverable(hashMessage(message, "bytes"), key);
  return `0x${Buffer.from(signature).toString("hex")}${(27 + recoveryId).toString(16)}`;
}

async function clients(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.url);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency * 2 });
  const keys = spec.keys.map((k) => Buffer.from(k.slice(2), "hex"));
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | null = null;
  const fail = (why: string) => {
    failures++;
    firstFailure ??= why;
  };
  const start = performance.now();
  const end = start + spec.seconds * 1000;
  let n = 0;
  const loop = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const key = keys[n++ % keys.length]!;
      const gen = await post(agent, url, "/auth/web3/generate_challenge", {
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
      const sub = await post(agent, url, "/auth/web3/submit_challenge", {
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
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 10) / 10;
  return { cycles: latencies.length, seconds, p50Ms: at(0.5), p99Ms: at(0.99), failures, firstFailure };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  clients(JSON.parse(process.argv[2] ?? "{}") as LoadSpec).then(
    (r) => process.stdout.write(JSON.stringify(r)),
    (error) => {
      process.stderr.write(
        `login load client failed: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
