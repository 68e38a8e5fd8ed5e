import { type Address, getAddress, stringToHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_ACCOUNTS, permissionMask, type ScenarioChain } from "../../devnet/scenario";
import { type Stack, startStack } from "../support/stack";

// Every rule of docs/indexing.md, driven by real transactions on anvil through the real Ponder indexer into
// real Postgres, asserted on the rows of the views schema the API reads. Part of the history is
// sent before the indexer starts (backfill) and part after (realtime), so both paths are covered.

const [deployer, alice, bob, carol, dave, k1, k2, k3] = DEV_ACCOUNTS.map((a) => a.address) as Address[];
const YEAR = 365n * 86_400n;
const lower = (a: string) => a.toLowerCase();

let stack: Stack;
let chain: ScenarioChain;
const ids: Record<string, bigint> = {};
const clients: Record<string, Address> = {};
const times: Record<string, bigint> = {};

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await stack.pool.query(sql, params)).rows as T[];
}
async function blockTime(blockNumber: bigint) {
  return (await chain.publicClient.getBlock({ blockNumber })).timestamp;
}

beforeAll(async () => {
  stack = await startStack({
    // Backfilled history: issuance with both alias overloads, renames, revoke, signers, URIs.
    before: async (c) => {
      chain = c;
      for (const [name, owner, alias] of [
        ["alpha", alice, "alpha"],
        ["legacy", alice, undefined],
        ["empty", bob, "to-be-emptied"],
        ["beta", bob, "beta"],
        ["gamma", carol, undefined],
      ] as const) {
        const r = await c.issue(owner!, alias ? { alias } : {});
        ids[name] = r.tokenId;
        clients[name] = r.clientId;
        times[`${name}.issued`] = await blockTime(r.blockNumber);
      }
      await c.apply([
        { kind: "setLegacyAlias", tokenId: ids.legacy!, alias: "ünï-legacy" },
        { kind: "setAlias", tokenId: ids.empty!, alias: "" },
        { kind: "setAlias", tokenId: ids.alpha!, alias: "alpha-2" },
        { kind: "revoke", tokenId: ids.beta! },
        { kind: "setAlias", tokenId: ids.gamma!, alias: "beta" },
      ]);
    },
  });
  chain = stack.chain;
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe("licenses", () => {
  it("creates a license per Issued with owner, clientId, mint block and time", async () => {
    const [row] = await rows(`SELECT * FROM dimo.license WHERE token_id = $1`, [ids.alpha]);
    expect(row).toMatchObject({
      client_id: lower(clients.alpha!),
      owner: lower(alice!),
      status: "active",
      minted_at: String(times["alpha.issued"]),
      revoked_at: null,
    });
    expect(row!.minted_tx).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it("decodes both alias overloads, maps an empty alias to null, and frees renamed and revoked aliases", async () => {
    const aliases = Object.fromEntries(
      (
        await rows<{ token_id: string; alias: string | null; status: string }>(`SELECT * FROM dimo.license`)
      ).map((r) => [r.token_id, { alias: r.alias, status: r.status }]),
    );
    expect(aliases[String(ids.alpha)]).toEqual({ alias: "alpha-2", status: "active" });
    expect(aliases[String(ids.legacy)]).toEqual({ alias: "ünï-legacy", status: "active" });
    expect(aliases[String(ids.empty)]).toEqual({ alias: null, status: "active" });
    // beta was revoked: alias freed, then taken by gamma
    expect(aliases[String(ids.beta)]).toEqual({ alias: null, status: "revoked" });
    expect(aliases[String(ids.gamma)]).toEqual({ alias: "beta", status: "active" });
  });

  it("reuses an alias freed by a rename (realtime)", async () => {
    const r = await chain.issue(dave!, { alias: "alpha" });
    ids.delta = r.tokenId;
    await stack.synced();
    const [row] = await rows(`SELECT alias FROM dimo.license WHERE token_id = $1`, [r.tokenId]);
    expect(row!.alias).toBe("alpha");
  });

  it("keeps revoked licenses with revoke time and keeps their old alias in history", async () => {
    const [row] = await rows(`SELECT * FROM dimo.license WHERE token_id = $1`, [ids.beta]);
    expect(row!.status).toBe("revoked");
    expect(row!.revoked_tx).toMatch(/^0x[0-9a-f]{64}$/);
    // The revoke time is the time of the block holding the revoke transaction.
    const revoke = await chain.publicClient.getTransactionReceipt({ hash: row!.revoked_tx as `0x${string}` });
    expect(row!.revoked_at).toBe(String(await blockTime(revoke.blockNumber)));
    const history = await rows<{ type: string; args: Record<string, unknown> }>(
      `SELECT type, args FROM dimo.license_event WHERE token_id = $1 ORDER BY block_number, log_index`,
      [ids.beta],
    );
    expect(history.map((h) => h.type)).toEqual([
      "Issued",
      "LicenseAliasSet",
      "Locked",
      "Transfer",
      "Transfer",
    ]);
    expect(history[1]!.args).toEqual({ tokenId: String(ids.beta), licenseAlias: "beta" });
    expect(history[4]!.args).toEqual({
      from: getAddress(bob!),
      to: "0x0000000000000000000000000000000000000000",
      tokenId: String(ids.beta),
    });
  });

  it("records every event of a license in order, several from one transaction", async () => {
    const history = await rows<{
      type: string;
      args: Record<string, unknown>;
      block_number: string;
      log_index: number;
    }>(`SELECT * FROM dimo.license_event WHERE token_id = $1 ORDER BY block_number, log_index`, [ids.legacy]);
    expect(history.map((h) => h.type)).toEqual(["Issued", "Locked", "Transfer", "LicenseAliasSet"]);
    // Issued, Locked and the mint Transfer come from one transaction, in log order.
    expect(new Set(history.slice(0, 3).map((h) => h.block_number)).size).toBe(1);
    expect(history[0]!.args).toEqual({
      tokenId: String(ids.legacy),
      owner: getAddress(alice!),
      clientId: getAddress(clients.legacy!),
    });
    expect(history[3]!.args).toEqual({ tokenId: String(ids.legacy), licenseAlias: "ünï-legacy" });
    const empty = await rows<{ args: Record<string, unknown> }>(
      `SELECT args FROM dimo.license_event WHERE token_id = $1 AND type = 'LicenseAliasSet' ORDER BY block_number DESC LIMIT 1`,
      [ids.empty],
    );
    expect(empty[0]!.args.licenseAlias).toBeNull();
  });

  it("decodes a bytes32 alias that fills all 32 bytes and one with a zero in the middle", async () => {
    await chain.apply([
      { kind: "setLegacyAlias", tokenId: ids.alpha!, alias: stringToHex("x".repeat(32), { size: 32 }) },
      { kind: "setLegacyAlias", tokenId: ids.delta!, alias: `0x6162006364${"00".repeat(27)}` },
    ]);
    await stack.synced();
    const got = await rows<{ token_id: string; alias: string }>(
      `SELECT token_id, alias FROM dimo.license WHERE token_id IN ($1, $2) ORDER BY token_id`,
      [ids.alpha, ids.delta],
    );
    expect(got.map((r) => r.alias)).toEqual(["x".repeat(32), "ab"]);
  });
});

describe("signers, redirect URIs and contract settings", () => {
  it("refreshes enabledAt when a signer is re-enabled and removes disabled signers", async () => {
    const first = await chain.run({ kind: "enableSigner", tokenId: ids.alpha!, signer: k1! });
    await chain.run({ kind: "enableSigner", tokenId: ids.alpha!, signer: k2! });
    await chain.increaseTime(3600);
    const again = await chain.run({ kind: "enableSigner", tokenId: ids.alpha!, signer: k1! });
    await chain.run({ kind: "disableSigner", tokenId: ids.alpha!, signer: k2! });
    await stack.synced();
    const signers = await rows(`SELECT * FROM dimo.license_signer WHERE token_id = $1`, [ids.alpha]);
    expect(signers).toHaveLength(1);
    expect(signers[0]).toMatchObject({
      signer: lower(k1!),
      enabled_at: String(await blockTime(again.blockNumber)),
    });
    expect(BigInt(signers[0]!.enabled_at as string)).toBeGreaterThan(await blockTime(first.blockNumber));
  });

  it("tracks the contract's current periodValidity (365 days from deployment, then updates)", async () => {
    const before = await rows(`SELECT * FROM dimo.license_contract`);
    expect(before).toEqual([
      { address: lower(stack.deployment.devLicense), period_validity: String(YEAR), license_cost: "0" },
    ]);
    await chain.run({ kind: "setPeriodValidity", seconds: 30n * 86_400n });
    await stack.synced();
    const [after] = await rows(`SELECT period_validity FROM dimo.license_contract`);
    expect(after!.period_validity).toBe(String(30n * 86_400n));
  });

  it("keeps the start of the current enabled period for a redirect URI", async () => {
    const uri = "https://app.example/cb";
    const first = await chain.run({ kind: "setRedirectUri", tokenId: ids.alpha!, uri, enabled: true });
    await chain.increaseTime(60);
    await chain.run({ kind: "setRedirectUri", tokenId: ids.alpha!, uri, enabled: true });
    await chain.run({
      kind: "setRedirectUri",
      tokenId: ids.alpha!,
      uri: "http://localhost:8080/",
      enabled: true,
    });
    await stack.synced();
    let uris = await rows<{ uri: string; enabled_at: string }>(
      `SELECT uri, enabled_at FROM dimo.license_redirect_uri WHERE token_id = $1 ORDER BY uri`,
      [ids.alpha],
    );
    expect(uris.map((u) => u.uri)).toEqual(["http://localhost:8080/", uri]);
    expect(uris[1]!.enabled_at).toBe(String(await blockTime(first.blockNumber)));

    await chain.run({ kind: "setRedirectUri", tokenId: ids.alpha!, uri, enabled: false });
    await chain.increaseTime(60);
    const reenabled = await chain.run({ kind: "setRedirectUri", tokenId: ids.alpha!, uri, enabled: true });
    await stack.synced();
    uris = await rows(
      `SELECT uri, enabled_at FROM dimo.license_redirect_uri WHERE token_id = $1 AND uri = $2`,
      [ids.alpha, uri],
    );
    expect(uris[0]!.enabled_at).toBe(String(await blockTime(reenabled.blockNumber)));
  });

  it("applies several events of one block in log order", async () => {
    const uri = "https://batch.example/cb";
    const batch = await chain.batch([
      { kind: "enableSigner", tokenId: ids.gamma!, signer: k3! },
      { kind: "disableSigner", tokenId: ids.gamma!, signer: k3! },
      { kind: "enableSigner", tokenId: ids.gamma!, signer: k2! },
      { kind: "setRedirectUri", tokenId: ids.gamma!, uri, enabled: true },
      { kind: "setRedirectUri", tokenId: ids.gamma!, uri, enabled: false },
      { kind: "setAlias", tokenId: ids.gamma!, alias: "gamma-1" },
      { kind: "setAlias", tokenId: ids.gamma!, alias: "gamma-2" },
    ]);
    await stack.synced();
    const signers = await rows(`SELECT signer FROM dimo.license_signer WHERE token_id = $1`, [ids.gamma]);
    expect(signers.map((s) => s.signer)).toEqual([lower(k2!)]);
    expect(await rows(`SELECT * FROM dimo.license_redirect_uri WHERE token_id = $1`, [ids.gamma])).toEqual(
      [],
    );
    const [lic] = await rows(`SELECT alias FROM dimo.license WHERE token_id = $1`, [ids.gamma]);
    expect(lic!.alias).toBe("gamma-2");
    const events = await rows(
      `SELECT type, log_index FROM dimo.license_event WHERE token_id = $1 AND block_number = $2 ORDER BY log_index`,
      [ids.gamma, batch.blockNumber],
    );
    expect(events.map((e) => e.type)).toEqual([
      "SignerEnabled",
      "SignerDisabled",
      "SignerEnabled",
      "RedirectUriEnabled",
      "RedirectUriDisabled",
      "LicenseAliasSet",
      "LicenseAliasSet",
    ]);
  });
});

describe("vehicles and grants", () => {
  const grantee = () => clients.alpha!;
  const vehicles: Record<string, bigint> = {};

  it("mints vehicles and records SACD grants of both event versions", async () => {
    const mintBlocks: Record<string, bigint> = {};
    for (const name of ["v1", "v2", "v3"]) {
      const minted = await chain.mintVehicle(carol!);
      vehicles[name] = minted.vehicleId;
      mintBlocks[name] = minted.blockNumber;
    }
    const expiration = (await chain.now()) + YEAR;
    await chain.apply([
      {
        kind: "grant",
        vehicleId: vehicles.v1!,
        grantee: grantee(),
        permissions: permissionMask(1, 2, 3, 4, 5, 6, 7, 8),
        expiration,
        templateId: 255n,
        source: "ipfs://sacd-doc",
      },
      {
        kind: "grantLegacy",
        vehicleId: vehicles.v2!,
        grantee: grantee(),
        permissions: permissionMask(1, 3),
        expiration,
      },
    ]);
    await stack.synced();
    const grants = await rows(`SELECT * FROM dimo.vehicle_sacd ORDER BY vehicle_id`);
    expect(grants).toHaveLength(2);
    expect(grants[0]).toMatchObject({
      vehicle_id: String(vehicles.v1),
      grantee: lower(grantee()),
      permissions: String(0x3fffcn),
      expires_at: String(expiration),
      source: "ipfs://sacd-doc",
      template_id: `0x${"0".repeat(62)}ff`,
    });
    expect(grants[1]).toMatchObject({
      permissions: String(permissionMask(1, 3)),
      source: null,
      template_id: null,
    });
    const [v] = await rows(`SELECT * FROM dimo.vehicle WHERE id = $1`, [vehicles.v1]);
    expect(v).toMatchObject({
      owner: lower(carol!),
      transfers: 0,
      minted_block: String(mintBlocks.v1),
      minted_at: String(await blockTime(mintBlocks.v1!)),
    });
  });

  it("overwrites a re-set grant and deletes a renounced one", async () => {
    const expiration = (await chain.now()) + 2n * YEAR;
    await chain.run({
      kind: "grant",
      vehicleId: vehicles.v2!,
      grantee: grantee(),
      permissions: permissionMask(6),
      expiration,
    });
    await chain.run({ kind: "renounce", grantee: grantee(), vehicleId: vehicles.v1! });
    await stack.synced();
    const grants = await rows(`SELECT vehicle_id, permissions, expires_at FROM dimo.vehicle_sacd`);
    expect(grants).toEqual([
      {
        vehicle_id: String(vehicles.v2),
        permissions: String(permissionMask(6)),
        expires_at: String(expiration),
      },
    ]);
  });

  it("keeps account-level grants in their own table and ignores grants on other assets", async () => {
    const expiration = (await chain.now()) + YEAR;
    const other = await chain.run({ kind: "mintOtherNft", owner: dave! });
    await chain.apply([
      {
        kind: "grantAccount",
        grantor: dave!,
        grantee: grantee(),
        permissions: permissionMask(1),
        expiration,
      },
      {
        kind: "grantOnAsset",
        asset: stack.deployment.otherNft,
        tokenId: other.tokenId,
        grantee: grantee(),
        permissions: permissionMask(1),
        expiration,
      },
      {
        kind: "grantOnAsset",
        asset: stack.deployment.otherNft,
        tokenId: other.tokenId,
        grantee: grantee(),
        permissions: permissionMask(2),
        expiration,
        legacy: true,
      },
    ]);
    await stack.synced();
    expect(await rows(`SELECT grantor, grantee, permissions FROM dimo.account_sacd`)).toEqual([
      { grantor: lower(dave!), grantee: lower(grantee()), permissions: String(permissionMask(1)) },
    ]);
    expect(await rows(`SELECT * FROM dimo.vehicle_sacd WHERE vehicle_id = $1`, [other.tokenId])).toEqual([]);
    await chain.run({ kind: "renounceAccount", grantor: dave!, grantee: grantee() });
    await stack.synced();
    expect(await rows(`SELECT * FROM dimo.account_sacd`)).toEqual([]);
  });

  it("records legacy privileges and deletes one set with expires 0", async () => {
    const expires = (await chain.now()) + YEAR;
    await chain.apply([
      { kind: "setPrivilege", vehicleId: vehicles.v3!, privId: 1, user: grantee(), expires },
      { kind: "setPrivilege", vehicleId: vehicles.v3!, privId: 4, user: grantee(), expires },
      { kind: "setPrivilege", vehicleId: vehicles.v3!, privId: 4, user: grantee(), expires: 0 },
    ]);
    await stack.synced();
    const privileges = await rows(
      `SELECT vehicle_id, privilege_id, "user", expires_at, version FROM dimo.vehicle_privilege`,
    );
    expect(privileges).toEqual([
      {
        vehicle_id: String(vehicles.v3),
        privilege_id: "1",
        user: lower(grantee()),
        expires_at: String(expires),
        version: "0",
      },
    ]);
  });

  it("drops every grant when a shared vehicle changes hands, and the vehicle when it is burned", async () => {
    const expiration = (await chain.now()) + YEAR;
    await chain.apply([
      {
        kind: "grant",
        vehicleId: vehicles.v3!,
        grantee: grantee(),
        permissions: permissionMask(1),
        expiration,
      },
      {
        kind: "grant",
        vehicleId: vehicles.v3!,
        grantee: clients.gamma!,
        permissions: permissionMask(2),
        expiration,
      },
      { kind: "transferVehicle", vehicleId: vehicles.v3!, to: dave! },
    ]);
    await stack.synced();
    expect(await rows(`SELECT * FROM dimo.vehicle_sacd WHERE vehicle_id = $1`, [vehicles.v3])).toEqual([]);
    expect(await rows(`SELECT * FROM dimo.vehicle_privilege WHERE vehicle_id = $1`, [vehicles.v3])).toEqual(
      [],
    );
    const [v] = await rows(`SELECT owner, transfers FROM dimo.vehicle WHERE id = $1`, [vehicles.v3]);
    expect(v).toEqual({ owner: lower(dave!), transfers: 1 });

    // Grants made after the transfer belong to the new owner's sharing and survive until the next one.
    await chain.apply([
      {
        kind: "grant",
        vehicleId: vehicles.v3!,
        grantee: grantee(),
        permissions: permissionMask(3),
        expiration,
        from: dave!,
      },
      {
        kind: "setPrivilege",
        vehicleId: vehicles.v3!,
        privId: 2,
        user: grantee(),
        expires: expiration,
        from: dave!,
      },
    ]);
    await stack.synced();
    expect(
      await rows(`SELECT grantee FROM dimo.vehicle_sacd WHERE vehicle_id = $1`, [vehicles.v3]),
    ).toHaveLength(1);
    const [priv] = await rows(`SELECT version FROM dimo.vehicle_privilege WHERE vehicle_id = $1`, [
      vehicles.v3,
    ]);
    expect(priv!.version).toBe("1");

    await chain.run({ kind: "burnVehicle", vehicleId: vehicles.v3!, from: dave! });
    await stack.synced();
    expect(await rows(`SELECT * FROM dimo.vehicle WHERE id = $1`, [vehicles.v3])).toEqual([]);
    expect(await rows(`SELECT * FROM dimo.vehicle_sacd WHERE vehicle_id = $1`, [vehicles.v3])).toEqual([]);
    expect(await rows(`SELECT * FROM dimo.vehicle_privilege WHERE vehicle_id = $1`, [vehicles.v3])).toEqual(
      [],
    );
    // The burned vehicle's row stays in the state table, flagged, with its grants' epoch left behind.
    expect(await rows(`SELECT burned FROM dimo.vehicle_state WHERE id = $1`, [vehicles.v3])).toEqual([
      { burned: true },
    ]);
  });

  it("never lets the deployer's admin actions leak into license state", async () => {
    expect(await rows(`SELECT * FROM dimo.license WHERE owner = $1`, [lower(deployer!)])).toEqual([]);
  });
});
