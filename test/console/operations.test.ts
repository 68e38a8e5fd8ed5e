import fs from "node:fs";
import path from "node:path";
import { createLocalJWKSet, jwtVerify } from "jose";
import { type Address, createWalletClient, getAddress, type Hex, http, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as calls from "../../api/services/console/operations/calls";
import { createOpsChain } from "../../api/services/console/operations/chain";
import { chainErrorToApiError } from "../../api/services/console/operations/revert";
import { localChain } from "../../devnet/deploy";
import { DEV_ACCOUNTS, permissionMask } from "../../devnet/scenario";
import { Client, mailInMailbox } from "./harness";
import { type OpsHarness, opsHarness } from "./opsHarness";

// Console writes end to end: HTTP → operation → a managed wallet's transaction (or an external
// wallet's) → anvil → the real Ponder indexer → `indexed`, and the public API shows the change
// right after. No sleeps: every wait is the operations long-poll.

const EXT = DEV_ACCOUNTS[3]!;
const OTHER = DEV_ACCOUNTS[4]!;
const STRANGER = DEV_ACCOUNTS[5]!;
const DRIVER = DEV_ACCOUNTS[6]!;
const PARKER = DEV_ACCOUNTS[8]!;
const NEIGHBOUR = DEV_ACCOUNTS[9]!;
const REDIRECT = "https://newbie.example/callback";

let h: OpsHarness;
/** Every API private key handed out in this file: none may appear in a log line or a row. */
const privateKeys: Hex[] = [];

beforeAll(async () => {
  h = await opsHarness();
});
afterAll(() => h?.close());

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back.
type Json = any;

const pub = async (path: string): Promise<{ status: number; body: Json }> => {
  const res = await fetch(`${h.api.url}${path}`);
  return { status: res.status, body: await res.json() };
};

async function start(client: Client, method: string, path: string, body?: unknown): Promise<Json> {
  const res = await client.request(method, path, body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  if (res.body.apiKey?.privateKey) privateKeys.push(res.body.apiKey.privateKey);
  return res.body;
}

/** Starts a write and waits until indexed (asserting it got there). */
async function done(client: Client, method: string, path: string, body?: unknown): Promise<Json> {
  const answer = await start(client, method, path, body);
  const op = await h.indexed(client, answer.operation.id);
  expect(op.status, JSON.stringify(op.error)).toBe("indexed");
  return { ...answer, operation: op };
}

async function sendAs(key: Hex, tx: { to: Address; data: Hex; value: string }, gas?: bigint): Promise<Hex> {
  const wallet = createWalletClient({
    account: privateKeyToAccount(key),
    chain: localChain(h.stack.anvil.rpcUrl, 31337),
    transport: http(h.stack.anvil.rpcUrl),
  });
  return wallet.sendTransaction({
    to: tx.to,
    data: tx.data,
    value: BigInt(tx.value),
    ...(gas ? { gas } : {}),
  });
}

const form = (path: string, fields: Record<string, string>) =>
  fetch(`${h.api.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });

describe("a new user, through the API alone (the issue's done-when)", () => {
  // Sign in, create a license, generate an API key, add a redirect URI, get a developer JWT with
  // the key (Login with DIMO, form-encoded as DIMO's SDKs send it) and a vehicle token once a
  // vehicle shares with the clientId: every step usable the moment its operation is `indexed`.
  it("signs in, creates a license, a key and a redirect URI, logs in with DIMO and gets a vehicle token", async () => {
    const { client, managed, email } = await h.signIn("newbie");

    const created = await client.post("/console/licenses", { alias: "newbie-app" });
    expect(created.status).toBe(202);
    const license = await h.indexed(client, created.body.operation.id);
    expect(license.status).toBe("indexed");
    const { tokenId, clientId } = license.result as { tokenId: number; clientId: Hex };

    const key = await client.post(`/console/licenses/${tokenId}/keys`, { label: "my laptop" });
    expect(key.status).toBe(202);
    const apiKey = key.body.apiKey as { address: Hex; privateKey: Hex };
    privateKeys.push(apiKey.privateKey);
    expect((await h.indexed(client, key.body.operation.id)).status).toBe("indexed");
    // The account's owner is told a key that can log in as the license now exists.
    expect(await mailInMailbox(h.dataDir, email, /API key was created/)).toBe(
      "DIMO Developer Console: an API key was created for one of your licenses",
    );

    const uri = await client.post(`/console/licenses/${tokenId}/redirect-uris`, { uri: REDIRECT });
    expect(uri.status).toBe(202);
    expect((await h.indexed(client, uri.body.operation.id)).status).toBe("indexed");

    // The public view already shows all of it.
    const pub = (await (await fetch(`${h.api.url}/v1/licenses/${tokenId}`)).json()) as Record<
      string,
      unknown
    >;
    expect(pub).toMatchObject({
      owner: managed,
      alias: "newbie-app",
      redirectUris: [{ uri: REDIRECT }],
      signers: [{ address: apiKey.address, expired: false }],
    });

    // Login with DIMO, right away: the challenge accepts the domain and the signature recovers to the new key.
    const generated = await form("/auth/web3/generate_challenge", {
      client_id: clientId,
      domain: REDIRECT,
      scope: "openid email",
      response_type: "code",
      address: clientId,
    });
    expect(generated.status, await generated.clone().text()).toBe(200);
    const { state, challenge } = (await generated.json()) as { state: string; challenge: string };
    const submitted = await form("/auth/web3/submit_challenge", {
      client_id: clientId,
      domain: REDIRECT,
      grant_type: "authorization_code",
      state,
      signature: await privateKeyToAccount(apiKey.privateKey).signMessage({ message: challenge }),
    });
    expect(submitted.status, await submitted.clone().text()).toBe(200);
    const { access_token: devJwt } = (await submitted.json()) as { access_token: string };

    // A driver shares a vehicle with the license's clientId.
    const car = await h.stack.chain.mintVehicle(DRIVER.address);
    await h.stack.chain.run({
      kind: "grant",
      vehicleId: car.vehicleId,
      grantee: clientId,
      permissions: permissionMask(1, 6),
      expiration: (await h.stack.chain.now()) + 3_600n,
    });
    await h.stack.synced();

    const exchanged = await fetch(`${h.api.url}/v1/tokens/exchange`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${devJwt}` },
      body: JSON.stringify({
        nftContractAddress: h.stack.deployment.vehicleId,
        privileges: [1, 6],
        tokenId: Number(car.vehicleId),
      }),
    });
    expect(exchanged.status, await exchanged.clone().text()).toBe(200);
    const { token } = (await exchanged.json()) as { token: string };
    const jwks = createLocalJWKSet((await (await fetch(`${h.api.url}/keys`)).json()) as never);
    const { payload } = await jwtVerify(token, jwks, { issuer: h.config.publicUrl });
    expect(payload).toMatchObject({
      token_id: Number(car.vehicleId),
      contract_address: getAddress(h.stack.deployment.vehicleId),
      permissions: ["GetNonLocationHistory", "GetLiveData"],
    });
  });
});

