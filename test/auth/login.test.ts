import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeProtectedHeader,
  type JWK,
  type JWTPayload,
  jwtVerify,
} from "jose";
import { type Address, getAddress } from "viem";
import { parseSiweMessage } from "viem/siwe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { open } from "../../api/lib/sealed";
import { deriveKey } from "../../api/lib/secret";
import { userIdOfDexSubject } from "../../api/services/loginWithDimo/claims";
import { DEV_ACCOUNTS } from "../../devnet/scenario";
import { requestFrom } from "../support/rawHttp";
import { API_SECRET, errorOf, type LoginHarness, loginHarness, signChallenge } from "./harness";

// Login with DIMO end to end: licenses, signers and redirect URIs made by real transactions on
// anvil, indexed by the real Ponder indexer, and the API over real HTTP.

const [, OWNER_A, OWNER_B, S_A, S_B, S_DISABLED, S_NEVER, S_EXPIRED, S_REVOKED] =
  DEV_ACCOUNTS as typeof DEV_ACCOUNTS & Record<number, (typeof DEV_ACCOUNTS)[number]>;
const URI_A = "https://app.example/cb";
const URI_A2 = "http://localhost:3000/callback";
const URI_B = "https://b.example/cb";
const URI_R = "https://r.example/cb";
const PUBLIC_URL = "http://127.0.0.1:3999";
const DAY = 86_400;

let h: LoginHarness;
let clientA: Address;
let clientB: Address;
let clientR: Address;

beforeAll(async () => {
  h = await loginHarness(async (chain) => {
    const [a, b, r] = await chain.apply([
      { kind: "issue", owner: OWNER_A!.address, alias: "app-a" },
      { kind: "issue", owner: OWNER_B!.address },
      { kind: "issue", owner: OWNER_B!.address },
    ]);
    clientA = a.clientId;
    clientB = b.clientId;
    clientR = r.clientId;
    // S_EXPIRED is enabled 400 days before everyone else: past the default 365-day validity.
    await chain.run({ kind: "enableSigner", tokenId: a.tokenId, signer: S_EXPIRED!.address });
    await chain.increaseTime(400 * DAY);
    await chain.apply([
      { kind: "enableSigner", tokenId: a.tokenId, signer: S_A!.address },
      { kind: "enableSigner", tokenId: b.tokenId, signer: S_B!.address },
      { kind: "enableSigner", tokenId: a.tokenId, signer: S_DISABLED!.address },
      { kind: "disableSigner", tokenId: a.tokenId, signer: S_DISABLED!.address },
      { kind: "enableSigner", tokenId: r.tokenId, signer: S_REVOKED!.address },
      { kind: "setRedirectUri", tokenId: a.tokenId, uri: URI_A, enabled: true },
      { kind: "setRedirectUri", tokenId: a.tokenId, uri: URI_A2, enabled: true },
      { kind: "setRedirectUri", tokenId: b.tokenId, uri: URI_B, enabled: true },
      { kind: "setRedirectUri", tokenId: r.tokenId, uri: URI_R, enabled: true },
      { kind: "revoke", tokenId: r.tokenId },
    ]);
  });
});
afterAll(() => h?.close());

type Challenge = { state: string; challenge: string };
type TokenResponse = { access_token: string; token_type: string; expires_in: number; id_token: string };

const generateFields = (clientId: string, domain: string, extra: Record<string, string> = {}) => ({
  client_id: clientId,
  domain,
  scope: "openid email",
  response_type: "code",
  address: clientId,
  ...extra,
});

async function generate(
  clientId: string,
  domain: string,
  extra: Record<string, string> = {},
): Promise<Challenge> {
  const res = await h.form("/auth/web3/generate_challenge", generateFields(clientId, domain, extra));
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Challenge;
}

function submit(clientId: string, domain: string, state: string, signature: string) {
  return h.form("/auth/web3/submit_challenge", {
    client_id: clientId,
    domain,
    grant_type: "authorization_code",
    state,
    signature,
  });
}

