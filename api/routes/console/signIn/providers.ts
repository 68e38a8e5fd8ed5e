import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { commonErrors, errors, rateLimitedError } from "../../../http/openapi";
import type { ConsoleAuth } from "../../../http/session";
import type { ApiApp } from "../../../http/types";
import { safeReturnTo } from "../../../services/console/signIn/returnTo";
import type { ConsoleServices } from "../../../services/index";
import { CallbackQuery, ProviderParams, StartQuery } from "./schemas";

const tags = ["Console sign-in"];
/** Binds a started provider sign-in to the browser that started it (login-CSRF defence). */
const BROWSER_COOKIE = "dimo_oauth";

const redirect = (description: string) => ({
  description,
  headers: { Location: { schema: { type: "string" as const }, description: "Where the browser goes next" } },
});

const start = createRoute({
  method: "get",
  path: "/console/auth/{provider}/start",
  tags,
  summary: "Sign in (or, when signed in, link) with Google, Apple or GitHub: redirects to the provider",
  description:
    "Without a session this signs in: a known email signs into its account, an unknown one gets a new account with " +
    "a managed wallet. With a session it links the provider to this account, only when the provider's verified " +
    "email is the account's. Uses authorization code + PKCE (S256) + state (+ nonce for Google/Apple), kept " +
    "server-side and bound to this browser by an httpOnly cookie. 404 when the provider is not configured.",
  request: { params: ProviderParams, query: StartQuery },
  responses: {
    302: redirect("To the provider's authorization page"),
    ...errors({ 404: "Unknown provider, or `provider google is not configured`" }),
    ...rateLimitedError,
    ...commonErrors,
  },
});

const callbackResponses = {
  302: redirect("Signed in (session cookie set) or linked: back to returnTo"),
  ...errors({
    403: "The provider refused, its email is unverified, or it differs from the account's (reason `email_mismatch`)",
    404: "Unknown or unconfigured provider",
    409: "This provider account is already linked to another console account",
  }),
  ...commonErrors,
};

const callbackGet = createRoute({
  method: "get",
  path: "/console/auth/{provider}/callback",
  tags,
  summary: "Where Google and GitHub send the browser back (register this URL at the provider)",
  description:
    "Validates state (single use, this browser's), exchanges the code with the PKCE verifier, validates the ID token " +
    "(issuer, audience, nonce, expiry, signature against the provider's JWKS) or, for GitHub, reads the primary " +
    "verified email. Errors are the JSON error envelope with a 4xx status; success redirects to returnTo.",
  request: { params: ProviderParams, query: CallbackQuery },
  responses: callbackResponses,
});

const callbackPost = createRoute({
  method: "post",
  path: "/console/auth/{provider}/callback",
  tags,
  summary: "Where Apple posts the browser back (response_mode=form_post)",
  request: {
    params: ProviderParams,
    body: { content: { "application/x-www-form-urlencoded": { schema: CallbackQuery } }, required: true },
  },
  responses: callbackResponses,
});

function answerOf(fields: Record<string, string | undefined>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) params.set(k, v);
  return params;
}

export function registerProviderRoutes(app: ApiApp, s: ConsoleServices, auth: ConsoleAuth) {
  const { publicUrl, corsOrigins, secure } = auth;
  const { signIn } = s;
  const prefix = secure ? ({ prefix: "host" } as const) : {};
  const readBrowser = (c: Context) =>
    secure ? getCookie(c, BROWSER_COOKIE, "host") : getCookie(c, BROWSER_COOKIE);

  async function finish(c: Context, provider: string, answer: URLSearchParams, status: 302 | 303) {
    const outcome = await signIn.oauth.callback(provider, answer, readBrowser(c));
    if (!outcome.linked) await auth.signIn(c, outcome.accountId);
    return c.redirect(outcome.returnTo, status);
  }

  app.openapi(start, async (c) => {
    const { provider } = c.req.valid("param");
    signIn.oauth.provider(provider); // 404 before anything is counted or stored
    const returnTo = safeReturnTo(c.req.valid("query").returnTo, publicUrl, corsOrigins);
    await s.signIn.startsPerIp.consume(
      auth.ip(c),
      "Too many sign-in attempts from this address; try again later",
    );
    const token = auth.readToken(c);
    const signedIn = token ? await s.sessions.authenticate(token) : null;
    const { url, browserToken } = await signIn.oauth.start(provider, {
      returnTo,
      browserToken: readBrowser(c),
      link: signedIn ? { accountId: signedIn.account.id, sessionId: signedIn.session.id } : null,
    });
    setCookie(c, BROWSER_COOKIE, browserToken, {
      path: "/",
      httpOnly: true,
      secure,
      // Apple answers with a cross-site POST: a Lax cookie would not come along with it.
      sameSite: secure ? "None" : "Lax",
      maxAge: signIn.stateTtlSeconds,
      ...prefix,
    });
    return c.redirect(url, 302);
  });

  app.openapi(callbackGet, async (c) =>
    finish(c, c.req.valid("param").provider, answerOf(c.req.valid("query")), 302),
  );

  // 303: the browser follows a POST's redirect with a GET.
  app.openapi(callbackPost, async (c) =>
    finish(c, c.req.valid("param").provider, answerOf(c.req.valid("form")), 303),
  );
}
