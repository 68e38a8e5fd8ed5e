import { getIntrospectionQuery } from "graphql";
import pino from "pino";
import { type Address, getAddress } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../api/app";
import { createDatabase } from "../../api/db/database";
import { createChainHead } from "../../api/lib/chainHead";
import { loadConfig } from "../../config/env";
import { ALL_PERMISSIONS, DEV_ACCOUNTS, permissionMask, type ScenarioChain } from "../../devnet/scenario";
import { type Stack, startStack } from "../support/stack";
import { CONSOLE, DATA_SDK, sdkQuery } from "./clientQueries";

// POST /query against a history really sent on anvil and indexed by the real Ponder indexer: every
// query DIMO's developer console and data-sdk send, with whole answers compared against /v1 (the
// same services) and against the chain's receipts; pagination both ways with identity-api's
// cursors; identity-api's error cases; the depth and cost limits.

const [, alice, bob, , s1, s2, s3, vehicleOwner, stranger, s4] = DEV_ACCOUNTS.map(
  (a) => a.address,
) as Address[];
const PERIOD = 86_400n;

let stack: Stack;
let chain: ScenarioChain;
let app: App;
let db: ReturnType<typeof createDatabase>;
let chainNow = 0n;
let chainId = 0;
const ids: Record<string, bigint> = {};
const clients: Record<string, Address> = {};
const times: Record<string, bigint> = {};

/** GraphQL Time: RFC 3339 without a fraction (gqlgen's format for whole seconds). */
const t = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
const fromV1 = (iso: string) => iso.replace(".000Z", "Z");
const b64 = (s: string) => Buffer.from(s).toString("base64");
/** identity-api's MessagePack cursor of (time, 20-byte address), built byte by byte here. */
const timeAddressCursor = (seconds: bigint, address: string) => {
  const secs = Buffer.alloc(4);
  secs.writeUInt32BE(Number(seconds));
  return Buffer.concat([
    Buffer.from([0x92, 0xd6, 0xff]),
    secs,
    Buffer.from([0xc4, 20]),
    Buffer.from(address.slice(2), "hex"),
  ]).toString("base64");
};

type GqlAnswer = { status: number; body: { data?: Record<string, unknown> | null; errors?: GqlError[] } };
type GqlError = { message: string; path?: (string | number)[]; extensions?: { code?: string } };

async function gql(query: string, variables?: Record<string, unknown>): Promise<GqlAnswer> {
  const res = await app.request("/query", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(variables ? { query, variables } : { query }),
  });
  return { status: res.status, body: (await res.json()) as GqlAnswer["body"] };
}

async function data<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) {
  const { status, body } = await gql(query, variables);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  expect(status).toBe(200);
  return body.data as T;
}

