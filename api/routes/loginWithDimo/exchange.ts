import { createRoute, z } from "@hono/zod-openapi";
import { PERMISSIONS, type PermissionId, parsePermission } from "../../../domain/permissions";
import { requireDeveloperJwt } from "../../http/developerJwt";
import { errors, json, parsedByHandler } from "../../http/openapi";
import { parseInput, readJsonObject } from "../../http/params";
import type { ApiApp } from "../../http/types";
import { ADDRESS_RE } from "../../lib/shapes";
import type { LoginWithDimoServices } from "../../services/index";
import type { ExchangeService } from "../../services/loginWithDimo/exchange";
import { VehicleToken } from "../../services/loginWithDimo/schemas";

// POST /v1/tokens/exchange (docs/login-with-dimo.md): DIMO token-exchange-api's two bodies, legacy
// {nftContractAddress, privileges, tokenId} and {asset: did:erc721:…, permissions, audience?}.

const DID_RE = /^did:erc721:([0-9]{1,16}):(0x[0-9a-fA-F]{40}):([0-9]{1,16})$/;
const NAMES = PERMISSIONS.map((p) => p.name).join(", ");

const tokenId = z
  .union([z.number(), z.string().regex(/^[0-9]{1,16}$/, "tokenId must be a decimal integer")])
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n) && n > 0, "tokenId must be a positive integer ≤ 2^53-1");

const audience = z
  .union([z.string().min(1).max(256), z.array(z.string().min(1).max(256)).min(1).max(10)])
  .transform((a) => (typeof a === "string" ? [a] : a))
  .optional();

const permission = z.union([z.string(), z.number().int()]).transform((v, ctx) => {
  const id = parsePermission(v);
  if (id === null) {
    ctx.addIssue({
      code: "custom",
      message: `unknown permission ${JSON.stringify(v)} (known: ${NAMES}, or ids 1..8)`,
    });
    return z.NEVER;
  }
  return id;
});

// cloudEvents grants are not modelled by the indexed SACD state: refuse rather than drop silently.
const noCloudEvents = z
  .unknown()
  .optional()
  .refine((v) => {
    if (v === undefined || v === null) return true;
    const events = (v as { events?: unknown }).events;
    return Array.isArray(events) && events.length === 0;
  }, "cloudEvents are not supported by this service; omit them");

const LegacyExchangeBody = z.object({
  nftContractAddress: z
    .string({ error: "nftContractAddress is required" })
    .regex(ADDRESS_RE, "nftContractAddress must be a 20-byte hex address"),
  privileges: z
    .array(
      z
        .number({ error: "privileges must be privilege ids (numbers 1..8)" })
        .int()
        .refine((id) => parsePermission(id) !== null, "unknown privilege id (1..8)"),
      { error: "privileges is required: an array of privilege ids" },
    )
    .min(1, "privileges must name at least one privilege"),
  tokenId,
  audience,
});

const AssetExchangeBody = z.object({
  asset: z
    .string({ error: "asset is required" })
    .regex(DID_RE, "asset must be did:erc721:<chainId>:<contract>:<tokenId>"),
  permissions: z
    .array(permission, { error: "permissions is required: an array of permission names" })
    .min(1, "permissions must name at least one permission"),
  audience,
  cloudEvents: noCloudEvents,
});

export function registerExchangeRoutes(app: ApiApp, s: LoginWithDimoServices) {
  app.openAPIRegistry.registerComponent("securitySchemes", "developerJwt", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A developer JWT from /auth/web3/submit_challenge or /auth/token",
  });
  const exchange = createRoute({
    method: "post",
    path: "/v1/tokens/exchange",
    tags: ["Token exchange"],
    summary: "A short-lived vehicle token, if the license's grants cover every asked permission",
    description:
      "Legacy body `{nftContractAddress, privileges: [ids], tokenId}` or `{asset: did:erc721:<chainId>:<contract>:<tokenId>, " +
      'permissions: ["privilege:GetLiveData" | "GetLiveData", …], audience?}`. The contract must be the configured VehicleId ' +
      "and the chain ours. Granted only when the unexpired SACD and privilege grants to the license's clientId cover every permission.",
    security: [{ developerJwt: [] }],
    middleware: requireDeveloperJwt(s.developers),
    request: {
      body: {
        content: {
          "application/json": {
            schema: z.union([
              LegacyExchangeBody.openapi("LegacyExchangeBody"),
              AssetExchangeBody.openapi("AssetExchangeBody"),
            ]),
          },
        },
      },
    },
    responses: {
      200: json(VehicleToken, "The vehicle token"),
      ...errors({
        400: "Bad body, another contract or chain",
        401: "Missing, invalid or expired developer JWT, or the API key that earned it (`signer` claim) is no longer an enabled, unexpired signer",
        403: "Not an active license, vehicle missing, or permissions not granted (details.missing)",
        503: "The indexer lags the chain by more than LOGIN_MAX_INDEXER_LAG_BLOCKS (or the lag is unknown)",
      }),
    },
  });

  // Which of the two bodies decides how it is read: the handler parses it (parsedByHandler).
  app.openapi(parsedByHandler(app, exchange), async (c) => {
    const body = await readJsonObject(c);
    const developer = c.get("developer");
    let request: Parameters<ExchangeService["exchange"]>[1];
    if ("asset" in body) {
      const p = parseInput(AssetExchangeBody, body);
      const [, chainId, contract, id] = DID_RE.exec(p.asset)!;
      request = {
        chainId: Number(chainId),
        contract: contract!,
        tokenId: parseInput(tokenId, id),
        permissionIds: p.permissions as PermissionId[],
        audience: p.audience ?? null,
        legacy: false,
      };
    } else {
      const p = parseInput(LegacyExchangeBody, body);
      request = {
        chainId: s.exchange.chainId,
        contract: p.nftContractAddress,
        tokenId: p.tokenId,
        permissionIds: p.privileges as PermissionId[],
        audience: p.audience ?? null,
        legacy: true,
      };
    }
    return c.json(await s.exchange.exchange(developer.clientId, request), 200, {
      "Cache-Control": "no-store",
    });
  });
}
