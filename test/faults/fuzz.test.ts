import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../../api/db/database";
import { openPrivateKey } from "../../api/lib/walletKey";
import { type AnvilInstance, startAnvil } from "../../devnet/anvil";
import { cassetteChain } from "../../devnet/demoChain";
import { deployDimo } from "../../devnet/deploy";
import { DEV_ACCOUNTS } from "../../devnet/scenario";
import { createIndexedSchema, indexedFixture } from "../../scripts/fixtures/indexedFixture";
import { indexerEnv } from "../../scripts/replay/syncRun";
import { addr } from "../api/harness";
import { Client } from "../console/harness";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { type LiveApi, startLiveApi } from "./support/api";
import { type FuzzRequest, type Operation, operationsOf, requestArbitrary } from "./support/fuzzRequests";
import { type LeakRules, leaks } from "./support/leaks";
import { BASE_SEED, caseSeed, FULL, reproduce, withRepro } from "./support/seeds";

// ≥ 10,000 random and malformed requests (1,000 in `npm test`) over real HTTP against the
// production API (startApi: migrations, pool, app) on a database with indexed fixtures and a
// signed-in console account: every route of the OpenAPI document plus the routes outside it, with
// hostile paths, methods, headers, cookies, encodings and bodies. Never a 5xx; every 4xx is the
// error envelope; no body or log line holds a stack trace, SQL, a file path or a secret.

const SUITE = "fuzz";
const RUNS = Number(process.env.FUZZ_RUNS ?? (FULL ? 10_000 : 1_000));
const CODES = ["invalid_request", "unauthenticated", "forbidden", "not_found", "conflict", "rate_limited"];

/** Routes the OpenAPI document leaves out (plain Hono routes, text answers). */
const EXTRA: Operation[] = [
  ...[
    "/health",
    "/ready",
    "/status",
    "/metrics",
    "/openapi.json",
    "/docs",
    "/docs/init.js",
    "/docs/assets/x.css",
    "/docs/identity",
    "/docs/identity.graphql",
  ].map((p) => ({ method: "GET", path: p, params: [] })),
  { method: "GET", path: "/.well-known/openid-configuration", params: [] },
  { method: "GET", path: "/.well-known/jwks.json", params: [] },
  ...["/auth/web3/generate_challenge", "/auth/web3/submit_challenge", "/auth/challenge", "/auth/token"].map(
    (p) => ({ method: "POST", path: p, params: [] }),
  ),
  { method: "POST", path: "/v1/tokens/exchange", params: [] },
];

let database: TestDatabase;
let anvil: AnvilInstance;
let api: LiveApi;
let dataDir: string;
let client: Client;
let signIns = 0;
const rules: LeakRules = { secrets: [] };
const apiSecret = `fuzz-secret-${randomBytes(16).toString("hex")}`;
const walletKey = randomBytes(32);

async function signIn() {
  client = new Client(api.url, { "x-forwarded-for": `10.9.${signIns >> 8}.${signIns & 255}` });
  const me = await client.signIn(`fuzz-${++signIns}@example.com`, dataDir);
  const token = client.cookies.get("dimo_session");
  if (token) rules.secrets.push({ label: "session token", value: token });
  return me;
}

async function managedWalletKeys(url: string): Promise<string[]> {
  const db = createDatabase(url, { poolMax: 1, statementTimeoutMs: 5_000 });
  try {
    const rows = await db
      .selectFrom("console.wallets")
      .select(["address", "key_ciphertext", "key_iv", "key_tag", "key_version"])
      .where("kind", "=", "managed")
      .execute();
    return rows.map((r) =>
      openPrivateKey(
        { key: walletKey, version: r.key_version! },
        { ciphertext: r.key_ciphertext!, iv: r.key_iv!, tag: r.key_tag!, version: r.key_version! },
        r.address,
      ).toString("hex"),
    );
  } finally {
    await db.destroy();
  }
}