describe("a managed wallet's license, end to end", () => {
  it("creates, keys, redirect URIs, renames, renews, revokes, removes — each visible at once", async () => {
    const { client, managed } = await h.signIn("alice");

    const created = await done(client, "POST", "/console/licenses", { alias: "alice-app" });
    expect(created.operation).toMatchObject({
      kind: "create_license",
      error: null,
      wallet: { kind: "managed" },
    });
    expect(created.operation.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    const { tokenId, clientId } = created.operation.result;
    expect((await pub(`/v1/licenses/${tokenId}`)).body).toMatchObject({
      alias: "alice-app",
      owner: managed,
      clientId,
    });

    const key = await done(client, "POST", `/console/licenses/${tokenId}/keys`, { label: "server" });
    expect(privateKeyToAccount(key.apiKey.privateKey).address).toBe(key.apiKey.address);
    expect(key.operation.params).toEqual({ tokenId, signer: key.apiKey.address, label: "server" });
    let lic = (await pub(`/v1/licenses/${tokenId}`)).body;
    const enabled = lic.signers.find((s: Json) => s.address === key.apiKey.address);
    expect(enabled).toMatchObject({ expired: false });
    const keys = await client.get(`/console/licenses/${tokenId}/keys`);
    expect(keys.body.items).toEqual([
      expect.objectContaining({ address: key.apiKey.address, label: "server", expiresSoon: false }),
    ]);

    await done(client, "POST", `/console/licenses/${tokenId}/redirect-uris`, {
      uri: "https://app.example/cb",
    });
    const odd = await done(client, "POST", `/console/licenses/${tokenId}/redirect-uris`, {
      uri: "https://App.Example",
    });
    expect(odd.warnings.join(" ")).toContain("https://app.example/");
    lic = (await pub(`/v1/licenses/${tokenId}`)).body;
    expect(lic.redirectUris.map((r: Json) => r.uri).sort()).toEqual([
      "https://App.Example",
      "https://app.example/cb",
    ]);

    await done(client, "PUT", `/console/licenses/${tokenId}/alias`, { alias: "alice-renamed" });
    expect((await pub(`/v1/licenses/${tokenId}`)).body.alias).toBe("alice-renamed");
    expect((await pub("/v1/aliases/alice-app")).body.available).toBe(true);

    await h.stack.chain.increaseTime(3_600);
    await done(client, "POST", `/console/licenses/${tokenId}/keys/${key.apiKey.address}/renew`);
    const renewed = (await pub(`/v1/licenses/${tokenId}`)).body.signers.find(
      (s: Json) => s.address === key.apiKey.address,
    );
    expect(Date.parse(renewed.enabledAt) - Date.parse(enabled.enabledAt)).toBeGreaterThanOrEqual(3_600_000);

    await done(client, "DELETE", `/console/licenses/${tokenId}/keys/${key.apiKey.address}`);
    expect((await pub(`/v1/licenses/${tokenId}`)).body.signers).toEqual([]);

    await done(
      client,
      "DELETE",
      `/console/licenses/${tokenId}/redirect-uris?uri=${encodeURIComponent("https://App.Example")}`,
    );
    const nearMiss = await client.request("DELETE", `/console/licenses/${tokenId}/redirect-uris`, {
      uri: "https://app.example/cb/",
    });
    expect(nearMiss.status).toBe(404);
    expect(nearMiss.body.error.message).toContain('did you mean "https://app.example/cb"');
    await done(client, "DELETE", `/console/licenses/${tokenId}/redirect-uris`, {
      uri: "https://app.example/cb",
    });
    expect((await pub(`/v1/licenses/${tokenId}`)).body.redirectUris).toEqual([]);

    const history = await client.get("/console/operations?limit=100");
    expect(history.body.items.map((o: Json) => o.kind)).toContain("devnet_faucet");
  });

  it("buys DCX with DIMO and shows the balances", async () => {
    const { client, managed } = await h.signIn("carol");
    const bought = await done(client, "POST", "/console/dcx/buy", { dcxAmount: "1000" });
    expect(bought.operation).toMatchObject({
      kind: "buy_dcx",
      params: { dimoAmount: "4", dcxAmount: "1000" },
    });
    expect(bought.operation.params.approvalOperationId).toEqual(expect.any(String));
    const balances = await client.get("/console/balances");
    expect(balances.status).toBe(200);
    expect(balances.body.items[0]).toMatchObject({
      address: managed,
      kind: "managed",
      balances: [
        { symbol: "DIMO", balance: "9996", raw: parseEther("9996").toString() },
        { symbol: "DCX", balance: "1000", raw: parseEther("1000").toString() },
      ],
    });
    const tooMuch = await client.post("/console/dcx/buy", { dimoAmount: "1000000" });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.error.message).toBe(
      `Insufficient DIMO: ${managed} has 9996 DIMO and needs 1000000 DIMO`,
    );
    expect((await client.post("/console/dcx/buy", { dimoAmount: "1", dcxAmount: "2" })).status).toBe(400);
    expect((await client.post("/console/dcx/buy", { dimoAmount: "-1" })).status).toBe(400);
  });
});

