import { createHmac, generateKeyPairSync } from "node:crypto";
import {
  type CryptoKey,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from "jose";
import { type Address, getAddress } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { open } from "../../api/lib/sealed";
import { deriveKey } from "../../api/lib/secret";
import { developerClaims } from "../../api/services/loginWithDimo/claims";
import { DEV_ACCOUNTS, permissionMask } from "../../devnet/scenario";
import { API_SECRET, errorOf, type LoginHarness, loginHarness, signChallenge } from "./harness";

// Vehicle token exchange and developer-JWT verification, on grants made by real transactions.

const [, OWNER_A, OWNER_B, S_A, S_B, S_A2, S_D, V_OWNER, NEW_OWNER] = DEV_ACCOUNTS as typeof DEV_ACCOUNTS &
  Record<number, (typeof DEV_ACCOUNTS)[number]>;
const URI_A = "https://app.example/cb";
const PUBLIC_URL = "http://127.0.0.1:3999";
const YEAR = 365 * 86_400;

let h: LoginHarness;
let clientA: Address;
let clientB: Address;
let clientR: Address;
let tokenA: bigint;
let vehicleId: Address;
let chainId: number;
/** Vehicle ids by case. */
const v = { full: 0, expiring: 0, renounced: 0, transferred: 0, burned: 0, othersOnly: 0 };
let expiringAt = 0;
let devJwt: string;

beforeAll(async () => {
  h = await loginHarness(async (chain) => {
    const [a, b, r] = await chain.apply([
      { kind: "issue", owner: OWNER_A!.address },
      { kind: "issue", owner: OWNER_B!.address },
      { kind: "issue", owner: OWNER_B!.address },
    ]);
    clientA = a.clientId;
    tokenA = a.tokenId;
    clientB = b.clientId;
    clientR = r.clientId;
    vehicleId = getAddress(chain.deployment.vehicleId);
    chainId = chain.deployment.chainId;
    await chain.apply([
      { kind: "enableSigner", tokenId: a.tokenId, signer: S_A!.address },
      { kind: "enableSigner", tokenId: b.tokenId, signer: S_B!.address },
      { kind: "setRedirectUri", tokenId: a.tokenId, uri: URI_A, enabled: true },
      { kind: "revoke", tokenId: r.tokenId },
    ]);
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push((await chain.mintVehicle(V_OWNER!.address)).vehicleId);
    [v.full, v.expiring, v.renounced, v.transferred, v.burned, v.othersOnly] = ids.map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const now = Number(await chain.now());
    const far = now + 10 * YEAR;
    expiringAt = now + 1_000;
    const grant = (vid: number, grantee: Address, perms: bigint, expiration: number) =>
      ({ kind: "grant", vehicleId: vid, grantee, permissions: perms, expiration }) as const;
    await chain.apply([
      grant(v.full, clientA, permissionMask(1, 3, 6), far),
      { kind: "setPrivilege", vehicleId: v.full, privId: 4, user: clientA, expires: far },
      grant(v.expiring, clientA, permissionMask(1), expiringAt),
      grant(v.renounced, clientA, permissionMask(1), far),
      { kind: "renounce", grantee: clientA, vehicleId: v.renounced },
      grant(v.transferred, clientA, permissionMask(1), far),
      { kind: "transferVehicle", vehicleId: v.transferred, to: NEW_OWNER!.address },
      grant(v.burned, clientA, permissionMask(1), far),
      { kind: "burnVehicle", vehicleId: v.burned },
      grant(v.othersOnly, clientB, permissionMask(1), far),
    ]);
  });
  devJwt = await login();
});
afterAll(() => h?.close());

async function login(
  key: `0x${string}` = S_A!.privateKey,
  clientId: Address = clientA,
  domain = URI_A,
  api = h.api,
): Promise<string> {
  const gen = await h.form(
    "/auth/web3/generate_challenge",
    { client_id: clientId, domain, scope: "openid email", response_type: "code", address: clientId },
    undefined,
    api,
  );
  expect(gen.status, await gen.clone().text()).toBe(200);
  const { state, challenge } = (await gen.json()) as { state: string; challenge: string };
  const res = await h.form(
    "/auth/web3/submit_challenge",
    {
      client_id: clientId,
      domain,
      grant_type: "authorization_code",
      state,
      signature: await signChallenge(key, challenge),
    },
    undefined,
    api,
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

const exchange = (body: unknown, token: string | null = devJwt) =>
  h.postJson("/v1/tokens/exchange", body, token === null ? {} : { Authorization: `Bearer ${token}` });
const legacy = (tokenId: number, privileges: number[]) => ({
  nftContractAddress: vehicleId,
  privileges,
  tokenId,
});
const asset = (tokenId: number, permissions: unknown[], extra: Record<string, unknown> = {}) => ({
  asset: `did:erc721:${chainId}:${vehicleId}:${tokenId}`,
  permissions,
  ...extra,
});

async function vehicleClaims(res: Response): Promise<JWTPayload> {
  expect(res.status, await res.clone().text()).toBe(200);
  const { token } = (await res.json()) as { token: string };
  const jwks = await (await fetch(`${h.api.url}/keys`)).json();
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks as never), {
    issuer: PUBLIC_URL,
    currentDate: new Date(h.now() * 1000),
  });
  return payload;
}

/** Developer claims for a clientId, signed with the server's own current key. */
const ourToken = (overrides: JWTPayload = {}, clientId: string = clientA) =>
  h.keys.sign({
    ...developerClaims({
      issuer: PUBLIC_URL,
      clientId,
      signer: S_A!.address,
      audience: clientId,
      issuedAt: h.now(),
      expiresAt: h.now() + 3600,
    }),
    ...overrides,
  });

describe("token exchange", () => {
  it("grants the legacy body when SACD and privilege grants together cover every privilege", async () => {
    const claims = await vehicleClaims(await exchange(legacy(v.full, [4, 1])));
    expect(claims).toEqual({
      iss: PUBLIC_URL,
      aud: ["dimo.zone"],
      iat: h.now(),
      exp: h.now() + 600,
      sub: `${vehicleId}/${v.full}`,
      asset: `did:erc721:${chainId}:${vehicleId}:${v.full}`,
      permissions: ["GetNonLocationHistory", "GetLocationHistory"],
      contract_address: vehicleId,
      token_id: v.full,
      privilege_ids: [1, 4],
    });
  });

  it("grants the asset/permissions body, with names in either form and a chosen audience", async () => {
    const claims = await vehicleClaims(
      await exchange(
        asset(v.full, ["privilege:GetLiveData", "GetCurrentLocation"], { audience: ["my-api"] }),
      ),
    );
    expect(claims).toMatchObject({
      aud: ["my-api"],
      sub: `${vehicleId}/${v.full}`,
      permissions: ["GetCurrentLocation", "GetLiveData"],
    });
    expect(claims).not.toHaveProperty("privilege_ids");
    // Lowercase contract in the DID is the same asset.
    const lower = await exchange({
      ...asset(v.full, ["GetLiveData"]),
      asset: `did:erc721:${chainId}:${vehicleId.toLowerCase()}:${v.full}`,
    });
    expect(lower.status).toBe(200);
  });

  it("works with a token from the JSON flow too", async () => {
    const c = (await (await h.postJson("/auth/challenge", { address: clientA })).json()) as {
      challenge: string;
      nonce: string;
    };
    const t = await h.postJson("/auth/token", {
      nonce: c.nonce,
      signature: await signChallenge(S_A!.privateKey, c.challenge),
    });
    const { token } = (await t.json()) as { token: string };
    // The same vehicle token the Dex flow's JWT gets: the license is what counts, not the flow.
    const viaJson = await vehicleClaims(await exchange(legacy(v.full, [1]), token));
    const viaDex = await vehicleClaims(await exchange(legacy(v.full, [1])));
    expect(viaJson).toEqual(viaDex);
    expect(viaJson).toMatchObject({ sub: `${vehicleId}/${v.full}`, privilege_ids: [1] });
  });

  it("refuses permissions that no unexpired grant covers, naming them", async () => {
    const res = await exchange(asset(v.full, ["GetLiveData", "GetRawData", "ExecuteCommands"]));
    expect(res.status).toBe(403);
    const body = (await res.json()) as {
      error: { code: string; message: string; details: { missing: string[] } };
    };
    expect(body.error.code).toBe("forbidden");
    expect(body.error.message).toContain("lacks ExecuteCommands, GetRawData on vehicle");
    expect(body.error.details.missing).toEqual(["ExecuteCommands", "GetRawData"]);
  });

  it("refuses a grant that expired, was renounced, dropped by a transfer, on a burned vehicle, or given to another license", async () => {
    const start = h.now();
    expect((await exchange(legacy(v.expiring, [1]))).status).toBe(200);
    h.setNow(expiringAt);
    try {
      expect(await errorOf(await exchange(legacy(v.expiring, [1])))).toMatchObject({ status: 403 });
    } finally {
      h.setNow(start);
    }
    for (const id of [v.renounced, v.transferred, v.othersOnly]) {
      expect(await errorOf(await exchange(legacy(id, [1])))).toMatchObject({
        status: 403,
        message: expect.stringContaining("lacks GetNonLocationHistory"),
      });
    }
    expect(await errorOf(await exchange(legacy(v.burned, [1])))).toMatchObject({
      status: 403,
      message: `Vehicle ${v.burned} does not exist (never minted, or burned)`,
    });
  });

  it("refuses another contract, another chain and bad bodies with 400", async () => {
    const other = getAddress(h.stack.deployment.sacd);
    const cases: [unknown, RegExp][] = [
      [{ ...legacy(v.full, [1]), nftContractAddress: other }, /Unsupported asset contract/],
      [{ ...asset(v.full, [1]), asset: `did:erc721:137:${vehicleId}:${v.full}` }, /Unsupported chain 137/],
      [asset(v.full, ["Teleport"]), /unknown permission "Teleport"/],
      [asset(v.full, []), /at least one permission/],
      [legacy(v.full, [9]), /unknown privilege id/],
      [{ asset: `did:ethr:${chainId}:${clientA}`, permissions: ["GetLiveData"] }, /asset must be did:erc721/],
      [
        asset(v.full, ["GetLiveData"], { cloudEvents: { events: [{ eventType: "x" }] } }),
        /cloudEvents are not supported/,
      ],
      [{ privileges: [1], tokenId: v.full }, /nftContractAddress is required/],
    ];
    for (const [body, message] of cases) {
      const e = await errorOf(await exchange(body));
      expect(e.status, JSON.stringify(body)).toBe(400);
      expect(e.message).toMatch(message);
    }
  });
});

describe("developer JWT verification", () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

  it("wants a bearer token", async () => {
    const res = await exchange(legacy(v.full, [1]), null);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="dimo-developer"');
    expect(await errorOf(res)).toEqual({
      status: 401,
      code: "unauthenticated",
      message: "A developer JWT is required: Authorization: Bearer <token>",
    });
  });

  it("refuses alg none, HS256 keyed with our public key, unknown kids and foreign keys", async () => {
    const claims = developerClaims({
      issuer: PUBLIC_URL,
      clientId: clientA,
      signer: S_A!.address,
      audience: clientA,
      issuedAt: h.now(),
      expiresAt: h.now() + 3600,
    });
    const { kid } = decodeProtectedHeader(devJwt);
    const none = `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`;
    const noneWithKid = `${b64({ alg: "none", kid })}.${b64(claims)}.`;

    // HS256 "signed" with the public key, as PEM and as the JWK text: the classic confusion attack.
    const jwks = (await (await fetch(`${h.api.url}/keys`)).json()) as { keys: JWK[] };
    const publicJwk = jwks.keys.find((k) => k.kid === kid)!;
    const pem = await exportSPKI((await importJWK(publicJwk, "ES256")) as CryptoKey);
    const hs = (secret: string) => {
      const input = `${b64({ alg: "HS256", typ: "JWT", kid })}.${b64(claims)}`;
      return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
    };

    const stranger = await generateKeyPair("ES256");
    const foreign = (k: string) =>
      new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: k }).sign(stranger.privateKey);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const rs256WithOurKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid })
      .sign(rsa.privateKey);

    const attacks: [string, string, string][] = [
      ["alg none", none, "Token algorithm is not allowed"],
      ["alg none with our kid", noneWithKid, "Token algorithm is not allowed"],
      ["HS256 keyed with the PEM public key", hs(pem), "Token algorithm is not allowed"],
      ["HS256 keyed with the JWK", hs(JSON.stringify(publicJwk)), "Token algorithm is not allowed"],
      ["unknown kid", await foreign("not-our-kid"), "Token was not signed by a current key of this issuer"],
      ["a stranger's key under our kid", await foreign(kid!), "Token signature is not valid"],
      ["RS256 under our ES256 kid", rs256WithOurKid, "Token was not signed by a current key of this issuer"],
      ["garbage", "abc.def.ghi", "Token is malformed"],
    ];
    for (const [what, token, message] of attacks) {
      expect(await errorOf(await exchange(legacy(v.full, [1]), token)), what).toEqual({
        status: 401,
        code: "unauthenticated",
        message,
      });
    }
  });

  it("refuses our own signature on a wrong issuer, an expired token and one not valid yet", async () => {
    const cases: [JWTPayload, string][] = [
      [{ iss: "https://auth.dimo.zone" }, "Token claim iss is not valid"],
      [{ iat: h.now() - 7200, exp: h.now() - 10 }, "Token expired"],
      [{ nbf: h.now() + 600 }, "Token is not valid yet (nbf)"],
    ];
    for (const [overrides, message] of cases) {
      expect(await errorOf(await exchange(legacy(v.full, [1]), await ourToken(overrides)))).toMatchObject({
        status: 401,
        message,
      });
    }
  });

  it("refuses tokens that do not speak for an active license", async () => {
    const stranger = DEV_ACCOUNTS[9]!.address;
    const cases: [string, string, RegExp][] = [
      ["aud is another client", await ourToken({ aud: clientB }), /Token audience is not the client id/],
      ["no such license", await ourToken({}, stranger), /^Not a dev license/],
      ["revoked license", await ourToken({}, clientR), /is revoked$/],
    ];
    for (const [what, token, message] of cases) {
      const e = await errorOf(await exchange(legacy(v.full, [1]), token));
      expect(e.status, what).toBe(403);
      expect(e.message).toMatch(message);
    }
    // A vehicle token is no developer JWT.
    const { token } = (await (await exchange(legacy(v.full, [1]))).json()) as { token: string };
    expect(await errorOf(await exchange(legacy(v.full, [1]), token))).toMatchObject({
      status: 401,
      message: "Not a developer JWT: no ethereum_address claim",
    });
  });
});

