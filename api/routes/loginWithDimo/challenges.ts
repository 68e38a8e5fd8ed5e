import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { errors, json, parsedByHandler } from "../../http/openapi";
import { parseInput, readParams } from "../../http/params";
import type { ApiApp } from "../../http/types";
import { ADDRESS_RE } from "../../lib/shapes";
import type { LoginWithDimoServices } from "../../services/index";
import { LoginChallenge, LoginToken, OAuthToken, Web3Challenge } from "../../services/loginWithDimo/schemas";
import type { JwtAlg } from "../../services/loginWithDimo/signingKeys";

// Login with DIMO (docs/login-with-dimo.md): Dex's form flow under /auth/web3/*, the JSON
// flow of DIMO's newer dauth under /auth/challenge + /auth/token, and the keys and discovery
// documents verifiers need. Parameters are read from the query string and the body alike, as
// DIMO's SDKs send them either way, so these handlers parse them themselves (parsedByHandler).

const tags = ["Login with DIMO"];
const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

const text = (name: string, max: number) =>
  z
    .string({ error: (i) => (i.input === undefined ? `${name} is required` : `${name} must be a string`) })
    .min(1, `${name} is required`)
    .max(max, `${name} is too long (${max} characters at most)`);
const address = (name: string) =>
  text(name, 42).regex(ADDRESS_RE, `${name} must be a 20-byte hex address (0x + 40 hex digits)`);

const GenerateParams = z.object({
  client_id: address("client_id").openapi({ description: "The license's clientId" }),
  domain: text("domain", 2048).openapi({
    description: "An enabled redirect URI of that license, exactly as enabled on chain (byte for byte)",
  }),
  address: address("address").openapi({ description: "The clientId again (what DIMO's SDKs send)" }),
  scope: z
    .string()
    .optional()
    .refine((v) => v === undefined || v.split(/\s+/).includes("openid"), 'scope must include "openid"')
    .openapi({ description: 'Optional; when given must include "openid" (SDKs send "openid email")' }),
  response_type: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === "code", 'response_type must be "code"')
    .openapi({ description: 'Optional; when given must be "code"' }),
  nonce: z
    .string()
    .max(256)
    .optional()
    .openapi({ description: "Optional OIDC nonce, copied into the id_token" }),
});

const SubmitParams = z.object({
  client_id: address("client_id"),
  domain: text("domain", 2048),
  state: text("state", 256).openapi({ description: "The state from generate_challenge" }),
  signature: text("signature", 200).openapi({
    description: "EIP-191 personal_sign of the challenge by an enabled signer: 0x + 65 bytes, v 27/28 or 0/1",
  }),
  grant_type: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === "authorization_code", 'grant_type must be "authorization_code"'),
});

const audienceItem = z.string().min(1).max(256);
const SiweChallengeParams = z.object({
  address: address("address").openapi({ description: "The license's clientId" }),
  audience: z
    .union([audienceItem, z.array(audienceItem).max(10)])
    .optional()
    .openapi({ description: "Extra `aud` values for the token, after the clientId" }),
});

const SiweTokenParams = z.object({
  nonce: text("nonce", 256).openapi({ description: "The nonce from /auth/challenge" }),
  signature: text("signature", 200),
});

const Jwks = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())) })
  .openapi("JWKS", { description: "Current signing key and retired keys whose tokens may still be alive" });
const FORM = "application/x-www-form-urlencoded";

export type ChallengeRouteOptions = {
  issuer: string;
  /** Algorithm of keys this process creates (LOGIN_JWT_ALG), advertised with those in use. */
  alg: JwtAlg;
  /** Counts a challenge for the caller's IP and the client it names (429 past either limit). */
  limitChallenges(c: Context, clientKey: string): Promise<void>;
};

const generateChallenge = createRoute({
  method: "post",
  path: "/auth/web3/generate_challenge",
  tags,
  summary: "Dex web3 flow, step 1: an EIP-4361 challenge for a license's signer to sign",
  description:
    "Parameters in the form body or the query string. Refused (400) for an unknown client_id, a revoked " +
    "license, or a domain that is not exactly an enabled redirect URI of that license. Rate-limited per IP and client_id (429).",
  request: {
    query: GenerateParams.partial(),
    body: { required: false, content: { [FORM]: { schema: GenerateParams } } },
  },
  responses: {
    200: json(Web3Challenge, "A challenge"),
    ...errors({ 400: "Refused (invalid_request)", 429: "Too many challenges (Retry-After)" }),
  },
});

const submitChallenge = createRoute({
  method: "post",
  path: "/auth/web3/submit_challenge",
  tags,
  summary: "Dex web3 flow, step 2: the signed challenge for a developer JWT",
  description:
    "The signature must recover to an enabled, unexpired signer of the license whose clientId is client_id, " +
    "and the license must be active. Each state is accepted once.",
  request: { body: { content: { [FORM]: { schema: SubmitParams } } } },
  responses: {
    200: json(OAuthToken, "Developer JWT"),
    ...errors({
      400: "Bad parameters, unknown/used/expired state, or client_id/domain not those of the challenge",
      401: "Could not verify signature (not an enabled, unexpired signer), or license revoked",
    }),
  },
});