describe("conflicts and concurrency", () => {
  it("refuses an alias that is taken, badly shaped, or pending in a concurrent create (exactly one wins)", async () => {
    const a = await h.signIn("dora");
    const b = await h.signIn("emil");
    await done(a.client, "POST", "/console/licenses", { alias: "taken-one" });
    const taken = await a.client.post("/console/licenses", { alias: "taken-one" });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: "conflict", details: { reason: "alias_taken" } });
    const long = await a.client.post("/console/licenses", { alias: "é".repeat(17) });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toContain("32 bytes");

    const race = await Promise.all([
      a.client.post("/console/licenses", { alias: "race" }),
      b.client.post("/console/licenses", { alias: "race" }),
    ]);
    expect(race.map((r) => r.status).sort()).toEqual([202, 409]);
    const winner = race.find((r) => r.status === 202)!;
    const loser = race.find((r) => r.status === 409)!;
    expect(loser.body.error.message).toMatch(/pending in another operation|already used|already in use/);
    const client = winner === race[0] ? a.client : b.client;
    const op = await h.indexed(client, winner.body.operation.id);
    expect((await pub(`/v1/licenses/${op.result.tokenId}`)).body.alias).toBe("race");

    // Rename onto a taken alias: refused before anything is sent.
    const mine = await done(a.client, "POST", "/console/licenses", {});
    const rename = await a.client.request("PUT", `/console/licenses/${mine.operation.result.tokenId}/alias`, {
      alias: "race",
    });
    expect(rename.status).toBe(409);
    expect(rename.body.error.message).toContain(`already used by license ${op.result.tokenId}`);
  });

  it("sends 10 key generations from one managed wallet at once through two replicas: distinct nonces, all indexed", async () => {
    const { client } = await h.signIn("fay");
    const lic = await done(client, "POST", "/console/licenses", {});
    const tokenId = lic.operation.result.tokenId;
    // The same session on a second API process: nonces must be safe across replicas, not just in one.
    const replica = await h.replica();
    const twin = new Client(replica.url);
    twin.cookies = client.cookies;
    twin.csrf = client.csrf;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        start(i % 2 ? twin : client, "POST", `/console/licenses/${tokenId}/keys`, { label: `k${i}` }),
      ),
    );
    const nonces = answers.map((a) => a.operation.transaction.nonce);
    expect(new Set(nonces).size).toBe(10);
    // Waited for one after another: a session holds only a few long-polls at once (they all move anyway).
    const ops: Json[] = [];
    for (const [i, a] of answers.entries()) ops.push(await h.indexed(i % 2 ? twin : client, a.operation.id));
    expect(ops.every((o) => o.status === "indexed")).toBe(true);
    const signers = (await pub(`/v1/licenses/${tokenId}`)).body.signers.map((s: Json) => s.address).sort();
    expect(signers).toEqual(answers.map((a) => a.apiKey.address).sort());
  });

  it("refuses writes to a license none of my wallets owns (403)", async () => {
    const { client } = await h.signIn("gus");
    const foreign = await h.stack.chain.issue(STRANGER.address, { alias: "strangers" });
    await h.stack.synced();
    const res = await client.post(`/console/licenses/${foreign.tokenId}/keys`, {});
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain("not one of your wallets");
    expect((await client.get(`/console/licenses/${foreign.tokenId}/keys`)).status).toBe(403);
    expect((await client.post("/console/licenses/99999/keys", {})).status).toBe(404);
  });
});