describe("signing key rotation", () => {
  const sealKey = deriveKey(Buffer.from(API_SECRET, "utf8"), "signing-keys");
  const privateJwk = async (kid: string) => {
    const row = await h.db
      .selectFrom("console.signing_key")
      .select("private_jwk_sealed")
      .where("kid", "=", kid)
      .executeTakeFirstOrThrow();
    return JSON.parse(open(sealKey, row.private_jwk_sealed, `signing-key:${kid}`)) as JWK;
  };
  const signWith = async (jwk: JWK, kid: string, claims: JWTPayload) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "ES256", kid, typ: "JWT" })
      .sign(await importJWK(jwk, "ES256"));
  const freshClaims = () =>
    developerClaims({
      issuer: PUBLIC_URL,
      clientId: clientA,
      signer: S_A!.address,
      audience: clientA,
      issuedAt: h.now(),
      expiresAt: h.now() + 3600,
    });
  const publishedKids = async () => {
    await new Promise((r) => setTimeout(r, 1_100)); // /keys re-reads key sets older than 1 s
    const jwks = (await (await fetch(`${h.api.url}/keys`)).json()) as { keys: JWK[] };
    return jwks.keys.map((k) => k.kid).sort();
  };

  it("keeps the previous key published until its tokens expired, then drops it", async () => {
    const start = h.now();
    const oldToken = await login();
    const kid1 = decodeProtectedHeader(oldToken).kid!;
    const jwk1 = await privateJwk(kid1);

    const first = await h.keys.rotate();
    expect(first.retired).toEqual([kid1]);
    const kid2 = first.kid;
    expect(await publishedKids()).toEqual([kid1, kid2].sort());
    // The previous key's token still verifies; the new key's tokens do too, at once.
    expect((await exchange(legacy(v.full, [1]), oldToken)).status).toBe(200);
    const newToken = await h.keys.sign(freshClaims());
    expect(decodeProtectedHeader(newToken).kid).toBe(kid2);
    expect((await exchange(legacy(v.full, [1]), newToken)).status).toBe(200);

    // Past the longest token lifetime (+ a minute of replica skew), kid1 is gone.
    const jwk2 = await privateJwk(kid2);
    h.setNow(start + h.config.login.jwtTtlSeconds + 61);
    try {
      const second = await h.keys.rotate();
      expect(second.deleted).toEqual([kid1]);
      expect(await publishedKids()).toEqual([kid2, second.kid].sort());
      const byRemoved = await signWith(jwk1, kid1, freshClaims());
      expect(await errorOf(await exchange(legacy(v.full, [1]), byRemoved))).toMatchObject({
        status: 401,
        message: "Token was not signed by a current key of this issuer",
      });
      const byRetired = await signWith(jwk2, kid2, freshClaims());
      expect((await exchange(legacy(v.full, [1]), byRetired)).status).toBe(200);
    } finally {
      h.setNow(start);
    }
  });
});

