import { createRoute } from "@hono/zod-openapi";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { UnauthenticatedError } from "../../../errors";
import { commonErrors, errors, json, rateLimitedError } from "../../../http/openapi";
import type { ConsoleAuth } from "../../../http/session";
import type { ApiApp } from "../../../http/types";
import { Passkey } from "../../../services/console/schemas";
import type { ConsoleServices } from "../../../services/index";
import { meOf } from "../accounts";
import { Me, SESSION_SECURITY, sessionErrors } from "../schemas";
import {
  AuthVerifyBody,
  CreationOptions,
  PasskeyIdParams,
  PasskeyList,
  RegisterVerifyBody,
  RequestOptions,
} from "./schemas";

const tags = ["Console passkeys"];

export function registerPasskeyRoutes(app: ApiApp, s: ConsoleServices, auth: ConsoleAuth) {
  const { signIn } = s;
  const middleware = auth.requireSession;
  const { passkeys } = signIn;

  const registerOptions = createRoute({
    method: "post",
    path: "/console/passkeys/register/options",
    tags,
    summary: "WebAuthn registration options for a new passkey on my account",
    description:
      "RP id is PUBLIC_URL's host (or WEBAUTHN_RP_ID); a discoverable credential with user verification is asked " +
      "for; my existing passkeys are excluded. The challenge is single-use and expires (WEBAUTHN_CHALLENGE_TTL_SECONDS). " +
      "Needs a sign-in within the last 5 minutes (else 403 with details.reason `reauthenticate`: sign in again first).",
    security: SESSION_SECURITY,
    middleware,
    responses: {
      200: json(CreationOptions, "Pass to navigator.credentials.create (via startRegistration)"),
      ...sessionErrors,
      ...errors({ 409: "Too many passkeys on this account" }),
    },
  });

  const registerVerify = createRoute({
    method: "post",
    path: "/console/passkeys/register/verify",
    tags,
    summary: "Store the new passkey from the authenticator's answer",
    description:
      "Checks challenge (spent by this attempt), origin (PUBLIC_URL or WEBAUTHN_ORIGINS), RP id and user verification. " +
      "Needs a sign-in within the last 5 minutes (else 403). The account's email gets a notice.",
    security: SESSION_SECURITY,
    middleware,
    request: { body: { content: { "application/json": { schema: RegisterVerifyBody } }, required: true } },
    responses: {
      201: json(Passkey, "Registered"),
      ...sessionErrors,
      ...errors({ 409: "This passkey is already registered" }),
      ...commonErrors,
    },
  });

  const list = createRoute({
    method: "get",
    path: "/console/passkeys",
    tags,
    summary: "My passkeys",
    security: SESSION_SECURITY,
    middleware,
    responses: { 200: json(PasskeyList, "Oldest first"), ...sessionErrors },
  });

  const remove = createRoute({
    method: "delete",
    path: "/console/passkeys/{id}",
    tags,
    summary: "Remove one of my passkeys: it can no longer sign in",
    security: SESSION_SECURITY,
    middleware,
    request: { params: PasskeyIdParams },
    responses: {
      204: { description: "Removed" },
      ...sessionErrors,
      ...errors({ 404: "Not a passkey of mine" }),
      ...commonErrors,
    },
  });

  const authOptions = createRoute({
    method: "post",
    path: "/console/auth/passkey/options",
    tags,
    summary: "WebAuthn sign-in options (no email asked: the authenticator offers its passkey for this site)",
    responses: {
      200: json(RequestOptions, "Pass to navigator.credentials.get (via startAuthentication)"),
      ...rateLimitedError,
      ...commonErrors,
    },
  });

  const authVerify = createRoute({
    method: "post",
    path: "/console/auth/passkey/verify",
    tags,
    summary: "Sign in with a passkey's assertion: sets the session cookie",
    description:
      "Checks challenge (single use), origin, RP id, user verification, the signature against the stored public key " +
      "and the signature counter. Any failure is 401 with the reason; the answer never names an email.",
    request: { body: { content: { "application/json": { schema: AuthVerifyBody } }, required: true } },
    responses: {
      200: json(Me, "Signed in"),
      ...errors({
        401: "Unknown, removed or invalid passkey, or a spent/expired challenge (code `unauthenticated`)",
      }),
      ...commonErrors,
    },
  });

  app.openapi(registerOptions, async (c) =>
    c.json(await passkeys.registrationOptions(c.var.account, c.var.session), 200),
  );

  app.openapi(registerVerify, async (c) => {
    const { response, label } = c.req.valid("json");
    const created = await passkeys.verifyRegistration(
      c.var.account,
      c.var.session,
      response as unknown as RegistrationResponseJSON,
      label,
    );
    return c.json(created, 201);
  });

  app.openapi(list, async (c) => c.json({ items: await passkeys.list(c.var.account.id) }, 200));

  app.openapi(remove, async (c) => {
    await passkeys.remove(c.var.account.id, c.req.valid("param").id);
    return c.body(null, 204);
  });

  app.openapi(authOptions, async (c) => {
    await s.signIn.startsPerIp.consume(
      auth.ip(c),
      "Too many sign-in attempts from this address; try again later",
    );
    return c.json(await passkeys.authenticationOptions(), 200);
  });

  app.openapi(authVerify, async (c) => {
    const { response } = c.req.valid("json");
    const accountId = await passkeys.verifyAuthentication(response as AuthenticationResponseJSON);
    const account = await s.accounts.byId(accountId);
    if (!account) throw new UnauthenticatedError("This passkey's account no longer exists");
    const { session, csrfToken } = await auth.signIn(c, account.id);
    return c.json(await meOf(s, account, session, csrfToken), 200);
  });
}
