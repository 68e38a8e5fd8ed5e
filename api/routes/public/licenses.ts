import { createRoute, z } from "@hono/zod-openapi";
import { commonErrors, json, notFoundError } from "../../http/openapi";
import { publicJson } from "../../http/publicJson";
import { addressSchema, idParam, PageQuery } from "../../http/schemas";
import type { ApiApp } from "../../http/types";
import { page } from "../../lib/shapes";
import type { EventService } from "../../services/public/events";
import type { LicenseService } from "../../services/public/licenses";
import { HistoryItem, License, SharedVehicle } from "../../services/public/schemas";
import type { VehicleService } from "../../services/public/vehicles";

const tags = ["Licenses"];
const TokenIdParams = z.object({ tokenId: idParam("tokenId", "The license's token id") });

const list = createRoute({
  method: "get",
  path: "/v1/licenses",
  tags,
  summary: "List licenses, tokenId descending",
  request: {
    query: PageQuery.extend({
      status: z
        .enum(["active", "revoked", "all"])
        .optional()
        .openapi({ param: { name: "status", in: "query" }, description: "Default `active`." }),
      owner: addressSchema(
        "owner",
        "query",
        "Only licenses owned by this address (any letter case)",
      ).optional(),
      signer: addressSchema(
        "signer",
        "query",
        "Only licenses where this address is an enabled signer, expired or not",
      ).optional(),
    }),
  },
  responses: { 200: json(page(License, "LicensePage"), "A page of licenses"), ...commonErrors },
});

const byClientId = createRoute({
  method: "get",
  path: "/v1/licenses/by-client-id/{clientId}",
  tags,
  summary: "One license by its clientId (any status, any letter case)",
  request: { params: z.object({ clientId: addressSchema("clientId", "path", "The license's clientId") }) },
  responses: { 200: json(License, "The license"), ...notFoundError, ...commonErrors },
});

const byAlias = createRoute({
  method: "get",
  path: "/v1/licenses/by-alias/{alias}",
  tags,
  summary: "The active license holding an alias (exact, case-sensitive; URL-encode it)",
  request: {
    params: z.object({
      alias: z.string().openapi({ param: { name: "alias", in: "path" }, example: "my-app" }),
    }),
  },
  responses: { 200: json(License, "The license"), ...notFoundError, ...commonErrors },
});

const byTokenId = createRoute({
  method: "get",
  path: "/v1/licenses/{tokenId}",
  tags,
  summary: "One license by tokenId (any status)",
  request: { params: TokenIdParams },
  responses: { 200: json(License, "The license"), ...notFoundError, ...commonErrors },
});

const vehicles = createRoute({
  method: "get",
  path: "/v1/licenses/{tokenId}/vehicles",
  tags,
  summary:
    "Vehicles shared with a license (unexpired SACD or privilege grants to its clientId), vehicleId ascending",
  request: { params: TokenIdParams, query: PageQuery },
  responses: {
    200: json(page(SharedVehicle, "SharedVehiclePage"), "A page of vehicles"),
    ...notFoundError,
    ...commonErrors,
  },
});

const events = createRoute({
  method: "get",
  path: "/v1/licenses/{tokenId}/events",
  tags,
  summary: "A license's history, oldest first (block, then log index)",
  request: { params: TokenIdParams, query: PageQuery },
  responses: {
    200: json(page(HistoryItem, "HistoryPage"), "A page of events"),
    ...notFoundError,
    ...commonErrors,
  },
});

export function registerLicenseRoutes(
  app: ApiApp,
  s: { licenses: LicenseService; vehicles: VehicleService; events: EventService },
) {
  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const result = await s.licenses.list(
      { status: q.status ?? "active", owner: q.owner ?? null, signer: q.signer ?? null },
      { limit: q.limit, cursor: q.cursor },
    );
    return publicJson(c, result);
  });
  // The by-* routes come before /{tokenId}/…: "/v1/licenses/by-alias/events" matches both
  // patterns, and the first registered answers.
  app.openapi(byClientId, async (c) =>
    publicJson(c, await s.licenses.byClientId(c.req.valid("param").clientId)),
  );
  app.openapi(byAlias, async (c) => publicJson(c, await s.licenses.byAlias(c.req.valid("param").alias)));
  app.openapi(byTokenId, async (c) =>
    publicJson(c, await s.licenses.byTokenId(c.req.valid("param").tokenId)),
  );
  app.openapi(vehicles, async (c) => {
    const { tokenId } = c.req.valid("param");
    const clientId = await s.licenses.clientIdOf(tokenId);
    return publicJson(c, await s.vehicles.sharedWith(tokenId, clientId, c.req.valid("query")));
  });
  app.openapi(events, async (c) => {
    const { tokenId } = c.req.valid("param");
    await s.licenses.clientIdOf(tokenId); // 404 for a license never issued
    return publicJson(c, await s.events.ofLicense(tokenId, c.req.valid("query")));
  });
}
