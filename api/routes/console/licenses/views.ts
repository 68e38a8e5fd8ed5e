import { createRoute, z } from "@hono/zod-openapi";
import { commonErrors, errors, json, notFoundError } from "../../../http/openapi";
import { idParam, limitQuery, PageQuery } from "../../../http/schemas";
import type { ConsoleAuth } from "../../../http/session";
import type { ApiApp } from "../../../http/types";
import { page } from "../../../lib/shapes";
import { NEEDS_ACTIVE_LICENSE, OWNER_ONLY } from "../../../services/console/licenses/views";
import { MyLicense, PrivateLicense } from "../../../services/console/schemas";
import type { ConsoleServices } from "../../../services/index";
import { License } from "../../../services/public/schemas";
import { SESSION_SECURITY, sessionErrors } from "../schemas";

const tags = ["Console licenses"];
const TokenIdParams = z.object({ tokenId: idParam("tokenId", "The license's token id") });

export function registerLicenseViewRoutes(app: ApiApp, s: ConsoleServices, auth: ConsoleAuth) {
  const middleware = auth.requireSession;

  const mine = createRoute({
    method: "get",
    path: "/console/licenses",
    tags,
    summary: "Licenses owned by any of my wallets (any status), tokenId descending, with vehicle counts",
    security: SESSION_SECURITY,
    middleware,
    request: { query: PageQuery },
    responses: {
      200: json(page(MyLicense, "MyLicensePage"), "A page of my licenses"),
      ...sessionErrors,
      ...commonErrors,
    },
  });

  const publicPage = createRoute({
    method: "get",
    path: "/console/licenses/{tokenId}",
    tags,
    summary: "Any license's public page, for accounts that own at least one active license",
    security: SESSION_SECURITY,
    middleware,
    request: { params: TokenIdParams },
    responses: {
      200: json(License, "Public fields only"),
      ...sessionErrors,
      ...errors({ 403: NEEDS_ACTIVE_LICENSE }),
      ...notFoundError,
      ...commonErrors,
    },
  });

  const privateView = createRoute({
    method: "get",
    path: "/console/licenses/{tokenId}/private",
    tags,
    summary:
      "The owner's view of a license: API keys with labels and expiry warnings, redirect URIs, vehicles, history",
    description:
      "Only for the owner (the license's owner is one of my wallets). `limit` sizes the first page of vehicles " +
      "and history; later pages come from the public /v1/licenses/{tokenId}/vehicles and /events with the cursors.",
    security: SESSION_SECURITY,
    middleware,
    request: { params: TokenIdParams, query: z.object({ limit: limitQuery }) },
    responses: {
      200: json(PrivateLicense, "The private view"),
      ...sessionErrors,
      ...errors({ 403: OWNER_ONLY }),
      ...notFoundError,
      ...commonErrors,
    },
  });

  app.openapi(mine, async (c) => c.json(await s.licenses.mine(c.var.account.id, c.req.valid("query")), 200));
  app.openapi(publicPage, async (c) =>
    c.json(await s.licenses.publicPage(c.var.account.id, c.req.valid("param").tokenId), 200),
  );
  app.openapi(privateView, async (c) =>
    c.json(
      await s.licenses.privateView(c.var.account.id, c.req.valid("param").tokenId, {
        limit: c.req.valid("query").limit,
      }),
      200,
    ),
  );
}
