import { createRoute, type z } from "@hono/zod-openapi";
import { json } from "../../http/openapi";
import type { ConsoleAuth } from "../../http/session";
import type { ApiApp } from "../../http/types";
import type { Account } from "../../services/console/accounts/accounts";
import type { Session } from "../../services/console/accounts/sessions";
import type { ConsoleServices } from "../../services/index";
import { Me, SESSION_SECURITY, sessionErrors } from "./schemas";

/** The signed-in account as GET /console/me (and sign-in) answers it. */
export async function meOf(
  s: ConsoleServices,
  account: Account,
  session: Session,
  csrfToken: string,
): Promise<z.infer<typeof Me>> {
  const idleEnd = session.lastSeenAt.getTime() + s.sessions.idleSeconds * 1000;
  return {
    id: account.id,
    email: account.email,
    createdAt: account.createdAt.toISOString(),
    wallets: await s.wallets.list(account.id),
    csrfToken,
    session: {
      createdAt: session.createdAt.toISOString(),
      expiresAt: session.expiresAt.toISOString(),
      idleExpiresAt: new Date(Math.min(idleEnd, session.expiresAt.getTime())).toISOString(),
    },
  };
}

export function registerAccountRoutes(app: ApiApp, s: ConsoleServices, auth: ConsoleAuth) {
  const me = createRoute({
    method: "get",
    path: "/console/me",
    tags: ["Console accounts"],
    summary: "The signed-in account: email, wallets, CSRF token and session expiry",
    security: SESSION_SECURITY,
    middleware: auth.requireSession,
    responses: { 200: json(Me, "The account"), ...sessionErrors },
  });
  app.openapi(me, async (c) => {
    const { account, session } = c.var;
    return c.json(await meOf(s, account, session, s.sessions.csrfToken(session.id)), 200);
  });
}