async function verifyWithJwks(token: string): Promise<JWTPayload> {
  const jwks = (await (await fetch(`${h.api.url}/keys`)).json()) as { keys: Record<string, unknown>[] };
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks as never), {
    issuer: PUBLIC_URL,
    currentDate: new Date(h.now() * 1000),
  });
  return payload;
}

describe("web3 flow (Dex form endpoints)", () => {
  it("issues a challenge and a developer JWT for an enabled signer (form body, v 27/28)", async () => {
    const { state, challenge } = await generate(clientA, URI_A, { nonce: "n-0S6_WzA2Mj" });
    expect(state).toMatch(/^[A-Za-z0-9_-]{38}$/);
    const siwe = parseSiweMessage(challenge);
    expect(siwe).toMatchObject({
      domain: "127.0.0.1:3999",
      address: getAddress(clientA),
      uri: PUBLIC_URL,
      version: "1",
      chainId: h.stack.deployment.chainId,
      statement: "app.example is asking you sign in.",
    });
    expect(siwe.nonce).toMatch(/^[a-zA-Z0-9]{8,}$/);
    expect(siwe.issuedAt?.getTime()).toBe(h.now() * 1000);
    expect(siwe.expirationTime?.getTime()).toBe((h.now() + 300) * 1000);

    const res = await submit(clientA, URI_A, state, await signChallenge(S_A!.privateKey, challenge));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as TokenResponse;
    expect(body.token_type).toBe("Bearer");
    expect(body.expires_in).toBe(14 * DAY);

    const claims = await verifyWithJwks(body.access_token);
    expect(claims).toMatchObject({
      iss: PUBLIC_URL,
      aud: clientA,
      ethereum_address: getAddress(clientA),
      iat: h.now(),
      exp: h.now() + 14 * DAY,
    });
    expect(userIdOfDexSubject(claims.sub!)).toBe(getAddress(clientA));
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: "ES256", typ: "JWT" });

    const id = await verifyWithJwks(body.id_token);
    expect(id).toMatchObject({ iss: PUBLIC_URL, aud: clientA, sub: claims.sub, nonce: "n-0S6_WzA2Mj" });
    expect(id.at_hash).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it("takes generate_challenge parameters from the query string, and v 0/1 signatures", async () => {
    const res = await h.form(
      "/auth/web3/generate_challenge",
      {},
      generateFields(clientA.toLowerCase(), URI_A2),
    );
    expect(res.status).toBe(200);
    const { state, challenge } = (await res.json()) as Challenge;
    expect(parseSiweMessage(challenge).statement).toBe("localhost:3000 is asking you sign in.");
    const ok = await submit(
      clientA.toLowerCase(),
      URI_A2,
      state,
      await signChallenge(S_A!.privateKey, challenge, "01"),
    );
    expect(ok.status).toBe(200);
    const claims = await verifyWithJwks(((await ok.json()) as TokenResponse).access_token);
    // aud is the client_id as the client sent it; ethereum_address is always checksummed.
    expect(claims.aud).toBe(clientA.toLowerCase());
    expect(claims.ethereum_address).toBe(getAddress(clientA));
  });

  it("takes a JSON body too", async () => {
    const res = await h.postJson("/auth/web3/generate_challenge", generateFields(clientB, URI_B));
    expect(res.status).toBe(200);
    const { state, challenge } = (await res.json()) as Challenge;
    expect(
      (await submit(clientB, URI_B, state, await signChallenge(S_B!.privateKey, challenge))).status,
    ).toBe(200);
  });

  it("refuses a replayed challenge", async () => {
    const { state, challenge } = await generate(clientA, URI_A);
    const signature = await signChallenge(S_A!.privateKey, challenge);
    expect((await submit(clientA, URI_A, state, signature)).status).toBe(200);
    expect(await errorOf(await submit(clientA, URI_A, state, signature))).toEqual({
      status: 400,
      code: "invalid_request",
      message: "Challenge already used: request a new challenge",
    });
  });

  it("refuses an expired challenge", async () => {
    const start = h.now();
    const { state, challenge } = await generate(clientA, URI_A);
    const signature = await signChallenge(S_A!.privateKey, challenge);
    h.setNow(start + 300);
    try {
      expect(await errorOf(await submit(clientA, URI_A, state, signature))).toMatchObject({
        status: 400,
        message: "Challenge expired: request a new challenge",
      });
    } finally {
      h.setNow(start);
    }
  });

  it("refuses an unknown state, and a real one whose encoded times were altered", async () => {
    const e = await errorOf(await submit(clientA, URI_A, "x".repeat(43), `0x${"11".repeat(65)}`));
    expect(e).toMatchObject({ status: 400, message: "Unknown state: request a new challenge" });
    const { state, challenge } = await generate(clientA, URI_A);
    const raw = Buffer.from(state, "base64url");
    raw[raw.length - 1]! ^= 1; // the expiry, one millisecond off
    const forged = raw.toString("base64url");
    const res = await submit(clientA, URI_A, forged, await signChallenge(S_A!.privateKey, challenge));
    expect(await errorOf(res)).toMatchObject({
      status: 400,
      message: "Unknown state: request a new challenge",
    });
    expect(
      (await submit(clientA, URI_A, state, await signChallenge(S_A!.privateKey, challenge))).status,
    ).toBe(200);
  });

  it("refuses a foreign challenge: another client_id, or another domain", async () => {
    const a = await generate(clientA, URI_A);
    const sigA = await signChallenge(S_B!.privateKey, a.challenge);
    expect(await errorOf(await submit(clientB, URI_B, a.state, sigA))).toMatchObject({
      status: 400,
      message: "client_id does not match the challenge's",
    });
    const a2 = await generate(clientA, URI_A);
    const sig2 = await signChallenge(S_A!.privateKey, a2.challenge);
    expect(await errorOf(await submit(clientA, URI_A2, a2.state, sig2))).toMatchObject({
      status: 400,
      message: "domain does not match the challenge's",
    });
    // Each refused submission used its challenge up.
    expect((await submit(clientA, URI_A, a2.state, sig2)).status).toBe(400);
  });

  it("refuses signers that are not enabled, unexpired signers of that license", async () => {
    const cases = [
      [S_DISABLED!, "is not an enabled signer of this license"],
      [S_NEVER!, "is not an enabled signer of this license"],
      [S_B!, "is not an enabled signer of this license"], // a signer of another license
      [S_EXPIRED!, "expired at"],
    ] as const;
    for (const [signer, why] of cases) {
      const { state, challenge } = await generate(clientA, URI_A);
      const e = await errorOf(
        await submit(clientA, URI_A, state, await signChallenge(signer.privateKey, challenge)),
      );
      expect(e.status, signer.address).toBe(401);
      expect(e.code).toBe("unauthenticated");
      expect(e.message).toContain("Could not verify signature.");
      expect(e.message).toContain(why);
    }
  });

  it("refuses a signature over another message and a malformed signature", async () => {
    const { state } = await generate(clientA, URI_A);
    const wrong = await signChallenge(S_A!.privateKey, "something else");
    expect(await errorOf(await submit(clientA, URI_A, state, wrong))).toMatchObject({ status: 401 });
    const { state: s2 } = await generate(clientA, URI_A);
    expect(await errorOf(await submit(clientA, URI_A, s2, "0x1234"))).toMatchObject({
      status: 400,
      message: expect.stringContaining("Could not verify signature."),
    });
  });

  it("refuses at generate time: unknown client, revoked license, inexact domain, missing parameters", async () => {
    const refuse = async (fields: Record<string, string>, message: string | RegExp) => {
      const e = await errorOf(await h.form("/auth/web3/generate_challenge", fields));
      expect(e.status, JSON.stringify(fields)).toBe(400);
      expect(e.code).toBe("invalid_request");
      if (typeof message === "string") expect(e.message).toBe(message);
      else expect(e.message).toMatch(message);
    };
    const stranger = DEV_ACCOUNTS[9]!.address;
    await refuse(
      generateFields(stranger, URI_A),
      "Unknown client_id: no developer license has this clientId",
    );
    await refuse(generateFields(clientR, URI_R), "This license is revoked; it cannot sign in");
    const notEnabled =
      "domain is not an enabled redirect URI of this client (redirect URIs match exactly, byte for byte)";
    for (const domain of [
      `${URI_A}/`,
      URI_A.replace("https:", "http:"),
      URI_A.toUpperCase(),
      URI_B,
      "app.example",
    ]) {
      await refuse(generateFields(clientA, domain), notEnabled);
    }
    await refuse({ domain: URI_A, address: clientA }, "client_id: client_id is required");
    await refuse({ client_id: clientA, address: clientA }, "domain: domain is required");
    await refuse({ client_id: clientA, domain: URI_A }, "address: address is required");
    await refuse(generateFields("0x1234", URI_A), /client_id must be a 20-byte hex address/);
    await refuse(generateFields(clientA, URI_A, { address: clientB }), /address must be the client_id/);
    await refuse(generateFields(clientA, URI_A, { response_type: "token" }), /response_type must be "code"/);
  });

  it("gives exactly one token when one state is submitted concurrently", async () => {
    const { state, challenge } = await generate(clientA, URI_A);
    const signature = await signChallenge(S_A!.privateKey, challenge);
    const results = await Promise.all(
      Array.from({ length: 12 }, () => submit(clientA, URI_A, state, signature)),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 400)).toHaveLength(11);
  });
});

