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
  /** Challenges per minute per IP, per (client id, IP), and per client id from all IPs; 0 = unlimited. */
  perIp: number;
  perClient: number;
  perClientGlobal: number;
};

/**
 * Login with DIMO: challenges → developer JWTs, keys and discovery, token exchange. Client ids are
 * public, so the per-client challenge limit is kept per (client id, IP): one address asking for a
 * license's challenges only uses up its own allowance. The global per-client ceiling (high, and
 * counted only for challenges the other limits let through) bounds the challenges one license can
 * pile up from many addresses. Counting only redeemed challenges instead would leave the
 * unredeemed ones (rows, signatures asked of nobody) unbounded per license.
 */
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
          { key: `client_ip:${clientKey.toLowerCase()}|${o.ip(c)}`, points: o.perClient },
          { key: `client:${clientKey.toLowerCase()}`, points: o.perClientGlobal, ceiling: true },
        ],
        "Too many login challenges; try again later",
      ),
  });
  registerExchangeRoutes(app, s);
}
