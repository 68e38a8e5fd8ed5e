import { createRoute, z } from "@hono/zod-openapi";
import { InvalidRequestError } from "../../../errors";
import { commonErrors, errors, json, notFoundError } from "../../../http/openapi";
import { idParam } from "../../../http/schemas";
import type { ConsoleAuth } from "../../../http/session";
import type { ApiApp } from "../../../http/types";
import { ADDRESS_RE } from "../../../lib/shapes";
import { OperationAnswer } from "../../../services/console/schemas";
import type { ConsoleServices } from "../../../services/index";
import { needOps } from "../../../services/index";
import {
  CreateLicenseBody,
  GeneratedKeyAnswer,
  KeyBody,
  KeyList,
  RedirectUriBody,
  RenameBody,
} from "../operationSchemas";
import { SESSION_SECURITY, sessionErrors } from "../schemas";

const tags = ["Console operations"];
const TokenIdParams = z.object({ tokenId: idParam("tokenId", "The license's token id") });
const KeyParams = TokenIdParams.extend({
  address: z
    .string()
    .regex(ADDRESS_RE, "address must be a 20-byte hex address")
    .openapi({ param: { name: "address", in: "path" }, description: "The API key's signer address" }),
});
const UriQuery = z.object({
  uri: z
    .string()
    .optional()
    .openapi({
      param: { name: "uri", in: "query" },
      description: "The URI to remove (or send {uri} as JSON)",
    }),
});

const NOT_MINE = "The license is not owned by one of my wallets (code `forbidden`)";
const WRITE_DONE =
  "Started: managed wallet → `submitted`; external wallet → `prepared` (sign and send `operation.transaction`, " +
  "then POST /console/operations/{id}/submitted). Wait with GET /console/operations/{id}?wait=indexed.";
const KEY_WARNING =
  "Copy apiKey.privateKey now: it is shown in this answer only and is never stored. Use it with the license's " +
  "clientId and one of its redirect URIs to get a developer JWT.";

const writeResponses = (extra: Record<number, unknown> = {}) => ({
  ...sessionErrors,
  ...errors({ 403: `${NOT_MINE}, a missing CSRF token, or the chain refused the sender (InvalidSender)` }),
  ...notFoundError,
  ...errors({
    409: "Alias taken or pending, license revoked, or the chain would revert (details.revert names why)",
  }),
  ...commonErrors,
  ...extra,
});