describe("JSON flow (dauth)", () => {
  it("issues a challenge by address and a token for its signature", async () => {
    const res = await h.postJson("/auth/challenge", { address: clientA });
    expect(res.status).toBe(200);
    const c = (await res.json()) as { challenge: string; nonce: string; expires_at: string };
    expect(c.expires_at).toBe(new Date((h.now() + 300) * 1000).toISOString());
    const siwe = parseSiweMessage(c.challenge);
    expect(siwe).toMatchObject({ address: getAddress(clientA), nonce: c.nonce, uri: PUBLIC_URL });
    expect(siwe.statement).toBe("127.0.0.1:3999 is asking you sign in.");

    const t = await h.postJson("/auth/token", {
      nonce: c.nonce,
      signature: await signChallenge(S_A!.privateKey, c.challenge),
    });
    expect(t.status).toBe(200);
    const body = (await t.json()) as { token: string; token_type: string; expires_in: number };
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 14 * DAY });
    const claims = await verifyWithJwks(body.token);
    expect(claims).toMatchObject({
      iss: PUBLIC_URL,
      aud: getAddress(clientA),
      ethereum_address: getAddress(clientA),
      nbf: h.now(),
      exp: h.now() + 14 * DAY,
    });
    expect(claims.jti).toEqual(expect.any(String));
  });

  it("adds asked audiences after the clientId", async () => {
    const c = (await (
      await h.postJson("/auth/challenge", { address: clientB, audience: ["dimo.zone"] })
    ).json()) as {
      challenge: string;
      nonce: string;
    };
    const t = await h.postJson("/auth/token", {
      nonce: c.nonce,
      signature: await signChallenge(S_B!.privateKey, c.challenge),
    });
    const claims = await verifyWithJwks(((await t.json()) as { token: string }).token);
    expect(claims.aud).toEqual([getAddress(clientB), "dimo.zone"]);
  });

  it("refuses unknown and revoked licenses, replays and foreign signers", async () => {
    expect(
      await errorOf(await h.postJson("/auth/challenge", { address: DEV_ACCOUNTS[9]!.address })),
    ).toMatchObject({
      status: 400,
      message: "Unknown address: no developer license has this clientId",
    });
    expect(await errorOf(await h.postJson("/auth/challenge", { address: clientR }))).toMatchObject({
      status: 400,
    });
    const c = (await (await h.postJson("/auth/challenge", { address: clientA })).json()) as {
      challenge: string;
      nonce: string;
    };
    const bad = await h.postJson("/auth/token", {
      nonce: c.nonce,
      signature: await signChallenge(S_B!.privateKey, c.challenge),
    });
    expect(await errorOf(bad)).toMatchObject({ status: 401, code: "unauthenticated" });
    const again = await h.postJson("/auth/token", {
      nonce: c.nonce,
      signature: await signChallenge(S_A!.privateKey, c.challenge),
    });
    expect(await errorOf(again)).toMatchObject({
      status: 400,
      message: "Challenge already used: request a new challenge",
    });
  });

  it("keeps the two flows' challenges apart", async () => {
    const { state, challenge } = await generate(clientA, URI_A);
    const res = await h.postJson("/auth/token", {
      nonce: state,
      signature: await signChallenge(S_A!.privateKey, challenge),
    });
    expect(await errorOf(res)).toMatchObject({
      status: 400,
      message: "Unknown nonce: request a new challenge",
    });
  });
});

