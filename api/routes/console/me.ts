import { createRoute } from "@hono/zod-openapi";
import { json, Me, SESSION_SECURITY, sessionErrors } from "../../http/consoleSchemas";
import type { ApiApp } from "../../http/types";
import type { Account } from "../../services/accounts";
import type { ConsoleServices } from "../../services/console";
import type { Session } from "../../services/sessions";

/** The signed-in account as GET /console/me (and sign-in) answers it. */
export async function meOf(s: ConsoleServices, account: Account, session: Session, csrfToken: string) {
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

export function registerConsoleMeRoutes(app: ApiApp, s: ConsoleServices) {
  const me = createRoute({
    method: "get",
    path: "/console/me",
    tags: ["Console accounts"],
    summary: "The signed-in account: email, wallets, CSRF token and session expiry",
    security: SESSION_SECURITY,
    middleware: s.auth.requireSession,
    responses: { 200: json(Me, "The account"), ...sessionErrors },
  });
  app.openapi(me, async (c) => {
    const { account, session } = c.var;
    return c.json(await meOf(s, account, session, s.sessions.csrfToken(session.id)), 200);
  });
}
