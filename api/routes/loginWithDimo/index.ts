import type { Context } from "hono";
import type { ApiApp } from "../../http/types";
import type { LoginWithDimoServices } from "../../services/index";
import type { JwtAlg } from "../../services/loginWithDimo/signingKeys";
import { registerChallengeRoutes } from "./challenges";
import { registerExchangeRoutes } from "./exchange";

export type LoginWithDimoRouteOptions = {
  issuer: string;
  alg: JwtAlg;
  /** The caller's IP as rate limits see it (api/http/clientIp.ts). */
  ip(c: Context): string;
  /** Challenges per minute per IP and per client id; 0 = unlimited. */
  perIp: number;
  perClient: number;
};

/** Login with DIMO: challenges → developer JWTs, keys and discovery, token exchange. */
export function registerLoginWithDimoRoutes(
  app: ApiApp,
  s: LoginWithDimoServices,
  o: LoginWithDimoRouteOptions,
) {
  registerChallengeRoutes(app, s, {
    issuer: o.issuer,
    alg: o.alg,
    limitChallenges: (c, clientKey) =>
      s.challengeLimit.consumeAll(
        [
          { key: `ip:${o.ip(c)}`, points: o.perIp },
          { key: `client:${clientKey.toLowerCase()}`, points: o.perClient },
        ],
        "Too many login challenges; try again later",
      ),
  });
  registerExchangeRoutes(app, s);
}