/** Writes to my licenses: create, rename, API keys (generate, renew, revoke, list), redirect URIs. */
export function registerLicenseWriteRoutes(app: ApiApp, s: ConsoleServices, auth: ConsoleAuth) {
  const middleware = auth.requireSession;
  const body = <T extends z.ZodType>(schema: T) => ({
    content: { "application/json": { schema } },
    required: true,
  });

  const create = createRoute({
    method: "post",
    path: "/console/licenses",
    tags,
    summary: "Create a developer license (alias checked first: shape, taken, pending)",
    security: SESSION_SECURITY,
    middleware,
    request: { body: body(CreateLicenseBody) },
    responses: {
      202: json(OperationAnswer, `${WRITE_DONE} Once mined, operation.result has tokenId and clientId.`),
      ...writeResponses(),
    },
  });

  const rename = createRoute({
    method: "put",
    path: "/console/licenses/{tokenId}/alias",
    tags,
    summary: "Rename my license (setLicenseAlias)",
    security: SESSION_SECURITY,
    middleware,
    request: { params: TokenIdParams, body: body(RenameBody) },
    responses: { 202: json(OperationAnswer, WRITE_DONE), ...writeResponses() },
  });

  const keys = createRoute({
    method: "get",
    path: "/console/licenses/{tokenId}/keys",
    tags,
    summary: "My license's API keys: signer, label, enabledAt, expiresAt, expired, expiresSoon",
    security: SESSION_SECURITY,
    middleware,
    request: { params: TokenIdParams },
    responses: {
      200: json(KeyList, "Current signers (a revoked key is gone; an expired one stays, renewable)"),
      ...sessionErrors,
      ...errors({ 403: NOT_MINE }),
      ...notFoundError,
      ...commonErrors,
    },
  });

  const generateKey = createRoute({
    method: "post",
    path: "/console/licenses/{tokenId}/keys",
    tags,
    summary: "Generate an API key: a fresh key made on the server, its address enabled as a signer",
    description: `The private key is in this answer ONLY (never stored, never logged). ${KEY_WARNING}`,
    security: SESSION_SECURITY,
    middleware,
    request: { params: TokenIdParams, body: body(KeyBody) },
    responses: { 202: json(GeneratedKeyAnswer, WRITE_DONE), ...writeResponses() },
  });

  const renewKey = createRoute({
    method: "post",
    path: "/console/licenses/{tokenId}/keys/{address}/renew",
    tags,
    summary: "Renew an API key (enableSigner again: its validity restarts now, expired or not)",
    security: SESSION_SECURITY,
    middleware,
    request: { params: KeyParams },
    responses: { 202: json(OperationAnswer, WRITE_DONE), ...writeResponses() },
  });

  const revokeKey = createRoute({
    method: "delete",
    path: "/console/licenses/{tokenId}/keys/{address}",
    tags,
    summary: "Revoke an API key (disableSigner)",
    security: SESSION_SECURITY,
    middleware,
    request: { params: KeyParams },
    responses: { 202: json(OperationAnswer, WRITE_DONE), ...writeResponses() },
  });

  const addUri = createRoute({
    method: "post",
    path: "/console/licenses/{tokenId}/redirect-uris",
    tags,
    summary:
      "Add a redirect URI, stored and matched EXACTLY as given (warnings flag normalization surprises)",
    security: SESSION_SECURITY,
    middleware,
    request: { params: TokenIdParams, body: body(RedirectUriBody) },
    responses: { 202: json(OperationAnswer, WRITE_DONE), ...writeResponses() },
  });

  const removeUri = createRoute({
    method: "delete",
    path: "/console/licenses/{tokenId}/redirect-uris",
    tags,
    summary: "Remove a redirect URI (exact match; a near miss is named in the 404)",
    description: "The URI goes in a JSON body `{uri}` or, percent-encoded, in `?uri=`.",
    security: SESSION_SECURITY,
    middleware,
    request: { params: TokenIdParams, query: UriQuery },
    responses: { 202: json(OperationAnswer, WRITE_DONE), ...writeResponses() },
  });

  const me = (c: { var: { account: { id: string } } }) => c.var.account.id;

  app.openapi(create, async (c) => {
    const operation = await needOps(s.operations).licenses.createLicense(me(c), c.req.valid("json"));
    return c.json({ operation, warnings: [] }, 202);
  });

  app.openapi(rename, async (c) => {
    const operation = await needOps(s.operations).licenses.rename(
      me(c),
      c.req.valid("param").tokenId,
      c.req.valid("json").alias,
    );
    return c.json({ operation, warnings: [] }, 202);
  });

  app.openapi(keys, async (c) => {
    needOps(s.operations);
    const view = await s.licenses.privateView(me(c), c.req.valid("param").tokenId, { limit: 1 });
    return c.json({ items: view.signers }, 200);
  });

  app.openapi(generateKey, async (c) => {
    const { operation, apiKey } = await needOps(s.operations).licenses.generateKey(
      me(c),
      c.req.valid("param").tokenId,
      c.req.valid("json").label,
    );
    return c.json({ operation, apiKey, warnings: [KEY_WARNING] }, 202);
  });

  app.openapi(renewKey, async (c) => {
    const { tokenId, address } = c.req.valid("param");
    const operation = await needOps(s.operations).licenses.renewKey(me(c), tokenId, address);
    return c.json({ operation, warnings: [] }, 202);
  });

  app.openapi(revokeKey, async (c) => {
    const { tokenId, address } = c.req.valid("param");
    const operation = await needOps(s.operations).licenses.revokeKey(me(c), tokenId, address);
    return c.json({ operation, warnings: [] }, 202);
  });

  app.openapi(addUri, async (c) => {
    const answer = await needOps(s.operations).licenses.addRedirectUri(
      me(c),
      c.req.valid("param").tokenId,
      c.req.valid("json").uri,
    );
    return c.json(answer, 202);
  });

  app.openapi(removeUri, async (c) => {
    const uri = c.req.valid("query").uri ?? (await uriFromBody(c.req.raw));
    const operation = await needOps(s.operations).licenses.removeRedirectUri(
      me(c),
      c.req.valid("param").tokenId,
      uri,
    );
    return c.json({ operation, warnings: [] }, 202);
  });
}

/** `{uri}` from a DELETE's JSON body (the query form is the other way to send it). */
async function uriFromBody(request: Request): Promise<string> {
  let parsed: unknown;
  try {
    parsed = await request.json();
  } catch {
    throw new InvalidRequestError('uri is required: send {"uri": …} as JSON or ?uri=');
  }
  const uri = (parsed as { uri?: unknown } | null)?.uri;
  if (typeof uri !== "string" || uri === "") throw new InvalidRequestError("uri is required");
  return uri;
}
