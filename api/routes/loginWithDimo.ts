import type { AppDeps } from "../app";
import { requireDeveloperJwt } from "../http/developerJwt";
import { rateLimit } from "../http/rateLimit";
import type { ApiApp } from "../http/types";
import { exchangeService } from "../services/exchange";
import { loginService } from "../services/login/loginService";
import { signingKeys } from "../services/login/signingKeys";
import { registerAuthRoutes } from "./auth";
import { registerExchangeRoutes } from "./exchange";

/**
 * Builds Login with DIMO (signing keys, challenges, developer JWTs, token exchange) from the app's
 * dependencies and registers its routes. Returns what other routes reuse: the key service and a
 * ready `requireDeveloperJwt` middleware.
 */
export function registerLoginWithDimo(app: ApiApp, deps: AppDeps) {
  const { config, db, clock } = deps;
  const login = config.login;
  const issuer = config.publicUrl;
  const keys = signingKeys({
    db,
    secret: deps.secret,
    clock,
    alg: login.jwtAlg,
    maxTokenLifetimeSeconds: Math.max(login.jwtTtlSeconds, login.exchangeTtlSeconds),
    logger: deps.logger,
  });
  registerAuthRoutes(app, {
    login: loginService({
      db,
      clock,
      keys,
      issuer,
      chainId: config.chain.chainId,
      devLicense: config.chain.devLicense.toLowerCase(),
      jwtTtlSeconds: login.jwtTtlSeconds,
      challengeTtlSeconds: login.challengeTtlSeconds,
    }),
    keys,
    challengeLimit: rateLimit({
      db,
      name: "login",
      perIp: login.rateLimitPerIp,
      perClient: login.rateLimitPerClient,
      trustProxyHops: login.trustProxyHops,
    }),
    issuer,
    alg: login.jwtAlg,
  });
  registerExchangeRoutes(app, {
    exchange: exchangeService({
      db,
      clock,
      keys,
      issuer,
      chainId: config.chain.chainId,
      vehicleId: config.chain.vehicleId,
      ttlSeconds: login.exchangeTtlSeconds,
    }),
    keys,
    db,
    issuer,
  });
  return { keys, requireDeveloperJwt: requireDeveloperJwt({ keys, db, issuer }) };
}

export type LoginWithDimo = ReturnType<typeof registerLoginWithDimo>;