const siweChallenge = createRoute({
  method: "post",
  path: "/auth/challenge",
  tags,
  summary: "JSON flow, step 1: an EIP-4361 challenge for the license whose clientId is `address`",
  request: { body: { content: { "application/json": { schema: SiweChallengeParams } } } },
  responses: {
    200: json(LoginChallenge, "A challenge"),
    ...errors({ 400: "Unknown or revoked license", 429: "Too many challenges (Retry-After)" }),
  },
});

const siweToken = createRoute({
  method: "post",
  path: "/auth/token",
  tags,
  summary: "JSON flow, step 2: the signed challenge for a developer JWT",
  request: { body: { content: { "application/json": { schema: SiweTokenParams } } } },
  responses: {
    200: json(LoginToken, "Developer JWT"),
    ...errors({ 400: "Bad parameters or unknown/used/expired nonce", 401: "Could not verify signature" }),
  },
});

const keysAt = (path: string) =>
  createRoute({
    method: "get",
    path,
    tags,
    summary: "Public keys (JWKS) that verify every token this service issues",
    responses: { 200: json(Jwks, "JWKS") },
  });

const discovery = createRoute({
  method: "get",
  path: "/.well-known/openid-configuration",
  tags,
  summary: "OpenID discovery: issuer, JWKS, endpoints, algorithms and claims",
  responses: { 200: json(z.record(z.string(), z.unknown()), "Discovery document") },
});

export function registerChallengeRoutes(app: ApiApp, s: LoginWithDimoServices, d: ChallengeRouteOptions) {
  app.openapi(parsedByHandler(app, generateChallenge), async (c) => {
    const p = parseInput(GenerateParams, await readParams(c));
    await d.limitChallenges(c, p.client_id);
    const result = await s.login.generateWeb3Challenge({
      clientId: p.client_id,
      domain: p.domain,
      address: p.address,
      nonce: p.nonce ?? null,
    });
    return c.json(result, 200, NO_STORE);
  });

  app.openapi(parsedByHandler(app, submitChallenge), async (c) => {
    const p = parseInput(SubmitParams, await readParams(c));
    const result = await s.login.submitWeb3Challenge({
      clientId: p.client_id,
      domain: p.domain,
      state: p.state,
      signature: p.signature,
    });
    return c.json(result, 200, NO_STORE);
  });

  app.openapi(parsedByHandler(app, siweChallenge), async (c) => {
    const p = parseInput(SiweChallengeParams, await readParams(c));
    await d.limitChallenges(c, p.address);
    const audience =
      p.audience === undefined ? null : typeof p.audience === "string" ? [p.audience] : p.audience;
    return c.json(await s.login.createSiweChallenge({ address: p.address, audience }), 200, NO_STORE);
  });

  app.openapi(parsedByHandler(app, siweToken), async (c) => {
    const p = parseInput(SiweTokenParams, await readParams(c));
    return c.json(await s.login.exchangeSiweToken(p), 200, NO_STORE);
  });

  const jwks = async () => s.keys.jwks();
  for (const path of ["/keys", "/.well-known/jwks.json"]) {
    // Short caching: verifiers also refetch on an unknown kid, so a rotation is seen quickly.
    app.openapi(keysAt(path), async (c) =>
      c.json(await jwks(), 200, { "Cache-Control": "public, max-age=60" }),
    );
  }

  app.openapi(discovery, async (c) => {
    const algs = new Set<string>([d.alg, ...(await jwks()).keys.map((k) => k.alg)]);
    const at = (path: string) => `${d.issuer}${path}`;
    return c.json(
      {
        issuer: d.issuer,
        jwks_uri: at("/keys"),
        // The nearest OAuth roles of DIMO's web3 endpoints; there is no browser redirect flow.
        authorization_endpoint: at("/auth/web3/generate_challenge"),
        token_endpoint: at("/auth/web3/submit_challenge"),
        dimo_web3_generate_challenge_endpoint: at("/auth/web3/generate_challenge"),
        dimo_web3_submit_challenge_endpoint: at("/auth/web3/submit_challenge"),
        dimo_challenge_endpoint: at("/auth/challenge"),
        dimo_token_endpoint: at("/auth/token"),
        dimo_token_exchange_endpoint: at("/v1/tokens/exchange"),
        response_types_supported: ["code"],
        grant_types_supported: ["authorization_code"],
        subject_types_supported: ["public"],
        scopes_supported: ["openid", "email"],
        token_endpoint_auth_methods_supported: ["none"],
        id_token_signing_alg_values_supported: [...algs],
        claims_supported: [
          "iss",
          "sub",
          "aud",
          "exp",
          "iat",
          "nbf",
          "jti",
          "nonce",
          "at_hash",
          "ethereum_address",
          "signer",
        ],
      },
      200,
      { "Cache-Control": "public, max-age=300" },
    );
  });
}
