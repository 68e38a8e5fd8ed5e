import type { Kysely } from "kysely";
import type { Config } from "../../../config/env";
import type { Database } from "../../db/database";
import type { AccountService } from "../accounts";
import type { IdentityService } from "../identities";
import { type Limiter, postgresLimiter } from "../rateLimits";
import type { SessionService } from "../sessions";
import { oauthSignIn } from "./oauth";
import { oauthStateStore } from "./oauthStates";
import { passkeyService } from "./passkeys";
import { configuredProviders } from "./providers";
import { webauthnChallengeStore } from "./webauthnChallenges";

export type SignInServiceDeps = {
  db: Kysely<Database>;
  clock: () => Date;
  config: Config;
  /** The console-accounts services these sign-in methods end in. */
  accounts: AccountService;
  identities: IdentityService;
  sessions: SessionService;
};

/** Google / Apple / GitHub sign-in and passkeys, on top of the console-accounts services. */
export function createSignInServices(deps: SignInServiceDeps) {
  const { db, clock, config } = deps;
  const cfg = config.signIn;
  const limit: Limiter =
    cfg.rateLimitPerIp > 0
      ? postgresLimiter(db, {
          prefix: "signin_ip",
          points: cfg.rateLimitPerIp,
          windowSeconds: config.console.rateLimits.windowSeconds,
        })
      : { consume: async () => {} };
  return {
    oauth: oauthSignIn({
      providers: configuredProviders(cfg),
      states: oauthStateStore({ db, clock, ttlSeconds: cfg.stateTtlSeconds }),
      accounts: deps.accounts,
      identities: deps.identities,
      publicUrl: config.publicUrl,
      sessionIdleSeconds: deps.sessions.idleSeconds,
    }),
    passkeys: passkeyService({
      db,
      clock,
      challenges: webauthnChallengeStore({ db, clock, ttlSeconds: cfg.passkeys.challengeTtlSeconds }),
      rpId: cfg.passkeys.rpId,
      rpName: cfg.passkeys.rpName,
      origins: cfg.passkeys.origins,
    }),
    /** Unauthenticated starts (provider redirects, passkey options) per client IP. */
    startsPerIp: limit,
    stateTtlSeconds: cfg.stateTtlSeconds,
  };
}

export type SignInServices = ReturnType<typeof createSignInServices>;