beforeAll(async () => {
  database = await createTestDatabase("fuzz", { appRoles: true });
  // The indexed fixture is written as the indexer's role, so the API's role reads it as it would
  // Ponder's views.
  const db = createDatabase(database.indexerUrl, { poolMax: 2, statementTimeoutMs: 5_000 });
  await createIndexedSchema(db);
  const f = indexedFixture(db);
  for (const [i, alias] of [
    [1, "fuzz-app"],
    [2, null],
    [3, "ünï-app"],
  ] as const) {
    await f.license({
      tokenId: i,
      clientId: addr(`client${i}`),
      owner: addr(`owner${i}`),
      alias,
      ...(i === 2 ? { status: "revoked", revokedAt: 1_700_000_500 } : {}),
    });
    await f.signer({ tokenId: i, signer: addr(`signer${i}`), enabledAt: 1_700_000_100 });
    await f.redirectUri({ tokenId: i, uri: `https://app${i}.example/cb`, enabledAt: 1_700_000_100 });
    await f.event({
      tokenId: i,
      blockNumber: 10 + i,
      logIndex: 0,
      type: "Issued",
      args: { tokenId: String(i) },
      timestamp: 1_700_000_000,
    });
  }
  for (const v of [1, 2]) {
    await f.vehicle({ id: v, owner: addr(`car-owner${v}`) });
    await f.sacd({ vehicleId: v, grantee: addr("client1"), permissions: 0x3fffc, expiresAt: 4_000_000_000 });
    await f.privilege({ vehicleId: v, privilegeId: 1, user: addr("client3"), expiresAt: 4_000_000_000 });
  }
  await f.licenseContract({ address: addr("license-contract"), periodValidity: 31_536_000 });
  await f.ponderState({ isReady: true, chainId: 31337, block: 1_000_000 });
  await db.destroy();

  anvil = await startAnvil();
  const deployment = await deployDimo(anvil.rpcUrl);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "dimo-fuzz-"));
  const env = {
    ...indexerEnv(cassetteChain(deployment), anvil.rpcUrl, database.indexerUrl),
    API_SECRET: apiSecret,
    WALLET_ENCRYPTION_KEY: walletKey.toString("hex"),
    DATA_DIR: dataDir,
    TRUST_PROXY_HOPS: "1",
    LOG_LEVEL: "info",
  };
  api = await startLiveApi({ env, databaseUrl: database.apiUrl, rpcUrl: anvil.rpcUrl });
  await signIn();
  rules.secrets.push(
    { label: "API_SECRET", value: apiSecret },
    { label: "API database password", value: database.roles!.api.password },
    { label: "indexer database password", value: database.roles!.indexer.password },
    { label: "WALLET_ENCRYPTION_KEY (hex)", value: walletKey.toString("hex") },
    { label: "WALLET_ENCRYPTION_KEY (base64)", value: walletKey.toString("base64").slice(0, 40) },
    ...DEV_ACCOUNTS.map((a, i) => ({ label: `dev key ${i}`, value: a.privateKey.slice(2) })),
    ...(await managedWalletKeys(database.url)).map((k) => ({ label: "managed wallet key", value: k })),
  );
}, 180_000);

