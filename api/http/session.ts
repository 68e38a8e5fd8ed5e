import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { RequestIdVariables } from "hono/request-id";
import { ForbiddenError, UnauthenticatedError } from "../errors";
import type { Account } from "../services/console/accounts/accounts";
import type { Session, SessionService } from "../services/console/accounts/sessions";
import { clientIp } from "./clientIp";

const SESSION_COOKIE = "dimo_session";
const CSRF_HEADER = "X-CSRF-Token";

type SessionVariables = { account: Account; session: Session };
/** The env of a route behind `requireSession`: `c.var.account`, `c.var.session`. */
type SessionEnv = { Variables: RequestIdVariables & SessionVariables };

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Apple posts its answer from its own origin (form_post); state + a browser-bound cookie guard it instead. */
const PROVIDER_CALLBACK = /^\/console\/auth\/[a-z]+\/callback$/;

const isLocalOrigin = (url: string): boolean => {
  const u = new URL(url);
  return u.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(u.hostname);
};

export type ConsoleAuthOptions = {
  sessions: SessionService;
  publicUrl: string;
  corsOrigins: string[];
  trustProxyHops: number;
};

/**
 * Cookie sessions over HTTP. Outside plain-http localhost the cookie is `__Host-dimo_session`
 * (Secure, Path=/, no Domain: no subdomain can plant or overwrite it); always httpOnly and
 * SameSite=Lax. Every cookie-authenticated write needs `X-CSRF-Token` (HMAC of the session id,
 * from GET /console/me or /console/auth/csrf), and a write whose Origin is not PUBLIC_URL's or a
 * CORS origin is refused before anything else.
 */
export function consoleAuth(opts: ConsoleAuthOptions) {
  const { sessions } = opts;
  const secure = !isLocalOrigin(opts.publicUrl);
  const prefix = secure ? ({ prefix: "host" } as const) : {};
  const allowedOrigins = new Set([new URL(opts.publicUrl).origin, ...opts.corsOrigins]);

  const readToken = (c: Context): string | undefined =>
    secure ? getCookie(c, SESSION_COOKIE, "host") : getCookie(c, SESSION_COOKIE);

  const clearCookie = (c: Context) => {
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure, httpOnly: true, sameSite: "Lax", ...prefix });
  };

  /** Writes from another site are refused; requests without Origin (curl, servers) pass on to CSRF. */
  const checkOrigin: MiddlewareHandler = async (c, next) => {
    const origin = c.req.header("origin");
    if (
      UNSAFE.has(c.req.method) &&
      origin !== undefined &&
      !allowedOrigins.has(origin) &&
      !PROVIDER_CALLBACK.test(c.req.path)
    ) {
      throw new ForbiddenError(`Cross-origin write refused: Origin ${origin} is not this console's`);
    }
    await next();
  };

  const requireSession: MiddlewareHandler<SessionEnv> = async (c, next) => {
    const token = readToken(c);
    if (!token) throw new UnauthenticatedError("Sign in first: no session cookie");
    const found = await sessions.authenticate(token);
    if (!found) {
      clearCookie(c);
      throw new UnauthenticatedError("Your session has expired or was signed out; sign in again");
    }
    if (UNSAFE.has(c.req.method)) {
      const presented = c.req.header(CSRF_HEADER);
      if (!presented) {
        throw new ForbiddenError(
          `Missing ${CSRF_HEADER} header: send the csrfToken from GET /console/me with every write`,
        );
      }
      if (!sessions.checkCsrf(found.session.id, presented)) {
        throw new ForbiddenError(
          `Invalid ${CSRF_HEADER} for this session: fetch it again from GET /console/me`,
        );
      }
    }
    c.set("account", found.account);
    c.set("session", found.session);
    await next();
  };

  return {
    publicUrl: opts.publicUrl,
    corsOrigins: opts.corsOrigins,
    /** Outside plain-http localhost: Secure, `__Host-` cookies. */
    secure,
    checkOrigin,
    requireSession,
    clearCookie,
    /** The session cookie's token, if any (for routes whose session is optional). */
    readToken,
    ip: (c: Context) => clientIp(c, opts.trustProxyHops),

    /**
     * Starts a session for an account that just proved who it is (email code, OAuth, passkey):
     * any session cookie presented is revoked first (rotation), then a new one is set.
     */
    async signIn(c: Context, accountId: string): Promise<{ session: Session; csrfToken: string }> {
      const previous = readToken(c);
      if (previous) await sessions.revokeToken(previous);
      const { token, session } = await sessions.create(accountId, {
        userAgent: c.req.header("user-agent") ?? null,
        ip: clientIp(c, opts.trustProxyHops),
      });
      setCookie(c, SESSION_COOKIE, token, {
        path: "/",
        httpOnly: true,
        secure,
        sameSite: "Lax",
        maxAge: sessions.maxSeconds,
        ...prefix,
      });
      return { session, csrfToken: sessions.csrfToken(session.id) };
    },
  };
}

export type ConsoleAuth = ReturnType<typeof consoleAuth>;
