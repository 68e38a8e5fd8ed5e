import { createRoute } from "@hono/zod-openapi";
import { commonErrors, errors, json, rateLimitedError } from "../../../http/openapi";
import type { ConsoleAuth } from "../../../http/session";
import type { ApiApp } from "../../../http/types";
import { CODE_TTL_SECONDS } from "../../../services/console/signIn/emailCodes";
import type { ConsoleServices } from "../../../services/index";
import { meOf } from "../accounts";
import {
  CodeSent,
  CsrfToken,
  EmailBody,
  Me,
  SESSION_SECURITY,
  SignedOutAll,
  sessionErrors,
  VerifyBody,
} from "../schemas";

const tags = ["Console accounts"];

const start = createRoute({
  method: "post",
  path: "/console/auth/email/start",
  tags,
  summary: "Email a one-time sign-in code (same answer whether or not the address has an account)",
  description:
    "Limited per client IP and per (email, IP) each hour, and per email each day (429). 503 `unavailable` when " +
    "email sign-in is off: no SMTP_URL on a deployment that is not local (docs/security.md).",
  request: { body: { content: { "application/json": { schema: EmailBody } }, required: true } },
  responses: {
    202: json(CodeSent, "Code sent if the address can receive mail"),
    ...rateLimitedError,
    ...commonErrors,
  },
});

const verify = createRoute({
  method: "post",
  path: "/console/auth/email/verify",
  tags,
  summary: "Sign in with the emailed code: creates the account (with a managed wallet) on first sign-in",
  description:
    "Sets the session cookie (any session cookie sent along is revoked) and returns the account with its CSRF token. " +
    "A wrong, expired or used code is 401; after 5 wrong codes the code is dead (429) and a new one must be requested.",
  request: { body: { content: { "application/json": { schema: VerifyBody } }, required: true } },
  responses: {
    200: json(Me, "Signed in"),
    ...errors({ 401: "Invalid, expired or already used code (code `unauthenticated`)" }),
    ...rateLimitedError,
    ...commonErrors,
  },
});

const signout = createRoute({
  method: "post",
  path: "/console/auth/signout",
  tags,
  summary: "Sign out this session",
  security: SESSION_SECURITY,
  responses: { 204: { description: "Signed out; the cookie is cleared" }, ...sessionErrors },
});

const signoutAll = createRoute({
  method: "post",
  path: "/console/auth/signout-all",
  tags,
  summary: "Sign out every session of this account (all browsers and devices)",
  security: SESSION_SECURITY,
  responses: { 200: json(SignedOutAll, "How many sessions were ended"), ...sessionErrors },
});

const csrf = createRoute({
  method: "get",
  path: "/console/auth/csrf",
  tags,
  summary: "This session's CSRF token (also in GET /console/me)",
  security: SESSION_SECURITY,
  responses: { 200: json(CsrfToken, "Send it as X-CSRF-Token with every write"), ...sessionErrors },
});

const CODE_SENT = {
  status: "sent" as const,
  message: `If this address can receive email, a 6-digit sign-in code is on its way; it expires in ${CODE_TTL_SECONDS / 60} minutes.`,
};

export function registerEmailCodeRoutes(app: ApiApp, s: ConsoleServices, auth: ConsoleAuth) {
  app.openapi(start, async (c) => {
    const { email } = c.req.valid("json");
    await s.signIn.emailCodes.request(email, auth.ip(c));
    return c.json(CODE_SENT, 202);
  });

  app.openapi(verify, async (c) => {
    const { email, code } = c.req.valid("json");
    const verified = await s.signIn.emailCodes.verify(email, code, auth.ip(c));
    const { account } = await s.accounts.signInWithVerifiedEmail(verified);
    const { session, csrfToken } = await auth.signIn(c, account.id);
    return c.json(await meOf(s, account, session, csrfToken), 200);
  });

  app.openapi({ ...signout, middleware: auth.requireSession }, async (c) => {
    await s.sessions.revoke(c.var.session.id);
    auth.clearCookie(c);
    return c.body(null, 204);
  });

  app.openapi({ ...signoutAll, middleware: auth.requireSession }, async (c) => {
    const revoked = await s.sessions.revokeAll(c.var.account.id);
    auth.clearCookie(c);
    return c.json({ revoked }, 200);
  });

  app.openapi({ ...csrf, middleware: auth.requireSession }, async (c) =>
    c.json({ csrfToken: s.sessions.csrfToken(c.var.session.id) }, 200),
  );
}