afterAll(async () => {
  await api?.stop();
  await anvil?.stop();
  await database?.drop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

type Failure = { run: number; request: string; problem: string };

/**
 * Sends one request; null when fetch itself refuses it (a header no client can send, TRACE, …). A
 * keep-alive socket the server closed after answering a big upload early fails the NEXT request
 * sent on it; like any HTTP client we retry that once on a fresh connection.
 */
async function send(
  req: FuzzRequest,
  retry = true,
): Promise<{ status: number; type: string; text: string } | null> {
  let res: Response;
  try {
    const hasBody = req.body !== undefined && req.method !== "GET" && req.method !== "HEAD";
    res = await fetch(`${api.url}${req.path}`, {
      method: req.method,
      headers: req.headers,
      ...(hasBody ? { body: req.body as string } : {}),
      redirect: "manual",
      signal: AbortSignal.timeout(20_000),
    });
  } catch (error) {
    if (error instanceof TypeError && !/fetch failed/.test(error.message)) return null;
    const cause = (error as { cause?: { code?: string } }).cause;
    if (retry && cause?.code === "UND_ERR_SOCKET") return send(req, false);
    throw error;
  }
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
}

function describeRequest(req: FuzzRequest): string {
  const body =
    req.body === undefined
      ? ""
      : ` body(${typeof req.body === "string" ? req.body.length : req.body.byteLength}B): ${String(typeof req.body === "string" ? req.body : "<bytes>").slice(0, 160)}`;
  return `${req.method} ${req.path.slice(0, 200)} [${req.target}] headers ${JSON.stringify(req.headers).slice(0, 300)}${body}`;
}

describe(`fuzzing every route (seed ${BASE_SEED})`, () => {
  it(`${RUNS} random and malformed requests: no 5xx, envelopes on 4xx, no leaks`, async () => {
    await withRepro(SUITE, undefined, async () => {
      const doc = (await api.get("/openapi.json")).body as Parameters<typeof operationsOf>[0];
      const documented = operationsOf(doc);
      const seen = new Set<string>();
      const ops = [...documented, ...EXTRA].filter((o) => {
        const key = `${o.method} ${o.path}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      const page = (await api.get("/v1/licenses?status=all&limit=1")).body as { nextCursor?: string | null };
      const me = (await client.get("/console/me")).body as { id?: string; wallets?: { address: string }[] };
      const known: Record<string, string[]> = {
        tokenId: ["1", "2", "3", "999999"],
        vehicleId: ["1", "2", "404"],
        clientId: [addr("client1"), addr("client3").toUpperCase().replace("0X", "0x")],
        alias: ["fuzz-app", "ünï-app", "nobody"],
        owner: [addr("owner1")],
        signer: [addr("signer1")],
        address: [me.wallets?.[0]?.address ?? addr("w"), addr("owner1")],
        cursor: page.nextCursor ? [page.nextCursor] : [],
        limit: ["1", "100", "101", "0"],
        status: ["active", "revoked", "all"],
        id: me.id ? [me.id] : [],
      };
      const arb = requestArbitrary(ops, doc, {
        known,
        session: () => {
          const token = client.cookies.get("dimo_session");
          return token && client.csrf ? { cookie: `dimo_session=${token}`, csrf: client.csrf } : null;
        },
        origin: new URL(api.url).origin,
      });

      const failures: Failure[] = [];
      const statuses = new Map<number, number>();
      const targets = new Set<string>();
      let skipped = 0;
      let run = 0;
      const slowest: Array<{ ms: number; what: string }> = [];
      await fc.assert(
        fc.asyncProperty(arb, async (req) => {
          run++;
          if (run % 200 === 0 && (await client.get("/console/me")).status !== 200) await signIn();
          const logsBefore = api.logs.length;
          const t0 = performance.now();
          const res = await send(req);
          const ms = performance.now() - t0;
          slowest.push({
            ms,
            what: `${req.method} ${req.path.slice(0, 80)} [${req.target}] ${typeof req.body === "string" ? req.body.length : (req.body?.byteLength ?? 0)}B`,
          });
          slowest.sort((a, b) => b.ms - a.ms);
          slowest.length = Math.min(slowest.length, 5);
          if (!res) {
            skipped++;
            return;
          }
          targets.add(req.target);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const fail = (problem: string) => failures.push({ run, request: describeRequest(req), problem });
          if (res.status >= 500) fail(`HTTP ${res.status}: ${res.text.slice(0, 300)}`);
          // /query answers in GraphQL's own form: {errors: [{message, extensions: {code}}]}, except
          // for a body over the limit, refused (413, the envelope) before any route.
          const graphql = /^\/query(\?|$)/.test(req.path) && res.status !== 413;
          if (res.status >= 400 && res.status < 500 && req.method !== "HEAD") {
            let code: unknown;
            try {
              const body = JSON.parse(res.text) as {
                error?: { code?: unknown; message?: unknown };
                errors?: { message?: unknown; extensions?: { code?: unknown } }[];
              };
              code = body.error?.code;
              if (typeof body.error?.message !== "string") code = undefined;
              if (graphql) {
                const errors = body.errors ?? [];
                const ok =
                  errors.length > 0 &&
                  errors.every((e) => typeof e.message === "string" && e.extensions?.code);
                code = ok ? "graphql" : undefined;
              }
            } catch {}
            if (
              !res.type.includes("application/json") ||
              !(graphql ? code === "graphql" : CODES.includes(String(code)))
            ) {
              fail(`HTTP ${res.status} without the error envelope: ${res.type} ${res.text.slice(0, 200)}`);
            }
          }
          const requestText = `${req.method} ${req.path} ${JSON.stringify(req.headers)} ${typeof req.body === "string" ? req.body : ""}`;
          const staticDoc = /^\/(docs|openapi\.json|metrics)/.test(req.path) && res.status < 400;
          for (const leak of leaks(res.text, requestText, rules, { code: !staticDoc })) fail(`body: ${leak}`);
          const planted = {
            secrets: [
              ...rules.secrets,
              ...req.planted.map((p) => ({ label: "planted credential", value: p })),
            ],
          };
          for (const line of api.logs.slice(logsBefore)) {
            const text = JSON.stringify(line);
            if (Number(line.level) >= 50) fail(`error logged: ${text.slice(0, 300)}`);
            for (const leak of leaks(text, requestText, planted, { code: true })) fail(`log: ${leak}`);
          }
        }),
        { numRuns: RUNS, seed: caseSeed(SUITE, 0), endOnFailure: true },
      );

      const summary = [...statuses]
        .sort((a, b) => a[0] - b[0])
        .map(([s, n]) => `${s}×${n}`)
        .join(" ");
      process.stdout.write(
        `[${SUITE}] ${run} requests (${skipped} refused by fetch itself) over ${targets.size} targets ` +
          `(${documented.length} documented operations + ${EXTRA.length} extra routes); statuses ${summary}; ` +
          `${failures.length} failures; ${signIns} sign-ins; slowest: ${slowest.map((x) => `${x.ms.toFixed(0)} ms ${x.what}`).join(" | ")}\n`,
      );
      const distinct = new Map<string, Failure>();
      for (const f of failures)
        distinct.set(`${f.problem.slice(0, 60)} ${f.request.split(" [")[1]?.split("]")[0]}`, f);
      expect(
        [...distinct.values()].slice(0, 25).map((f) => `run ${f.run}: ${f.problem}\n    ${f.request}`),
        `reproduce: ${reproduce(SUITE)}`,
      ).toEqual([]);
      expect(skipped).toBeLessThan(run / 5);
    });
  }, 1_800_000);
});
