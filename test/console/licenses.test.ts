import { type Address, getAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NEEDS_ACTIVE_LICENSE, OWNER_ONLY } from "../../api/services/console/licenses/views";
import { ALL_PERMISSIONS, DEV_ACCOUNTS } from "../../devnet/scenario";
import { type Stack, startStack } from "../support/stack";
import { Client, type ConsoleApi, startConsoleApi, type TestClock, testClock } from "./harness";

// The console's license views over licenses really issued on anvil and indexed by the real
// indexer: licenses are issued to the managed wallets the API created and to a linked external
// wallet, then each account sees exactly what the console's rules allow.

let stack: Stack;
let api: ConsoleApi;
let clock: TestClock;
const external = privateKeyToAccount(DEV_ACCOUNTS[5]!.privateKey);
const foreignOwner = DEV_ACCOUNTS[6]!.address;
const signerKey = DEV_ACCOUNTS[7]!.address;

type Me = Awaited<ReturnType<Client["signIn"]>>;
let alice: Client;
let bob: Client;
let carol: Client;
let aliceMe: Me;
let bobMe: Me;
let carolMe: Me;
const ids: Record<string, number> = {};
const clientIds: Record<string, Address> = {};

const managed = (me: Me) => me.wallets[0]!.address as Address;

beforeAll(async () => {
  stack = await startStack();
  clock = testClock();
  api = await startConsoleApi({
    databaseUrl: stack.db.apiUrl,
    clock,
    env: Object.fromEntries(Object.entries(stack.env).filter(([k]) => k !== "DATABASE_URL")),
  });
  alice = new Client(api.url);
  aliceMe = await alice.signIn("alice@example.com", api.dataDir);
  bob = new Client(api.url);
  bobMe = await bob.signIn("bob@example.com", api.dataDir);
  carol = new Client(api.url);
  carolMe = await carol.signIn("carol@example.com", api.dataDir);
  const challenge = await alice.post("/console/wallets/siwe/nonce", { address: external.address });
  const message: string = challenge.body.message;
  const linked = await alice.post("/console/wallets/link", {
    message,
    signature: await external.signMessage({ message }),
  });
  expect(linked.status).toBe(200);

  const { chain } = stack;
  for (const [name, owner, alias] of [
    ["managed", managed(aliceMe), "alice-app"],
    ["external", external.address, "alice-legacy"],
    ["foreign", foreignOwner, "someone-else"],
    ["revoked", managed(aliceMe), undefined],
    ["carolRevoked", managed(carolMe), undefined],
  ] as const) {
    const issued = await chain.issue(owner, alias ? { alias } : {});
    ids[name] = Number(issued.tokenId);
    clientIds[name] = issued.clientId;
  }
  const [car] = await chain.apply([{ kind: "mintVehicle", owner: DEV_ACCOUNTS[2]!.address }]);
  await chain.apply([
    { kind: "enableSigner", tokenId: ids.managed!, signer: signerKey },
    { kind: "setRedirectUri", tokenId: ids.managed!, uri: "https://alice.example/cb", enabled: true },
    {
      kind: "grant",
      vehicleId: car.vehicleId,
      grantee: clientIds.managed!,
      permissions: ALL_PERMISSIONS,
      expiration: (await chain.now()) + 3_600n,
    },
    { kind: "revoke", tokenId: ids.revoked! },
    { kind: "revoke", tokenId: ids.carolRevoked! },
  ]);
  await stack.synced();
  await stack.pool.query(
    "INSERT INTO console.api_key_labels (token_id, signer, label, created_at) VALUES ($1, $2, $3, now())",
    [ids.managed, signerKey.toLowerCase(), "CI key"],
  );
}, 180_000);

afterAll(async () => {
  await api?.stop();
  await stack?.stop();
});

