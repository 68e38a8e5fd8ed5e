import { createRoute, z } from "@hono/zod-openapi";
import { commonErrors, errors, json } from "../../http/openapi";
import { addressSchema } from "../../http/schemas";
import type { ConsoleAuth } from "../../http/session";
import type { ApiApp } from "../../http/types";
import { SiweChallenge, Wallet } from "../../services/console/schemas";
import type { ConsoleServices } from "../../services/index";
import { LinkBody, NonceBody, SESSION_SECURITY, sessionErrors, WalletList } from "./schemas";

const tags = ["Console wallets"];

export function registerWalletRoutes(app: ApiApp, s: ConsoleServices, auth: ConsoleAuth) {
  const middleware = auth.requireSession;

  const list = createRoute({
    method: "get",
    path: "/console/wallets",
    tags,
    summary: "My wallets: the managed one first, then linked external wallets",
    security: SESSION_SECURITY,
    middleware,
    responses: { 200: json(WalletList, "The wallets"), ...sessionErrors },
  });

  const nonce = createRoute({
    method: "post",
    path: "/console/wallets/siwe/nonce",
    tags,
    summary: "A single-use SIWE (EIP-4361) nonce, and the message to sign when `address` is given",
    description: "The nonce is bound to this account and expires in 10 minutes; it serves one link attempt.",
    security: SESSION_SECURITY,
    middleware,
    request: { body: { content: { "application/json": { schema: NonceBody } }, required: false } },
    responses: {
      201: json(SiweChallenge, "Sign the message with the wallet to link"),
      ...sessionErrors,
      ...commonErrors,
    },
  });

  const link = createRoute({
    method: "post",
    path: "/console/wallets/link",
    tags,
    summary: "Link an external wallet by its signature of the SIWE message",
    description:
      "Checks domain (PUBLIC_URL's host), URI, chain id, version, expiry and the nonce (spent by this attempt), " +
      "then recovers the EOA signer. Linking an address already linked to another account is 409.",
    security: SESSION_SECURITY,
    middleware,
    request: { body: { content: { "application/json": { schema: LinkBody } }, required: true } },
    responses: {
      200: json(Wallet, "Linked (or already linked to this account)"),
      ...sessionErrors,
      ...errors({ 409: "The address is a wallet of another account" }),
      ...commonErrors,
    },
  });

  const remove = createRoute({
    method: "delete",
    path: "/console/wallets/{address}",
    tags,
    summary: "Unlink one of my external wallets (the managed wallet stays)",
    security: SESSION_SECURITY,
    middleware,
    request: {
      params: z.object({ address: addressSchema("address", "path", "The external wallet to unlink") }),
    },
    responses: {
      204: { description: "Unlinked" },
      ...sessionErrors,
      ...errors({ 404: "Not a wallet of this account" }),
      ...commonErrors,
    },
  });

  app.openapi(list, async (c) => c.json({ items: await s.wallets.list(c.var.account.id) }, 200));

  app.openapi(nonce, async (c) => {
    // The body is optional: an empty POST asks for a bare nonce.
    const body = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : {};
    return c.json(await s.walletLinks.issueNonce(c.var.account.id, body?.address), 201);
  });

  app.openapi(link, async (c) => {
    const { message, signature } = c.req.valid("json");
    return c.json(await s.walletLinks.link(c.var.account.id, message, signature), 200);
  });

  app.openapi(remove, async (c) => {
    await s.wallets.removeExternal(c.var.account.id, c.req.valid("param").address);
    return c.body(null, 204);
  });
}
