import type { MiddlewareHandler } from "hono";
import { UnauthenticatedError } from "../errors";
import type { Developer, DeveloperService } from "../services/loginWithDimo/developers";
import type { AppEnv } from "./types";

export type DeveloperEnv = AppEnv & { Variables: AppEnv["Variables"] & { developer: Developer } };

const BEARER_RE = /^Bearer\s+([A-Za-z0-9_\-.]+=*)\s*$/i;

/**
 * `Authorization: Bearer <developer JWT>` for routes that act for a license; the service decides
 * (api/services/loginWithDimo/developers.ts). Sets `c.var.developer`.
 */
export function requireDeveloperJwt(developers: DeveloperService): MiddlewareHandler<DeveloperEnv> {
  return async (c, next) => {
    const match = BEARER_RE.exec(c.req.header("authorization") ?? "");
    if (!match) {
      c.header("WWW-Authenticate", 'Bearer realm="dimo-developer"');
      throw new UnauthenticatedError("A developer JWT is required: Authorization: Bearer <token>");
    }
    c.set("developer", await developers.authenticate(match[1]!));
    await next();
  };
}