describe("keys and discovery", () => {
  it("publishes the signing keys with kid, alg and use, and no private parts", async () => {
    const keys = (await (await fetch(`${h.api.url}/keys`)).json()) as { keys: Record<string, unknown>[] };
    const wellKnown = await (await fetch(`${h.api.url}/.well-known/jwks.json`)).json();
    expect(wellKnown).toEqual(keys);
    // Every stored key (none is retired in this suite), each once.
    const stored = await h.db.selectFrom("console.signing_key").select("kid").execute();
    expect(keys.keys.map((k) => k.kid).sort()).toEqual(stored.map((r) => r.kid).sort());
    for (const k of keys.keys) {
      // The public members of a P-256 key and nothing else: no `d`, no other private part.
      expect(Object.keys(k).sort()).toEqual(["alg", "crv", "kid", "kty", "use", "x", "y"]);
      expect(k).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
      // kid is the key's RFC 7638 thumbprint, so a verifier can check it names this very key.
      expect(k.kid).toBe(await calculateJwkThumbprint(k as JWK));
    }
  });

  it("serves OpenID discovery", async () => {
    const d = (await (await fetch(`${h.api.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(d).toMatchObject({
      issuer: PUBLIC_URL,
      jwks_uri: `${PUBLIC_URL}/keys`,
      id_token_signing_alg_values_supported: ["ES256"],
      dimo_token_exchange_endpoint: `${PUBLIC_URL}/v1/tokens/exchange`,
    });
    expect(d.claims_supported).toContain("ethereum_address");
  });

  it("never logs private key material", async () => {
    const row = await h.db
      .selectFrom("console.signing_key")
      .select(["kid", "private_jwk_sealed"])
      .executeTakeFirstOrThrow();
    const jwk = JSON.parse(
      open(
        deriveKey(Buffer.from(API_SECRET), "signing-keys"),
        row.private_jwk_sealed,
        `signing-key:${row.kid}`,
      ),
    );
    expect(jwk.d).toEqual(expect.any(String));
    const logs = h.logs.join("\n");
    expect(logs).toContain(row.kid); // the key's creation is logged, by kid
    for (const secret of [jwk.d, row.private_jwk_sealed, API_SECRET, S_A!.privateKey.slice(2)]) {
      expect(logs).not.toContain(secret);
    }
  });
});

describe("rate limits", () => {
  it("limits challenges per (client id, IP) and per IP with 429 and Retry-After", async () => {
    const perClient = await h.extraApi({ LOGIN_RATE_LIMIT_PER_CLIENT: "3", LOGIN_RATE_LIMIT_PER_IP: "0" });
    const gen = (api: typeof perClient, clientId: string, domain: string) =>
      fetch(`${api.url}/auth/web3/generate_challenge`, {
        method: "POST",
        body: new URLSearchParams(generateFields(clientId, domain)),
      });
    for (let i = 0; i < 3; i++) expect((await gen(perClient, clientB, URI_B)).status).toBe(200);
    const limited = await gen(perClient, clientB, URI_B);
    expect(limited.status).toBe(429);
    // Whole seconds until the one-minute window ends.
    expect(limited.headers.get("retry-after")).toMatch(/^[1-9][0-9]?$/);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect((await errorOf(limited)).code).toBe("rate_limited");
    expect((await gen(perClient, clientA, URI_A)).status).toBe(200); // another client still may

    const perIp = await h.extraApi({ LOGIN_RATE_LIMIT_PER_CLIENT: "0", LOGIN_RATE_LIMIT_PER_IP: "2" });
    expect((await gen(perIp, clientA, URI_A)).status).toBe(200);
    const json = (address: string) =>
      fetch(`${perIp.url}/auth/challenge`, {
        method: "POST",
        body: JSON.stringify({ address }),
        headers: { "Content-Type": "application/json" },
      });
    expect((await json(clientB)).status).toBe(200);
    expect((await json(clientA)).status).toBe(429);
  });

  // Counters live in the shared database: these come after the test above, on licenses of their own.
  /** A web3 challenge for `clientId` asked from the loopback address `from` (another client IP). */
  const challengeFrom = (api: { url: string }, from: string, clientId = clientB, domain = URI_B) =>
    requestFrom(from, `${api.url}/auth/web3/generate_challenge`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(generateFields(clientId, domain)).toString(),
    });

  /** A license of its own: no other test has counted challenges for it this minute (counters are shared). */
  const freshLicense = async () => {
    const [fresh] = await h.stack.chain.apply([{ kind: "issue", owner: OWNER_B!.address }]);
    await h.stack.chain.run({ kind: "setRedirectUri", tokenId: fresh.tokenId, uri: URI_B, enabled: true });
    await h.stack.synced();
    return fresh.clientId;
  };

  it("40 challenges for one client id from 127.0.0.1 do not make a challenge for it from 127.0.0.2 answer 429 (default limits)", async () => {
    const client = await freshLicense();
    const defaults = await h.extraApi({
      LOGIN_RATE_LIMIT_PER_IP: "60",
      LOGIN_RATE_LIMIT_PER_CLIENT: "30",
      LOGIN_RATE_LIMIT_PER_CLIENT_GLOBAL: "",
    });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await challengeFrom(defaults, "127.0.0.1", client)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    expect(statuses.slice(30)).toEqual(Array(10).fill(429));
    const victim = await challengeFrom(defaults, "127.0.0.2", client);
    expect(victim.status, victim.text).toBe(200);
    expect(victim.json()).toMatchObject({ state: expect.any(String), challenge: expect.any(String) });
  });

  it("counts the global per-client ceiling only for challenges an address's own limits let through", async () => {
    const api = await h.extraApi({
      LOGIN_RATE_LIMIT_PER_IP: "0",
      LOGIN_RATE_LIMIT_PER_CLIENT: "2",
      LOGIN_RATE_LIMIT_PER_CLIENT_GLOBAL: "5",
    });
    const client = await freshLicense();
    const from = async (ip: string, n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await challengeFrom(api, ip, client)).status);
      return out;
    };
    // One address hammering: 2 pass, the other 38 are refused and spend nothing shared.
    expect((await from("127.0.0.11", 40)).filter((s) => s === 200)).toHaveLength(2);
    expect(await from("127.0.0.12", 2)).toEqual([200, 200]);
    // The 5th and 6th counted challenges: the ceiling is reached only by many addresses together.
    const last = await from("127.0.0.13", 2);
    expect(last).toEqual([200, 429]);
    expect((await challengeFrom(api, "127.0.0.14", client)).status).toBe(429);
  });
});

describe("live chain changes", () => {
  it("follows the latest periodValidity: shortening it expires signers at once", async () => {
    await h.stack.chain.run({ kind: "setPeriodValidity", seconds: 60 });
    await h.stack.synced();
    h.setNow(Number(await h.stack.chain.now()) + 61);
    const { state, challenge } = await generate(clientA, URI_A);
    const e = await errorOf(
      await submit(clientA, URI_A, state, await signChallenge(S_A!.privateKey, challenge)),
    );
    expect(e).toMatchObject({ status: 401, message: expect.stringContaining("expired at") });
  });
});
