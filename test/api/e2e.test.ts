import pino from "pino";
import { type Address, getAddress, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../api/app";
import { createDatabase } from "../../api/db/database";
import { createChainHead } from "../../api/lib/chainHead";
import { loadConfig } from "../../config/env";
import { ALL_PERMISSIONS, DEV_ACCOUNTS, permissionMask, type ScenarioChain } from "../../devnet/scenario";
import { type Stack, startStack } from "../support/stack";

// The public API over a history really sent on anvil and indexed by the real Ponder indexer into
// the real `dimo` views: part backfilled, part followed in realtime. Expected values come from the
// transactions' receipts and block times, never from the database.

const [, alice, bob, , s1, s2, s3, vehicleOwner, stranger] = DEV_ACCOUNTS.map((a) => a.address) as Address[];
const PERIOD = 86_400n; // set by UpdatePeriodValidity in the history below

let stack: Stack;
let chain: ScenarioChain;
let app: App;
let db: ReturnType<typeof createDatabase>;
let chainNow = 0n;
const tx: Record<string, { hash: Hex; block: bigint; time: bigint }> = {};
const ids: Record<string, bigint> = {};
const clients: Record<string, Address> = {};

const iso = (s: bigint) => new Date(Number(s) * 1000).toISOString();
const get = async <T = Record<string, unknown>>(path: string) => {
  const res = await app.request(path);
  return { status: res.status, body: (await res.json()) as T };
};

async function record(name: string, r: { txHash: Hex; blockNumber: bigint }) {
  const block = await chain.publicClient.getBlock({ blockNumber: r.blockNumber });
  tx[name] = { hash: r.txHash, block: r.blockNumber, time: block.timestamp };
}

beforeAll(async () => {
  stack = await startStack({
    before: async (c) => {
      chain = c;
      // Backfilled: licenses with both alias overloads, a revoke, signers, URIs, the period.
      const alpha = await c.issue(alice!, { alias: "alpha" });
      const legacy = await c.issue(alice!);
      const gone = await c.issue(bob!, { alias: "gone" });
      for (const [name, r] of [
        ["alpha", alpha],
        ["legacy", legacy],
        ["gone", gone],
      ] as const) {
        ids[name] = r.tokenId;
        clients[name] = r.clientId;
        await record(`${name}.issue`, r);
      }
      const [period, legacyAlias, sA1, uA1, uA2, sGone, revoke] = await c.apply([
        { kind: "setPeriodValidity", seconds: PERIOD },
        { kind: "setLegacyAlias", tokenId: legacy.tokenId, alias: "ünï-legacy" },
        { kind: "enableSigner", tokenId: alpha.tokenId, signer: s1! },
        { kind: "setRedirectUri", tokenId: alpha.tokenId, uri: "https://alpha.example/cb", enabled: true },
        { kind: "setRedirectUri", tokenId: alpha.tokenId, uri: "http://localhost:3000", enabled: true },
        { kind: "enableSigner", tokenId: gone.tokenId, signer: s3! },
        { kind: "revoke", tokenId: gone.tokenId },
      ]);
      await record("period", period);
      await record("legacyAlias", legacyAlias);
      await record("alpha.s1", sA1);
      await record("alpha.u1", uA1);
      await record("alpha.u2", uA2);
      await record("gone.s3", sGone);
      await record("gone.revoke", revoke);
    },
  });
  chain = stack.chain;

  // Realtime: more signers and URIs, vehicles shared by SACD (both overloads) and privilege.
  const [car1, car2, car3] = await chain.apply([
    { kind: "mintVehicle", owner: vehicleOwner! },
    { kind: "mintVehicle", owner: vehicleOwner! },
    { kind: "mintVehicle", owner: vehicleOwner! },
  ]);
  ids.car1 = car1.vehicleId;
  ids.car2 = car2.vehicleId;
  ids.car3 = car3.vehicleId;
  await record("car1.mint", car1);
  const now = await chain.now();
  const steps = await chain.apply([
    { kind: "enableSigner", tokenId: ids.alpha!, signer: s2! },
    { kind: "setRedirectUri", tokenId: ids.alpha!, uri: "http://localhost:3000", enabled: false },
    {
      kind: "grant",
      vehicleId: car1.vehicleId,
      grantee: clients.alpha!,
      permissions: permissionMask(1, 6),
      expiration: now + 7_200n,
      source: "ipfs://consent",
      templateId: 7n,
    },
    {
      kind: "setPrivilege",
      vehicleId: car1.vehicleId,
      privId: 4,
      user: clients.alpha!,
      expires: now + 9_000n,
    },
    {
      kind: "grantLegacy",
      vehicleId: car2.vehicleId,
      grantee: clients.alpha!,
      permissions: ALL_PERMISSIONS,
      expiration: now + 3_600n,
    },
    {
      kind: "grant",
      vehicleId: car2.vehicleId,
      grantee: stranger!,
      permissions: permissionMask(2),
      expiration: now + 60n,
    },
    { kind: "setPrivilege", vehicleId: car3.vehicleId, privId: 1, user: clients.alpha!, expires: now + 1n },
    {
      kind: "grant",
      vehicleId: car3.vehicleId,
      grantee: clients.gone!,
      permissions: permissionMask(8),
      expiration: now + 600n,
    },
  ]);
  await record("alpha.s2", steps[0]);
  await record("alpha.u2off", steps[1]);
  await stack.synced();
  // The API's clock: a little after the chain's latest block, so the 1-second privilege has expired.
  chainNow = (await chain.now()) + 5n;

  db = createDatabase(stack.db.apiUrl, { poolMax: 4, statementTimeoutMs: 5_000 });
  app = createApp({
    db,
    clock: () => new Date(Number(chainNow) * 1000),
    logger: pino({ level: "silent" }),
    config: loadConfig(stack.env),
    chain: createChainHead(stack.anvil.rpcUrl),
    secret: Buffer.alloc(32, 3),
  });
}, 240_000);

afterAll(async () => {
  await db?.destroy();
  await stack?.stop();
});

describe("end to end: chain → Ponder → dimo views → API", () => {
  it("answers a license with its signers (contract period) and redirect URIs", async () => {
    const { status, body } = await get(`/v1/licenses/${ids.alpha}`);
    expect(status).toBe(200);
    expect(body).toStrictEqual({
      tokenId: Number(ids.alpha),
      clientId: getAddress(clients.alpha!),
      owner: alice,
      alias: "alpha",
      status: "active",
      mintedAt: iso(tx["alpha.issue"]!.time),
      mintedBlock: Number(tx["alpha.issue"]!.block),
      mintedTx: tx["alpha.issue"]!.hash.toLowerCase(),
      revokedAt: null,
      redirectUris: [{ uri: "https://alpha.example/cb", enabledAt: iso(tx["alpha.u1"]!.time) }],
      signers: [
        {
          address: s1,
          enabledAt: iso(tx["alpha.s1"]!.time),
          expiresAt: iso(tx["alpha.s1"]!.time + PERIOD),
          expired: tx["alpha.s1"]!.time + PERIOD <= chainNow,
        },
        {
          address: s2,
          enabledAt: iso(tx["alpha.s2"]!.time),
          expiresAt: iso(tx["alpha.s2"]!.time + PERIOD),
          expired: false,
        },
      ],
    });
    expect((await get(`/v1/licenses/by-client-id/${clients.alpha!.toLowerCase()}`)).body).toStrictEqual(body);
    expect((await get("/v1/licenses/by-alias/alpha")).body).toStrictEqual(body);
  });

  it("decodes the bytes32 alias overload and finds the license by it", async () => {
    const { body } = await get<{ tokenId: number; alias: string }>(
      `/v1/licenses/by-alias/${encodeURIComponent("ünï-legacy")}`,
    );
    expect(body).toMatchObject({ tokenId: Number(ids.legacy), alias: "ünï-legacy" });
    expect((await get(`/v1/aliases/${encodeURIComponent("ünï-legacy")}`)).body).toStrictEqual({
      alias: "ünï-legacy",
      available: false,
      tokenId: Number(ids.legacy),
      reason: "taken",
    });
  });

  it("shows a revoke: status, time, alias freed, signers kept, still found by tokenId and clientId", async () => {
    const { body } = await get<Record<string, unknown>>(`/v1/licenses/${ids.gone}`);
    expect(body).toMatchObject({
      status: "revoked",
      alias: null,
      revokedAt: iso(tx["gone.revoke"]!.time),
      signers: [expect.objectContaining({ address: s3 })],
    });
    expect((await get(`/v1/licenses/by-client-id/${clients.gone}`)).status).toBe(200);
    expect((await get("/v1/licenses/by-alias/gone")).status).toBe(404);
    expect((await get("/v1/aliases/gone")).body).toMatchObject({ available: true, reason: null });
  });

  it("lists licenses by status, owner and signer", async () => {
    const ids_ = async (q: string) =>
      (await get<{ items: { tokenId: number }[] }>(`/v1/licenses${q}`)).body.items.map((l) => l.tokenId);
    const [a, l, g] = [ids.alpha, ids.legacy, ids.gone].map(Number);
    expect(await ids_("")).toEqual([l, a]);
    expect(await ids_("?status=all")).toEqual([g, l, a]);
    expect(await ids_(`?status=all&owner=${bob!.toLowerCase()}`)).toEqual([g]);
    expect(await ids_(`?signer=${s2}`)).toEqual([a]);
    expect(await ids_(`?status=all&signer=${s3}`)).toEqual([g]);
  });

  it("lists vehicles shared with the license through SACD (both overloads) and privileges", async () => {
    const { body } = await get<{ items: Record<string, unknown>[]; nextCursor: null }>(
      `/v1/licenses/${ids.alpha}/vehicles`,
    );
    const sacd1 = body.items[0]!.grants as Record<string, unknown>[];
    expect(body.items.map((v) => v.vehicleId)).toEqual([Number(ids.car1), Number(ids.car2)]); // car3's privilege expired
    expect(body.items[0]).toMatchObject({
      owner: vehicleOwner,
      permissions: ["GetNonLocationHistory", "GetLocationHistory", "GetLiveData"],
    });
    expect(sacd1).toEqual([
      {
        kind: "sacd",
        grantee: getAddress(clients.alpha!),
        permissions: `0x${permissionMask(1, 6).toString(16)}`,
        expiresAt: expect.any(String),
        source: "ipfs://consent",
        templateId: `0x${"7".padStart(64, "0")}`,
      },
      {
        kind: "privilege",
        grantee: getAddress(clients.alpha!),
        privilegeId: 4,
        expiresAt: expect.any(String),
      },
    ]);
    expect(body.items[0]!.expiresAt).toBe(sacd1[1]!.expiresAt); // the privilege outlives the SACD
    expect(body.items[1]).toMatchObject({
      permissions: [
        "GetNonLocationHistory",
        "ExecuteCommands",
        "GetCurrentLocation",
        "GetLocationHistory",
        "GetVINCredential",
        "GetLiveData",
        "GetRawData",
        "GetApproximateLocation",
      ],
      grants: [
        expect.objectContaining({ kind: "sacd", permissions: "0x3fffc", source: null, templateId: null }),
      ],
    });
    // A revoked license still lists its grants.
    const gone = await get<{ items: { vehicleId: number }[] }>(`/v1/licenses/${ids.gone}/vehicles`);
    expect(gone.body.items.map((v) => v.vehicleId)).toEqual([Number(ids.car3)]);
  });

  it("answers a vehicle with every grantee's unexpired grants", async () => {
    const { body } = await get<{
      vehicleId: number;
      owner: string;
      mintedAt: string;
      grants: { grantee: string }[];
    }>(`/v1/vehicles/${ids.car2}`);
    expect(body.vehicleId).toBe(Number(ids.car2));
    expect(body.owner).toBe(vehicleOwner);
    expect(body.grants.map((g) => g.grantee).sort()).toEqual([getAddress(clients.alpha!), stranger].sort());
    expect((await get(`/v1/vehicles/${ids.car1}`)).body).toMatchObject({
      mintedAt: iso(tx["car1.mint"]!.time),
    });
  });

  it("answers the history oldest first with the chain's block, tx and log index", async () => {
    type Item = {
      type: string;
      blockNumber: number;
      txHash: string;
      logIndex: number;
      timestamp: string;
      args: Record<string, unknown>;
    };
    const { body } = await get<{ items: Item[] }>(`/v1/licenses/${ids.alpha}/events?limit=100`);
    const keys = body.items.map((e) => [e.blockNumber, e.logIndex]);
    expect(keys).toEqual([...keys].sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!));
    const issued = body.items.find((e) => e.type === "Issued")!;
    expect(issued).toMatchObject({
      blockNumber: Number(tx["alpha.issue"]!.block),
      txHash: tx["alpha.issue"]!.hash.toLowerCase(),
      timestamp: iso(tx["alpha.issue"]!.time),
      args: { tokenId: String(ids.alpha), owner: alice, clientId: getAddress(clients.alpha!) },
    });
    expect(body.items.filter((e) => e.type === "LicenseAliasSet").map((e) => e.args.licenseAlias)).toEqual([
      "alpha",
    ]);
    expect(body.items.filter((e) => e.type === "SignerEnabled").map((e) => e.args.signer)).toEqual([s1, s2]);
    expect(body.items.filter((e) => e.type === "RedirectUriDisabled").map((e) => e.txHash)).toEqual([
      tx["alpha.u2off"]!.hash.toLowerCase(),
    ]);
  });

  it("counts the index and reports the indexer caught up", async () => {
    expect((await get("/v1/stats")).body).toStrictEqual({
      licenses: { active: 2, revoked: 1 },
      signers: 2,
      redirectUris: 1,
      vehicles: 3,
      activeGrants: 5, // car1: SACD + privilege; car2: two SACDs; car3: gone's SACD (alpha's privilege expired)
    });
    const status = await get<{ indexedBlock: number; headBlock: number; ready: boolean; chainId: number }>(
      "/status",
    );
    expect(status.body).toMatchObject({ chainId: stack.deployment.chainId, ready: true });
    expect(status.body.indexedBlock).toBeGreaterThanOrEqual(Number(tx["alpha.u2off"]!.block));
    expect((await get("/ready")).status).toBe(200);
  });
});