describe("revocation takes effect", () => {
  const exchangeWith = (token: string, api: { url: string } = h.api) =>
    h.postJson("/v1/tokens/exchange", legacy(v.full, [1]), { Authorization: `Bearer ${token}` }, api);

  it("refuses a token once the API key that earned it is disabled on chain, from the indexer commit that records it", async () => {
    await h.stack.chain.run({ kind: "enableSigner", tokenId: tokenA, signer: S_A2!.address });
    await h.stack.synced();
    const byKey2 = await login(S_A2!.privateKey);
    const byKey1 = await login();
    expect(decodeJwt(byKey2).signer).toBe(S_A2!.address);
    expect((await exchangeWith(byKey2)).status).toBe(200);

    await h.stack.chain.run({ kind: "disableSigner", tokenId: tokenA, signer: S_A2!.address });
    await h.stack.synced();
    expect(await errorOf(await exchangeWith(byKey2))).toEqual({
      status: 401,
      code: "unauthenticated",
      message: `The API key that earned this token (${S_A2!.address}) is no longer a signer of the license: log in with an enabled key`,
    });
    // The license's other key, and its tokens, are untouched.
    expect((await exchangeWith(byKey1)).status).toBe(200);
  });

  it("refuses a token once its key expired, and a token that names no key", async () => {
    const start = h.now();
    const enabledAt = Number(
      (
        await h.db
          .selectFrom("dimo.license_signer")
          .select("enabled_at")
          .where("signer", "=", S_A!.address.toLowerCase())
          .executeTakeFirstOrThrow()
      ).enabled_at,
    );
    // A token that outlives its key (a long LOGIN_JWT_TTL_SECONDS): the key's expiry ends it.
    const token = await ourToken({ exp: enabledAt + YEAR + 3600 });
    h.setNow(enabledAt + YEAR);
    try {
      expect(await errorOf(await exchangeWith(token))).toMatchObject({
        status: 401,
        message: expect.stringMatching(
          /^The API key that earned this token \(0x[0-9a-fA-F]{40}\) expired at /,
        ),
      });
    } finally {
      h.setNow(start);
    }
    expect((await exchangeWith(token)).status).toBe(200);
    const unbound = await ourToken({ signer: undefined });
    expect(await errorOf(await exchangeWith(unbound))).toMatchObject({
      status: 401,
      message: expect.stringContaining("does not name the API key that earned it"),
    });
  });

  it("refuses every token of a license once the license is revoked", async () => {
    const uri = "https://d.example/cb";
    const [d] = await h.stack.chain.apply([{ kind: "issue", owner: OWNER_B!.address }]);
    const car = await h.stack.chain.mintVehicle(V_OWNER!.address);
    await h.stack.chain.apply([
      { kind: "enableSigner", tokenId: d.tokenId, signer: S_D!.address },
      { kind: "setRedirectUri", tokenId: d.tokenId, uri, enabled: true },
      {
        kind: "grant",
        vehicleId: car.vehicleId,
        grantee: d.clientId,
        permissions: permissionMask(1),
        expiration: h.now() + 10 * YEAR,
      },
    ]);
    await h.stack.synced();
    const token = await login(S_D!.privateKey, d.clientId, uri);
    const use = () => exchange(legacy(Number(car.vehicleId), [1]), token);
    expect((await use()).status).toBe(200);
    await h.stack.chain.run({ kind: "revoke", tokenId: d.tokenId });
    await h.stack.synced();
    expect(await errorOf(await use())).toMatchObject({
      status: 403,
      message: `License ${d.clientId} is revoked`,
    });
  });

  it("refuses logins and exchanges with 503 while the indexer lags more than LOGIN_MAX_INDEXER_LAG_BLOCKS, or its lag is unknown", async () => {
    const token = await login();
    const real = () => h.stack.chain.blockNumber();
    const ahead = await h.extraApi(
      { LOGIN_MAX_INDEXER_LAG_BLOCKS: "5" },
      { headBlock: async () => (await real()) + 6n },
    );
    const blind = await h.extraApi(
      { LOGIN_MAX_INDEXER_LAG_BLOCKS: "5" },
      {
        headBlock: async () => {
          throw new Error("rpc down");
        },
      },
    );
    const within = await h.extraApi(
      { LOGIN_MAX_INDEXER_LAG_BLOCKS: "5" },
      { headBlock: async () => (await real()) + 5n },
    );
    for (const [api, reason] of [
      [ahead, /^The indexer is 6 blocks behind the chain head \(at most 5 allowed\)/],
      [blind, /^The indexer's lag cannot be measured/],
    ] as const) {
      const gen = await h.form(
        "/auth/web3/generate_challenge",
        { client_id: clientA, domain: URI_A, address: clientA },
        undefined,
        api,
      );
      expect(await errorOf(gen)).toMatchObject({ status: 503, code: "unavailable", message: reason });
      expect(await errorOf(await exchangeWith(token, api))).toMatchObject({ status: 503, message: reason });
    }
    expect((await exchangeWith(token, within)).status).toBe(200);
    expect(await login(S_A!.privateKey, clientA, URI_A, within)).toEqual(expect.any(String));
  });
});