describe("an external wallet", () => {
  it("streams an operation's changes as server-sent events; a long-poll answers at its timeout", async () => {
    const { client } = await h.signIn("ines");
    await h.linkWallet(client, OTHER.privateKey);
    const lic = await h.stack.chain.issue(OTHER.address);
    await h.stack.synced();
    const uri = await start(client, "POST", `/console/licenses/${lic.tokenId}/redirect-uris`, {
      uri: "https://ines.example/cb",
    });
    const id = uri.operation.id;

    const t0 = Date.now();
    const held = await client.get(`/console/operations/${id}?wait=indexed&timeout=1`);
    expect(held.body.status).toBe("prepared");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);

    const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const stream = fetch(`${h.api.url}/console/operations/${id}/events`, { headers: { cookie } }).then(
      async (res) => {
        expect(res.headers.get("content-type")).toContain("text/event-stream");
        return res.text();
      },
    );
    const hash = await sendAs(OTHER.privateKey, uri.operation.transaction);
    await client.post(`/console/operations/${id}/submitted`, { txHash: hash });
    const events = (await stream)
      .split("\n")
      .filter((line) => line.startsWith("data: "))
      .map((line) => JSON.parse(line.slice(6)).status as string);
    expect(events[0]).toBe("prepared");
    expect(events.at(-1)).toBe("indexed");
    const order = ["prepared", "submitted", "mined", "indexed"];
    expect([...events].sort((a, b) => order.indexOf(a) - order.indexOf(b))).toEqual(events);
  });

  it("gets prepared transactions, reports their hashes, and follows them to indexed", async () => {
    const { client } = await h.signIn("hana");
    await h.linkWallet(client, EXT.privateKey);

    const created = await start(client, "POST", "/console/licenses", {
      alias: "hana-ext",
      wallet: EXT.address,
    });
    expect(created.operation).toMatchObject({
      status: "prepared",
      txHash: null,
      wallet: { address: EXT.address, kind: "external" },
    });
    expect(created.operation.transaction).toMatchObject({ chainId: 31337, value: "0" });
    const hash = await sendAs(EXT.privateKey, created.operation.transaction);

    // A hash that is not the prepared transaction is refused.
    const other = await sendAs(EXT.privateKey, { to: OTHER.address, data: "0x", value: "0" });
    const wrong = await client.post(`/console/operations/${created.operation.id}/submitted`, {
      txHash: other,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain("not this operation's prepared transaction");

    const reported = await client.post(`/console/operations/${created.operation.id}/submitted`, {
      txHash: hash,
    });
    expect(reported.status).toBe(200);
    expect(reported.body).toMatchObject({ status: "submitted", txHash: hash });
    const op = await h.indexed(client, created.operation.id);
    expect(op.status).toBe("indexed");
    const tokenId = op.result.tokenId;
    expect((await pub(`/v1/licenses/${tokenId}`)).body).toMatchObject({
      owner: EXT.address,
      alias: "hana-ext",
    });

    const uri = await start(client, "POST", `/console/licenses/${tokenId}/redirect-uris`, {
      uri: "http://localhost:3000/cb",
    });
    expect(uri.operation.status).toBe("prepared");
    const uriHash = await sendAs(EXT.privateKey, uri.operation.transaction);
    await client.post(`/console/operations/${uri.operation.id}/submitted`, { txHash: uriHash });
    expect((await h.indexed(client, uri.operation.id)).status).toBe("indexed");
    expect((await pub(`/v1/licenses/${tokenId}`)).body.redirectUris.map((r: Json) => r.uri)).toEqual([
      "http://localhost:3000/cb",
    ]);

    // A prepared rename can be cancelled, which frees its alias reservation.
    const first = await start(client, "PUT", `/console/licenses/${tokenId}/alias`, { alias: "hana-two" });
    expect((await client.post("/console/licenses", { alias: "hana-two" })).status).toBe(409);
    const cancelled = await client.request("DELETE", `/console/operations/${first.operation.id}`);
    expect(cancelled.body).toMatchObject({ status: "failed", error: { code: "cancelled" } });

    // A transaction that reverts on chain fails its operation with the decoded reason.
    const rename = await start(client, "PUT", `/console/licenses/${tokenId}/alias`, { alias: "sniped" });
    const sniper = await h.stack.chain.issue(OTHER.address);
    await h.stack.chain.run({ kind: "setAlias", tokenId: sniper.tokenId, alias: "sniped" });
    const doomed = await sendAs(EXT.privateKey, rename.operation.transaction, 200_000n);
    await client.post(`/console/operations/${rename.operation.id}/submitted`, { txHash: doomed });
    const failed = await h.indexed(client, rename.operation.id);
    expect(failed).toMatchObject({
      status: "failed",
      error: { code: "reverted", details: { revert: "AliasAlreadyInUse", args: ["sniped"] } },
    });
    expect(failed.error.message).toBe('The alias "sniped" is already in use by another license');
  });
});

describe("prepared operations per account", () => {
  it("caps the prepared operations an account leaves unsent in 24 hours: cancelling frees no place, so aliases cannot be parked forever", async () => {
    const { client } = await h.signIn("parker");
    await h.linkWallet(client, PARKER.privateKey);
    const lic = await h.stack.chain.issue(PARKER.address);
    await h.stack.synced();
    const rename = (alias: string) =>
      client.request("PUT", `/console/licenses/${lic.tokenId}/alias`, { alias });
    const parked: string[] = [];
    for (let i = 1; i <= h.config.operations.maxPrepared; i++) {
      const res = await rename(`parked-${i}`);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.body.operation.status).toBe("prepared");
      parked.push(res.body.operation.id);
    }
    // Cancelling (or letting them expire) frees their aliases, but not a place under the cap.
    for (const id of parked.slice(0, 2))
      expect((await client.request("DELETE", `/console/operations/${id}`)).status).toBe(200);
    const refused = await rename("parked-6");
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("rate_limited");
    expect(refused.body.error.message).toMatch(
      /^5 prepared operations of this account went unsent in the last 24 hours/,
    );
    expect(Number(refused.res.headers.get("retry-after"))).toBeGreaterThan(86_000);
    // The refused one reserved nothing: anyone may take the alias; and another account is not held back.
    const { client: neighbour } = await h.signIn("neighbour");
    await h.linkWallet(neighbour, NEIGHBOUR.privateKey);
    const created = await neighbour.post("/console/licenses", {
      alias: "parked-6",
      wallet: NEIGHBOUR.address,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    expect(created.body.operation.status).toBe("prepared");
  });
});

describe("chain refusals are decoded before anything is sent", () => {
  it("maps AliasAlreadyInUse → 409 and InvalidSender → 403 from estimateGas", async () => {
    const chain = createOpsChain(h.stack.anvil.rpcUrl, h.config.chain);
    const lic = await h.stack.chain.issue(OTHER.address, { alias: "decoded" });
    const estimate = (from: Address, tx: calls.TxRequest) =>
      chain.client.estimateGas({ account: from, ...tx }).then(
        () => null,
        (e) => chainErrorToApiError(e, from),
      );
    const taken = await estimate(
      OTHER.address,
      calls.setLicenseAlias(chain.devLicense, lic.tokenId, "decoded"),
    );
    expect(taken).toMatchObject({ status: 409, details: { revert: "AliasAlreadyInUse" } });
    const sender = await estimate(
      STRANGER.address,
      calls.enableSigner(chain.devLicense, lic.tokenId, STRANGER.address),
    );
    expect(sender).toMatchObject({ status: 403, details: { revert: "InvalidSender" } });
    expect(sender?.message).toBe(`Only the license owner can do this; ${STRANGER.address} is not its owner`);
  });
});

describe("a nonzero license cost", () => {
  it("needs DCX (clear 409 when short) or DIMO (approved automatically)", async () => {
    const { client } = await h.signIn("ivan");
    await h.stack.chain.run({ kind: "setLicenseCost", usd1e18: parseEther("1") });
    try {
      const short = await client.post("/console/licenses", { alias: "paid-dcx" });
      expect(short.status).toBe(409);
      expect(short.body.error.message).toBe(
        "Insufficient DCX: the wallet has 0 DCX and needs 1000 DCX; buy DCX first",
      );
      await done(client, "POST", "/console/dcx/buy", { dcxAmount: "1000" });
      const paid = await done(client, "POST", "/console/licenses", { alias: "paid-dcx" });
      expect((await pub(`/v1/licenses/${paid.operation.result.tokenId}`)).body.alias).toBe("paid-dcx");

      const inDimo = await done(client, "POST", "/console/licenses", { alias: "paid-dimo", pay: "dimo" });
      expect((await pub(`/v1/licenses/${inDimo.operation.result.tokenId}`)).body.alias).toBe("paid-dimo");
      const kinds = (await client.get("/console/operations")).body.items.map((o: Json) => o.kind);
      expect(kinds).toContain("approve_dimo");
    } finally {
      await h.stack.chain.run({ kind: "setLicenseCost", usd1e18: 0n });
    }
  });
});

describe("secrets", () => {
  it("never writes an API private key to a log line, a database row or a mail", async () => {
    expect(privateKeys.length).toBeGreaterThanOrEqual(11);
    const { rows: tables } = await h.stack.pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'console'",
    );
    const dump: string[] = [];
    for (const { table_name } of tables) {
      const { rows } = await h.stack.pool.query(
        `SELECT row_to_json(t)::text AS j FROM console."${table_name}" t`,
      );
      dump.push(...rows.map((r) => String(r.j).toLowerCase()));
    }
    expect(dump.some((row) => row.includes("generate_key"))).toBe(true);
    const logs = h.logs.join("\n").toLowerCase();
    expect(logs).toContain("/console/licenses");
    const mailDir = path.join(h.dataDir, "mailbox");
    const mails = fs
      .readdirSync(mailDir)
      .map((f) => fs.readFileSync(path.join(mailDir, f), "utf8").toLowerCase())
      .join("\n");
    expect(mails).toContain("api key");
    for (const key of privateKeys) {
      const bare = key.slice(2).toLowerCase();
      expect(logs.includes(bare)).toBe(false);
      expect(mails.includes(bare)).toBe(false);
      expect(dump.some((row) => row.includes(bare))).toBe(false);
    }
  });
});