async function v1<T = Record<string, unknown>>(path: string): Promise<T> {
  const res = await app.request(path);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

type V1License = {
  tokenId: number;
  clientId: string;
  owner: string;
  alias: string | null;
  status: string;
  mintedAt: string;
  revokedAt: string | null;
  signers: { address: string; enabledAt: string; expiresAt: string; expired: boolean }[];
  redirectUris: { uri: string; enabledAt: string }[];
};

async function blockTime(r: { blockNumber: bigint }) {
  return (await chain.publicClient.getBlock({ blockNumber: r.blockNumber })).timestamp;
}

beforeAll(async () => {
  stack = await startStack({
    before: async (c) => {
      chain = c;
      for (const [name, owner, alias] of [
        ["alpha", alice, "alpha"],
        ["beta", alice, undefined],
        ["gone", bob, "gone"],
        ["delta", bob, "delta"],
      ] as const) {
        const r = await c.issue(owner!, alias ? { alias } : {});
        ids[name] = r.tokenId;
        clients[name] = r.clientId;
        times[`${name}.mint`] = await blockTime(r);
      }
      const [, batch, , later, uris, , moreUri, , revoke] = await c.apply([
        { kind: "setPeriodValidity", seconds: PERIOD },
        // Three signers in one block: identity-api orders ties by address.
        {
          kind: "batch",
          steps: [s3!, s1!, s2!].map((signer) => ({
            kind: "enableSigner" as const,
            tokenId: ids.alpha!,
            signer,
          })),
        },
        { kind: "increaseTime", seconds: 10 },
        { kind: "enableSigner", tokenId: ids.alpha!, signer: s4! },
        {
          kind: "batch",
          steps: ["https://alpha.example/cb", "http://localhost:3000"].map((uri) => ({
            kind: "setRedirectUri" as const,
            tokenId: ids.alpha!,
            uri,
            enabled: true,
          })),
        },
        { kind: "increaseTime", seconds: 10 },
        { kind: "setRedirectUri", tokenId: ids.alpha!, uri: "https://z.example/late", enabled: true },
        { kind: "enableSigner", tokenId: ids.gone!, signer: s1! },
        { kind: "revoke", tokenId: ids.gone! },
      ]);
      times["signers.batch"] = await blockTime(batch!);
      times["signers.s4"] = await blockTime(later!);
      times["uris.batch"] = await blockTime(uris!);
      times["uris.late"] = await blockTime(moreUri!);
      times["gone.revoke"] = await blockTime(revoke!);
    },
  });
  chain = stack.chain;
  const cars = await chain.apply([
    { kind: "mintVehicle", owner: vehicleOwner! },
    { kind: "mintVehicle", owner: vehicleOwner! },
    { kind: "mintVehicle", owner: vehicleOwner! },
    { kind: "mintVehicle", owner: stranger! },
  ]);
  for (const [i, car] of cars.entries()) {
    ids[`car${i + 1}`] = car.vehicleId;
    times[`car${i + 1}.mint`] = await blockTime(car);
  }
  const now = await chain.now();
  // Each grant a few seconds after the previous one: lists ordered by set time have no ties.
  const grantSteps: Parameters<ScenarioChain["apply"]>[0] = [
    {
      kind: "grant",
      vehicleId: ids.car1!,
      grantee: clients.alpha!,
      permissions: permissionMask(1, 6),
      expiration: now + 7_200n,
      source: "ipfs://consent",
      templateId: 7n,
    },
    { kind: "setPrivilege", vehicleId: ids.car1!, privId: 4, user: clients.alpha!, expires: now + 9_000n },
    { kind: "setPrivilege", vehicleId: ids.car1!, privId: 1, user: stranger!, expires: now + 9_000n },
    {
      kind: "grantLegacy",
      vehicleId: ids.car2!,
      grantee: clients.alpha!,
      permissions: ALL_PERMISSIONS,
      expiration: now + 3_600n,
    },
    {
      kind: "grant",
      vehicleId: ids.car2!,
      grantee: stranger!,
      permissions: permissionMask(2),
      expiration: now + 60n,
    },
    {
      kind: "grantAccount",
      grantor: vehicleOwner!,
      grantee: clients.alpha!,
      permissions: permissionMask(1),
      expiration: now + 600n,
      source: "ipfs://account",
    },
  ];
  const grants = (
    await chain.apply(grantSteps.flatMap((step) => [{ kind: "increaseTime" as const, seconds: 3 }, step]))
  ).filter((r) => r.txHash !== null);
  for (const [i, g] of grants.entries()) times[`grant${i}`] = await blockTime(g);
  await stack.synced();
  chainNow = (await chain.now()) + 5n;
  chainId = await chain.publicClient.getChainId();

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

const sortedSigners = (l: V1License) =>
  [...l.signers].sort((a, b) =>
    a.enabledAt === b.enabledAt
      ? a.address.toLowerCase() < b.address.toLowerCase()
        ? -1
        : 1
      : a.enabledAt < b.enabledAt
        ? 1
        : -1,
  );
const sortedUris = (l: V1License) =>
  [...l.redirectUris].sort((a, b) =>
    a.enabledAt === b.enabledAt ? (a.uri < b.uri ? -1 : 1) : a.enabledAt < b.enabledAt ? 1 : -1,
  );

describe("DIMO developer console's queries (dimo-developer-console src/gql/gql.ts)", () => {
  it("GetDeveloperLicensesByOwner: every license of an owner, token id descending", async () => {
    const got = await data(CONSOLE.GetDeveloperLicensesByOwner, { owner: alice });
    const rest = await v1<{ items: V1License[] }>(`/v1/licenses?owner=${alice}&status=all&limit=100`);
    expect(rest.items.map((l) => l.tokenId)).toEqual([Number(ids.beta), Number(ids.alpha)]);
    expect(got).toStrictEqual({
      developerLicenses: {
        totalCount: 2,
        nodes: rest.items.map((l) => ({
          alias: l.alias,
          tokenId: l.tokenId,
          clientId: l.clientId,
          owner: l.owner,
        })),
      },
    });
  });

  it("GetDeveloperLicense: summary, signers and redirect URIs in identity-api's order", async () => {
    const got = await data(CONSOLE.GetDeveloperLicense, { tokenId: Number(ids.alpha) });
    const rest = await v1<V1License>(`/v1/licenses/${ids.alpha}`);
    expect(got).toStrictEqual({
      developerLicense: {
        alias: "alpha",
        tokenId: Number(ids.alpha),
        clientId: getAddress(clients.alpha!),
        owner: alice,
        signers: {
          nodes: sortedSigners(rest).map((s) => ({ address: s.address, enabledAt: fromV1(s.enabledAt) })),
        },
        redirectURIs: { nodes: sortedUris(rest).map((u) => ({ uri: u.uri })) },
      },
    });
    // Against the chain itself: s4 alone, newest; then the batch's three by address.
    const signers = (got.developerLicense as { signers: { nodes: { address: string; enabledAt: string }[] } })
      .signers.nodes;
    const tied = [s1!, s2!, s3!].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
    expect(signers).toStrictEqual([
      { address: s4, enabledAt: t(times["signers.s4"]!) },
      ...tied.map((address) => ({ address, enabledAt: t(times["signers.batch"]!) })),
    ]);
  });

  it("GetVehicleCountByClientId / DeveloperLicenseVehiclesQuery: vehicles privileged to a client (first: 0)", async () => {
    const shared = await v1<{ items: unknown[] }>(`/v1/licenses/${ids.alpha}/vehicles?limit=100`);
    expect(shared.items).toHaveLength(2);
    for (const q of [CONSOLE.GetVehicleCountByClientId, CONSOLE.DeveloperLicenseVehiclesQuery]) {
      expect(await data(q, { clientId: clients.alpha })).toStrictEqual({ vehicles: { totalCount: 2 } });
    }
    // The owner's vehicles count too (identity-api's `privileged` includes owned ones).
    expect(await data(CONSOLE.GetVehicleCountByClientId, { clientId: vehicleOwner })).toStrictEqual({
      vehicles: { totalCount: 3 },
    });
  });

  it("GetVehiclesByClientId: pages forward with first/after and back with last/before", async () => {
    const all = await data<{ vehicles: { nodes: { tokenId: number }[] } }>(CONSOLE.GetVehiclesByClientId, {
      clientId: vehicleOwner,
      first: 100,
    });
    const order = [ids.car3!, ids.car2!, ids.car1!].map(Number);
    expect(all.vehicles.nodes.map((n) => n.tokenId)).toEqual(order);
    const node = (id: number) => ({ tokenId: id, definition: { make: null, model: null, year: null } });

    const p1 = await data(CONSOLE.GetVehiclesByClientId, { clientId: vehicleOwner, first: 2 });
    expect(p1).toStrictEqual({
      vehicles: {
        totalCount: 3,
        pageInfo: {
          startCursor: b64(String(order[0])),
          endCursor: b64(String(order[1])),
          hasNextPage: true,
          hasPreviousPage: false,
        },
        nodes: [node(order[0]!), node(order[1]!)],
      },
    });
    const p2 = await data(CONSOLE.GetVehiclesByClientId, {
      clientId: vehicleOwner,
      first: 2,
      after: b64(String(order[1])),
    });
    expect(p2).toStrictEqual({
      vehicles: {
        totalCount: 3,
        pageInfo: {
          startCursor: b64(String(order[2])),
          endCursor: b64(String(order[2])),
          hasNextPage: false,
          hasPreviousPage: true,
        },
        nodes: [node(order[2]!)],
      },
    });
    const back = await data(CONSOLE.GetVehiclesByClientId, {
      clientId: vehicleOwner,
      last: 2,
      before: b64(String(order[2])),
    });
    expect(back).toStrictEqual({
      vehicles: {
        totalCount: 3,
        pageInfo: {
          startCursor: b64(String(order[0])),
          endCursor: b64(String(order[1])),
          hasNextPage: true,
          hasPreviousPage: false,
        },
        nodes: [node(order[0]!), node(order[1]!)],
      },
    });
    const tail = await data(CONSOLE.GetVehiclesByClientId, { clientId: vehicleOwner, last: 1 });
    expect((tail.vehicles as { nodes: unknown[] }).nodes).toStrictEqual([node(order[2]!)]);
  });

  it("DeveloperLicenseByClientIdSummary, in any address case", async () => {
    for (const clientId of [clients.alpha!, clients.alpha!.toLowerCase()]) {
      expect(await data(CONSOLE.DeveloperLicenseByClientIdSummary, { clientId })).toStrictEqual({
        developerLicense: {
          tokenId: Number(ids.alpha),
          alias: "alpha",
          clientId: getAddress(clients.alpha!),
        },
      });
    }
  });

  it("GetDeveloperLicensesForWebhooks: aliases and redirect URIs of an owner's licenses", async () => {
    const rest = await v1<{ items: V1License[] }>(`/v1/licenses?owner=${alice}&status=all&limit=100`);
    expect(await data(CONSOLE.GetDeveloperLicensesForWebhooks, { owner: alice })).toStrictEqual({
      developerLicenses: {
        nodes: rest.items.map((l) => ({
          alias: l.alias,
          clientId: l.clientId,
          redirectURIs: { nodes: sortedUris(l).map((u) => ({ uri: u.uri })) },
        })),
      },
    });
  });

  it("Apollo's __typename and the codegen's introspection query are answered", async () => {
    const got = await data(`{ developerLicense(by: {tokenId: ${ids.beta}}) { __typename tokenId } }`);
    expect(got).toStrictEqual({
      developerLicense: { __typename: "DeveloperLicense", tokenId: Number(ids.beta) },
    });
    const intro = await data<{ __schema: { queryType: { name: string } } }>(getIntrospectionQuery());
    expect(intro.__schema.queryType.name).toBe("Query");
  });
});

describe("DIMO data-sdk's identity queries (data-sdk src/graphql/resources/Identity/index.ts)", () => {
  it("listSacdPerVehicleTokenId: a vehicle's SACDs, as the SDK substitutes its parameters", async () => {
    const res = await sdkQuery(app, DATA_SDK.listSacdPerVehicleTokenId, { tokenId: Number(ids.car2) });
    expect(res.status).toBe(200);
    const rest = await v1<{ grants: { kind: string; grantee: string; permissions: string }[] }>(
      `/v1/vehicles/${ids.car2}`,
    );
    const sacds = rest.grants.filter((g) => g.kind === "sacd");
    expect(sacds).toHaveLength(2);
    // createdAt descending: the stranger's grant came after alpha's legacy one.
    const nodes = [
      { permissions: permissionHex(permissionMask(2)), grantee: stranger },
      { permissions: permissionHex(ALL_PERMISSIONS), grantee: getAddress(clients.alpha!) },
    ];
    expect(nodes.map((n) => n.grantee).sort()).toEqual(sacds.map((s) => s.grantee).sort());
    expect(res.body).toStrictEqual({
      data: {
        vehicle: {
          sacds: {
            nodes,
            totalCount: 2,
            pageInfo: {
              startCursor: timeAddressCursor(times.grant4!, stranger!.toLowerCase()),
              endCursor: timeAddressCursor(times.grant3!, clients.alpha!.toLowerCase()),
            },
          },
        },
      },
    });
  });

  it("countDimoVehicles: every vehicle", async () => {
    const res = await sdkQuery(app, DATA_SDK.countDimoVehicles, {});
    expect(res.body).toStrictEqual({ data: { vehicles: { totalCount: 4 } } });
  });

  it("listVehicleDefinitionsPerAddress asks for device data not indexed here: a validation error naming it", async () => {
    const res = await sdkQuery(app, DATA_SDK.listVehicleDefinitionsPerAddress, {
      address: vehicleOwner,
      limit: 10,
    });
    expect(res.status).toBe(422);
    const errors = (res.body as { errors: GqlError[] }).errors;
    expect(errors.map((e) => e.extensions?.code)).toEqual(errors.map(() => "GRAPHQL_VALIDATION_FAILED"));
    expect(errors.map((e) => e.message)).toEqual([
      'Cannot query field "aftermarketDevice" on type "Vehicle".',
      'Cannot query field "syntheticDevice" on type "Vehicle".',
    ]);
  });

  it("identity.query (a custom query) answers the same license, signers and URIs as /v1", async () => {
    const res = await sdkQuery(app, {
      query: `{ developerLicense(by: {alias: "alpha"}) { tokenId tokenDID clientId owner alias mintedAt status revokedAt
        signers(first: 100) { nodes { address enabledAt expiresAt expired } }
        redirectURIs(first: 100) { nodes { uri enabledAt } } } }`,
    });
    const rest = await v1<V1License>("/v1/licenses/by-alias/alpha");
    const devLicense = loadConfig(stack.env).chain.devLicense;
    expect(res.body).toStrictEqual({
      data: {
        developerLicense: {
          tokenId: rest.tokenId,
          tokenDID: `did:erc721:${chainId}:${getAddress(devLicense)}:${rest.tokenId}`,
          clientId: rest.clientId,
          owner: rest.owner,
          alias: rest.alias,
          mintedAt: fromV1(rest.mintedAt),
          status: "ACTIVE",
          revokedAt: null,
          signers: {
            nodes: sortedSigners(rest).map((s) => ({
              address: s.address,
              enabledAt: fromV1(s.enabledAt),
              expiresAt: fromV1(s.expiresAt),
              expired: s.expired,
            })),
          },
          redirectURIs: {
            nodes: sortedUris(rest).map((u) => ({ uri: u.uri, enabledAt: fromV1(u.enabledAt) })),
          },
        },
      },
    });
  });
});

const permissionHex = (mask: bigint) => `0x${mask.toString(16)}`;

describe("the rest of the covered schema", () => {
  it("vehicle: owner, mint time, DID, privileges filtered, sacds, sacd(grantee), the global id", async () => {
    const config = loadConfig(stack.env);
    const got = await data(`{
      vehicle(tokenId: ${ids.car1}) {
        id tokenId tokenDID owner mintedAt
        privileges(first: 10) { totalCount nodes { id user setAt expiresAt } }
        mine: privileges(first: 10, filterBy: {user: "${clients.alpha!.toLowerCase()}", privilegeId: 4}) { totalCount nodes { id } }
        sacds(first: 10) { totalCount nodes { grantee permissions source createdAt expiresAt template { cid } templateId } }
        sacd(grantee: "${clients.alpha}") { grantee }
        none: sacd(grantee: "${stranger}") { grantee }
      }
    }`);
    const rest = await v1<{
      grants: { kind: string; grantee: string; expiresAt: string; privilegeId?: number }[];
    }>(`/v1/vehicles/${ids.car1}`);
    const privileges = rest.grants.filter((g) => g.kind === "privilege");
    expect(privileges).toHaveLength(2);
    const exp = (grantee: string, kind: string) =>
      fromV1(rest.grants.find((g) => g.grantee === grantee && g.kind === kind)!.expiresAt);
    const id = Number(ids.car1);
    expect(got).toStrictEqual({
      vehicle: {
        id: `V_${Buffer.from([0x91, id]).toString("base64")}`,
        tokenId: id,
        tokenDID: `did:erc721:${chainId}:${getAddress(config.chain.vehicleId)}:${id}`,
        owner: vehicleOwner,
        mintedAt: t(times["car1.mint"]!),
        privileges: {
          totalCount: 2,
          // setAt descending: the stranger's privilege was set after alpha's.
          nodes: [
            { id: 1, user: stranger, setAt: t(times.grant2!), expiresAt: exp(stranger!, "privilege") },
            {
              id: 4,
              user: getAddress(clients.alpha!),
              setAt: t(times.grant1!),
              expiresAt: exp(getAddress(clients.alpha!), "privilege"),
            },
          ],
        },
        mine: { totalCount: 1, nodes: [{ id: 4 }] },
        sacds: {
          totalCount: 1,
          nodes: [
            {
              grantee: getAddress(clients.alpha!),
              permissions: permissionHex(permissionMask(1, 6)),
              source: "ipfs://consent",
              createdAt: t(times.grant0!),
              expiresAt: exp(getAddress(clients.alpha!), "sacd"),
              template: null,
              templateId: `0x${(7).toString(16).padStart(64, "0")}`,
            },
          ],
        },
        sacd: { grantee: getAddress(clients.alpha!) },
        none: null,
      },
    });
    const byDid = await data(
      `{ vehicle(tokenDID: "did:erc721:${chainId}:${config.chain.vehicleId}:${id}") { tokenId } }`,
    );
    expect(byDid).toStrictEqual({ vehicle: { tokenId: id } });
  });

  it("vehicles filterBy owner; account sacds", async () => {
    expect(
      await data(
        `{ vehicles(first: 10, filterBy: {owner: "${stranger}"}) { totalCount nodes { tokenId owner } } }`,
      ),
    ).toStrictEqual({
      vehicles: { totalCount: 1, nodes: [{ tokenId: Number(ids.car4), owner: stranger }] },
    });
    expect(
      await data(
        `{ account(by: {address: "${vehicleOwner}"}) { address sacds(first: 5) { totalCount nodes { grantee permissions source createdAt template { cid } } pageInfo { hasNextPage hasPreviousPage } } } }`,
      ),
    ).toStrictEqual({
      account: {
        address: vehicleOwner,
        sacds: {
          totalCount: 1,
          nodes: [
            {
              grantee: getAddress(clients.alpha!),
              permissions: permissionHex(permissionMask(1)),
              source: "ipfs://account",
              createdAt: t(times.grant5!),
              template: null,
            },
          ],
          pageInfo: { hasNextPage: false, hasPreviousPage: false },
        },
      },
    });
    expect(
      await data(
        `{ account(by: {address: "${stranger}"}) { sacds(first: 5) { totalCount nodes { grantee } pageInfo { startCursor endCursor hasNextPage hasPreviousPage } } } }`,
      ),
    ).toStrictEqual({
      account: {
        sacds: {
          totalCount: 0,
          nodes: [],
          pageInfo: { startCursor: null, endCursor: null, hasNextPage: false, hasPreviousPage: false },
        },
      },
    });
  });

  it("additions: a revoked license says so (alias freed), filterBy status, signers' expiry", async () => {
    const got = await data(`{
      all: developerLicenses(first: 10, filterBy: {owner: "${bob}"}) { totalCount nodes { tokenId alias status revokedAt } }
      active: developerLicenses(first: 10, filterBy: {status: ACTIVE}) { totalCount nodes { tokenId } }
      revoked: developerLicenses(first: 10, filterBy: {status: REVOKED}) { totalCount nodes { tokenId } }
      bySigner: developerLicenses(first: 10, filterBy: {signer: "${s1}"}) { nodes { tokenId } }
    }`);
    expect(got).toStrictEqual({
      all: {
        totalCount: 2,
        nodes: [
          { tokenId: Number(ids.delta), alias: "delta", status: "ACTIVE", revokedAt: null },
          { tokenId: Number(ids.gone), alias: null, status: "REVOKED", revokedAt: t(times["gone.revoke"]!) },
        ],
      },
      active: {
        totalCount: 3,
        nodes: [ids.delta!, ids.beta!, ids.alpha!].map((id) => ({ tokenId: Number(id) })),
      },
      revoked: { totalCount: 1, nodes: [{ tokenId: Number(ids.gone) }] },
      bySigner: { nodes: [ids.gone!, ids.alpha!].map((id) => ({ tokenId: Number(id) })) },
    });
    const signer = await data(
      `{ developerLicense(by: {tokenId: ${ids.alpha}}) { signers(first: 1) { nodes { address expiresAt expired } } } }`,
    );
    expect(signer).toStrictEqual({
      developerLicense: {
        signers: { nodes: [{ address: s4, expiresAt: t(times["signers.s4"]! + PERIOD), expired: false }] },
      },
    });
  });
});

describe("pagination with identity-api's cursors", () => {
  type Page = {
    totalCount: number;
    edges: { cursor: string; node: { tokenId: number } }[];
    pageInfo: {
      startCursor: string | null;
      endCursor: string | null;
      hasNextPage: boolean;
      hasPreviousPage: boolean;
    };
  };
  const LIST = `query($first: Int, $after: String, $last: Int, $before: String) {
    developerLicenses(first: $first, after: $after, last: $last, before: $before) {
      totalCount edges { cursor node { tokenId } } pageInfo { startCursor endCursor hasNextPage hasPreviousPage }
    }
  }`;

  it("walks every license forward one by one, then back, with base64 token id cursors", async () => {
    const expected = [ids.delta!, ids.gone!, ids.beta!, ids.alpha!].map(Number);
    const forward: number[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Page = (await data<{ developerLicenses: Page }>(LIST, { first: 1, after }))
        .developerLicenses;
      expect(page.totalCount).toBe(4);
      for (const e of page.edges) {
        expect(e.cursor).toBe(b64(String(e.node.tokenId)));
        forward.push(e.node.tokenId);
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(forward).toEqual(expected);
    const backward: number[] = [];
    let before: string | null = null;
    for (;;) {
      const page: Page = (await data<{ developerLicenses: Page }>(LIST, { last: 1, before }))
        .developerLicenses;
      backward.unshift(...page.edges.map((e) => e.node.tokenId));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(backward).toEqual(expected);
  });

  it("signers page both ways; identity-api's cursors are read, and `before` means before", async () => {
    const q = `query($first: Int, $after: String, $last: Int, $before: String) {
      developerLicense(by: {tokenId: ${ids.alpha}}) { signers(first: $first, after: $after, last: $last, before: $before) {
        totalCount edges { cursor node { address } } pageInfo { startCursor endCursor hasNextPage hasPreviousPage } } }
    }`;
    type S = {
      developerLicense: {
        signers: { edges: { cursor: string; node: { address: string } }[]; pageInfo: Page["pageInfo"] };
      };
    };
    const tied = [s1!, s2!, s3!].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
    const order = [s4!, ...tied];
    const cursorOf = (a: string) =>
      timeAddressCursor(a === s4 ? times["signers.s4"]! : times["signers.batch"]!, a.toLowerCase());
    const first = (await data<S>(q, { first: 2 })).developerLicense.signers;
    expect(first.edges).toStrictEqual(
      order.slice(0, 2).map((a) => ({ cursor: cursorOf(a), node: { address: a } })),
    );
    expect(first.pageInfo).toStrictEqual({
      startCursor: cursorOf(order[0]!),
      endCursor: cursorOf(order[1]!),
      hasNextPage: true,
      hasPreviousPage: false,
    });
    // A cursor built the way identity-api encodes it pages on.
    const rest = (await data<S>(q, { first: 2, after: cursorOf(order[1]!) })).developerLicense.signers;
    expect(rest.edges.map((e) => e.node.address)).toEqual(order.slice(2));
    expect(rest.pageInfo.hasNextPage).toBe(false);
    const back = (await data<S>(q, { last: 2, before: cursorOf(order[2]!) })).developerLicense.signers;
    expect(back.edges.map((e) => e.node.address)).toEqual(order.slice(0, 2));
    expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });
});

describe("errors, as identity-api answers them", () => {
  it("a connection without first/last, over 100, or with both", async () => {
    for (const [args, message] of [
      ["", "provide `first` or `last`"],
      ["first: 101", "the value 101 for `first` exceeds the limit 100"],
      ["last: 101", "the value 101 for `last` exceeds the limit 100"],
      ["first: -1", "the value for `first` cannot be negative"],
      ["first: 1, last: 1", "pass `first` or `last`, but not both"],
    ] as const) {
      const q = args
        ? `{ developerLicenses(${args}) { totalCount } }`
        : "{ developerLicenses { totalCount } }";
      expect(await gql(q), args).toStrictEqual({
        status: 200,
        body: {
          data: null,
          errors: [
            {
              message,
              locations: [{ line: 1, column: 3 }],
              path: ["developerLicenses"],
              extensions: { code: "BAD_USER_INPUT" },
            },
          ],
        },
      });
    }
  });

  it("developerLicense with two `by` keys, and one that is not there (NOT_FOUND)", async () => {
    const two = await gql(`{ developerLicense(by: {tokenId: 1, alias: "alpha"}) { tokenId } }`);
    expect(two.body.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([
      ["must specify exactly one of `clientId`, `alias`, `tokenId`, or `tokenDID`", "BAD_USER_INPUT"],
    ]);
    expect(await gql("{ developerLicense(by: {tokenId: 999}) { tokenId } }")).toStrictEqual({
      status: 200,
      body: {
        data: { developerLicense: null },
        errors: [
          {
            message: "No developer license with token id 999.",
            locations: [{ line: 1, column: 3 }],
            path: ["developerLicense"],
            extensions: { code: "NOT_FOUND" },
          },
        ],
      },
    });
    const alias = await gql(`{ developerLicense(by: {alias: "gone"}) { tokenId } }`);
    expect(alias.body.errors?.[0]?.message).toBe('No developer license with alias "gone".');
    const vehicle = await gql("{ vehicle(tokenId: 999) { tokenId } }");
    expect(vehicle.body.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([
      ["No vehicle with token id 999.", "NOT_FOUND"],
    ]);
  });

  it("bad cursors and addresses, parse errors (422), GET with query=", async () => {
    const cursor = await gql(`{ developerLicenses(first: 1, after: "not base64!") { totalCount } }`);
    expect(cursor.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const address = await gql(`{ developerLicenses(first: 1, filterBy: {owner: "0x12"}) { totalCount } }`);
    expect(address.status).toBe(422);
    expect(address.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    const parse = await gql("{ developerLicenses(first: 1) { ");
    expect(parse.status).toBe(422);
    expect(parse.body.errors?.map((e) => e.extensions?.code)).toEqual(["GRAPHQL_PARSE_FAILED"]);
    const res = await app.request(
      `/query?query=${encodeURIComponent("{ vehicles(first: 0) { totalCount } }")}`,
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toStrictEqual({ data: { vehicles: { totalCount: 4 } } });
    const empty = await app.request("/query", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(empty.status).toBe(400);
    const body = (await empty.json()) as { errors: GqlError[] };
    expect(body.errors.map((e) => e.extensions?.code)).toEqual(["BAD_REQUEST"]);
    const variables = await app.request(
      `/query?query=${encodeURIComponent("{ vehicles(first: 0) { totalCount } }")}&variables=%7Bnope`,
    );
    expect(variables.status).toBe(400);
    expect(await variables.json()).toStrictEqual({
      errors: [{ message: "variables and extensions must be JSON", extensions: { code: "BAD_REQUEST" } }],
    });
    const text = await app.request("/query", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "{ vehicles }",
    });
    expect(text.status).toBe(415);
    expect(((await text.json()) as { errors: GqlError[] }).errors[0]?.extensions?.code).toBe("BAD_REQUEST");
  });

  it("refuses a query over the cost limit (aliases) or the depth limit (introspection), before running it", async () => {
    const heavy =
      "developerLicenses(first: 100) { nodes { signers(first: 100) { nodes { address } } redirectURIs(first: 100) { nodes { uri } } } }";
    const cost = await gql(`{ a: ${heavy} b: ${heavy} c: ${heavy} }`);
    expect(cost.status).toBe(422);
    expect(cost.body.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([
      [expect.stringMatching(/^Query cost \d+ exceeds the limit of 50000\.$/), "GRAPHQL_VALIDATION_FAILED"],
    ]);
    let deep = "name";
    for (let i = 0; i < 10; i++) deep = `fields { type { ${deep} } }`;
    const depth = await gql(`{ __schema { types { ${deep} } } }`);
    expect(depth.status).toBe(422);
    expect(depth.body.errors?.[0]?.message).toMatch(/^Query depth \d+ exceeds the limit of 15\.$/);
  });
});

describe("the schema in /docs", () => {
  it("serves GraphiQL from this server (no CDN) and the SDL", async () => {
    const page = await app.request("/docs/identity");
    const html = await page.text();
    expect(page.status).toBe(200);
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toEqual(["identity/graphiql.js", "identity/init.js"]);
    expect(html).not.toMatch(/https?:\/\//);
    for (const file of [
      "graphiql.js",
      "graphiql.css",
      "init.js",
      "editor-worker.js",
      "json-worker.js",
      "graphql-worker.js",
    ]) {
      const res = await app.request(`/docs/identity/${file}`);
      expect(res.status, file).toBe(200);
    }
    const sdl = await app.request("/docs/identity.graphql");
    expect(await sdl.text()).toContain("type DeveloperLicense {");
  });
});