describe("GET /console/licenses", () => {
  it("lists licenses of every wallet of mine, any status, with vehicle counts and how each is managed", async () => {
    const res = await alice.get("/console/licenses");
    expect(res.status).toBe(200);
    expect(
      res.body.items.map(
        (l: { tokenId: number; status: string; manageable: string; vehicleCount: number }) => [
          l.tokenId,
          l.status,
          l.manageable,
          l.vehicleCount,
        ],
      ),
    ).toEqual([
      [ids.revoked, "revoked", "managed", 0],
      [ids.external, "active", "external", 0],
      [ids.managed, "active", "managed", 1],
    ]);
    expect(res.body.nextCursor).toBeNull();
    const publicView = await fetch(`${api.url}/v1/licenses/${ids.managed}`).then(
      (r) => r.json() as Promise<Record<string, unknown>>,
    );
    expect(res.body.items[2]).toEqual({ ...publicView, vehicleCount: 1, manageable: "managed" });
  });

  it("pages with a cursor bound to my wallets", async () => {
    const first = await alice.get("/console/licenses?limit=2");
    expect(first.body.items).toHaveLength(2);
    const second = await alice.get(`/console/licenses?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((l: { tokenId: number }) => l.tokenId)).toEqual([ids.managed]);
    expect(second.body.nextCursor).toBeNull();
    const stolen = await bob.get(`/console/licenses?limit=2&cursor=${first.body.nextCursor}`);
    expect(stolen.status).toBe(400);
  });

  it("is empty for an account whose wallets own nothing, and needs a session", async () => {
    expect((await bob.get("/console/licenses")).body).toEqual({ items: [], nextCursor: null });
    expect((await new Client(api.url).get("/console/licenses")).status).toBe(401);
  });
});

describe("GET /console/licenses/{tokenId} (public page)", () => {
  it("shows any license's public fields to an owner of an active license", async () => {
    const res = await alice.get(`/console/licenses/${ids.foreign}`);
    expect(res.status).toBe(200);
    const publicView = await fetch(`${api.url}/v1/licenses/${ids.foreign}`).then(
      (r) => r.json() as Promise<Record<string, unknown>>,
    );
    expect(res.body).toEqual(publicView);
    expect(res.body.owner).toBe(getAddress(foreignOwner));
    expect((await alice.get("/console/licenses/999999")).status).toBe(404);
  });

  it("is 403 for accounts without an active license (none, or only revoked ones), 200 once they own one", async () => {
    for (const c of [bob, carol]) {
      const res = await c.get(`/console/licenses/${ids.foreign}`);
      expect(res.status).toBe(403);
      expect(res.body.error).toEqual({ code: "forbidden", message: NEEDS_ACTIVE_LICENSE });
    }
    await stack.chain.issue(managed(bobMe), { alias: "bob-app" });
    await stack.synced();
    expect((await bob.get(`/console/licenses/${ids.foreign}`)).status).toBe(200);
    expect((await carol.get(`/console/licenses/${ids.foreign}`)).status).toBe(403);
  });
});

describe("GET /console/licenses/{tokenId}/private", () => {
  it("gives the owner API keys with labels, redirect URIs, vehicles and history", async () => {
    const res = await alice.get(`/console/licenses/${ids.managed}/private`);
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.manageable).toBe("managed");
    expect(body.license.tokenId).toBe(ids.managed);
    expect(body.signers).toEqual([
      {
        address: getAddress(signerKey),
        enabledAt: expect.any(String),
        expiresAt: expect.any(String),
        expired: false,
        label: "CI key",
        expiresSoon: false,
      },
    ]);
    expect(Date.parse(body.signers[0].expiresAt) - Date.parse(body.signers[0].enabledAt)).toBe(
      365 * 86_400_000,
    );
    expect(body.redirectUris).toEqual([{ uri: "https://alice.example/cb", enabledAt: expect.any(String) }]);
    expect(body.vehicles.items).toHaveLength(1);
    expect(body.vehicles.items[0].grants[0]).toMatchObject({ kind: "sacd", grantee: clientIds.managed });
    expect(body.history.items.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(["Issued", "SignerEnabled", "RedirectUriEnabled"]),
    );
    const external = await alice.get(`/console/licenses/${ids.external}/private`);
    expect(external.status).toBe(200);
    expect(external.body.manageable).toBe("external");
  });

  it("is 403 for anyone but the owner, and 404 for a license that does not exist", async () => {
    const foreign = await alice.get(`/console/licenses/${ids.foreign}/private`);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toEqual({ code: "forbidden", message: OWNER_ONLY });
    expect((await bob.get(`/console/licenses/${ids.managed}/private`)).status).toBe(403);
    expect((await alice.get("/console/licenses/999999/private")).status).toBe(404);
    expect((await new Client(api.url).get(`/console/licenses/${ids.managed}/private`)).status).toBe(401);
  });

  it("warns when a key expires within SIGNER_EXPIRY_WARNING_DAYS, and counts only unexpired grants", async () => {
    clock.advance(340 * 86_400); // sessions idle out too: sign in again
    const again = new Client(api.url);
    await again.signIn("alice@example.com", api.dataDir);
    const res = await again.get(`/console/licenses/${ids.managed}/private`);
    expect(res.body.signers[0]).toMatchObject({ expired: false, expiresSoon: true });
    expect(res.body.vehicles.items).toEqual([]);
    const list = await again.get("/console/licenses");
    expect(list.body.items.find((l: { tokenId: number }) => l.tokenId === ids.managed).vehicleCount).toBe(0);
  });
});
