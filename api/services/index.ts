import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Config } from "../../config/env";
import type { Database } from "../db/database";
import type { ReadReplicas } from "../db/replicas";
import { UnavailableError } from "../errors";
import type { ChainHead } from "../lib/chainHead";
import { CursorCodec } from "../lib/cursor";
import { deriveKey } from "../lib/secret";
import { loadWalletKey, type WalletKey } from "../lib/walletKey";
import { type ExportService, exportService } from "./analysts/exports";
import { type TimeSeriesService, timeSeriesService } from "./analysts/timeseries";
import { type AccountService, accountService } from "./console/accounts/accounts";
import { type IdentityService, identityService } from "./console/accounts/identities";
import { type SessionService, sessionService } from "./console/accounts/sessions";
import { type ConsoleLicenseService, consoleLicenseService } from "./console/licenses/views";
import { type LicenseOperations, licenseOperations } from "./console/licenses/writes";
import { createMailer, type Mailer } from "./console/mailer";
import { type NoticeService, noticeService } from "./console/notices";
import { createOpsChain } from "./console/operations/chain";
import { type OperationEngine, operationEngine } from "./console/operations/engine";
import type { ConsoleSettings } from "./console/schemas";
import { consoleSettings } from "./console/settings";
import { type EmailCodeService, emailCodeService } from "./console/signIn/emailCodes";
import { type OAuthSignIn, oauthSignIn } from "./console/signIn/oauth";
import { oauthStateStore } from "./console/signIn/oauthStates";
import { type PasskeyService, passkeyService } from "./console/signIn/passkeys";
import { configuredProviders } from "./console/signIn/providers";
import { webauthnChallengeStore } from "./console/signIn/webauthnChallenges";
import { type DcxService, dcxService } from "./console/wallets/dcx";
import { type WalletLinkService, walletLinkService } from "./console/wallets/walletLinks";
import { type WalletService, walletService } from "./console/wallets/wallets";
import { type IdentityGraphql, identityService as identityGraphqlService } from "./identity/index";
import { type DeveloperService, developerService } from "./loginWithDimo/developers";
import { type ExchangeService, exchangeService } from "./loginWithDimo/exchange";
import { indexFreshness } from "./loginWithDimo/freshness";
import { type LoginService, loginService } from "./loginWithDimo/login";
import { type SigningKeys, signingKeys } from "./loginWithDimo/signingKeys";
import { type AliasService, aliasService } from "./public/aliases";
import type { ServiceContext } from "./public/context";
import { type EventService, eventService } from "./public/events";
import { type LicenseService, licenseService } from "./public/licenses";
import { type StatsService, statsService } from "./public/stats";
import { type VehicleService, vehicleService } from "./public/vehicles";
import { type RateLimiter, rateLimiter } from "./rateLimits";
import { type IndexerStatusService, indexerStatusService } from "./system/indexerStatus";

export type ServiceDeps = {
  db: Kysely<Database>;
  /** Wall clock for every expiry comparison (signers, grants, sessions); tests pin it. */
  clock: () => Date;
  /** Already redacting (api/http/redact.ts): services log what they like. */
  logger: Logger;
  config: Config;
  /** The chain's head block (api/lib/chainHead.ts caches the RPC answer ≤ 1 s). */
  chain: ChainHead;
  /** Root secret (api/lib/secret.ts): cursors, CSRF, codes and signing keys use keys derived from it. */
  secret: Buffer;
  /** Managed-wallet encryption key; default: WALLET_ENCRYPTION_KEY or the DATA_DIR key file, on first use. */
  walletKey?: WalletKey;
  /** Default: SMTP_URL, else the dev mailbox in DATA_DIR on a local deployment, else none. */
  mailer?: Mailer;
  /** The chain console writes go to (operations); without it they answer 503. */
  rpcUrl?: string;
  /** The database `db` uses: streamed exports and the commit listener open their own connections. */
  databaseUrl?: string;
  /**
   * Hot standbys (DATABASE_READ_URL): public data, exports and time series read there; everything
   * else, access decisions included, stays on `db` (the primary). Operations wait for them.
   */
  replicas?: ReadReplicas;
};

/** The background work of an app: the operation follower (started by server.ts after listening). */
export type Background = { start(): void; stop(): Promise<void> };

export type PublicServices = {
  licenses: LicenseService;
  vehicles: VehicleService;
  events: EventService;
  aliases: AliasService;
  stats: StatsService;
};

export type AnalystServices = { exports: ExportService; timeseries: TimeSeriesService };

type SignInServices = {
  emailCodes: EmailCodeService;
  oauth: OAuthSignIn;
  passkeys: PasskeyService;
  /** Unauthenticated starts (provider redirects, passkey options) per client IP. */
  startsPerIp: RateLimiter;
  stateTtlSeconds: number;
};

/** Console writes: null when this API has no chain to write to (the routes answer 503). */
export type OperationServices = {
  engine: OperationEngine;
  licenses: LicenseOperations;
  dcx: DcxService;
};

export type ConsoleServices = {
  accounts: AccountService;
  /** Security notices by email (new passkeys, wallets, API keys). */
  notices: NoticeService;
  identities: IdentityService;
  sessions: SessionService;
  signIn: SignInServices;
  wallets: WalletService;
  walletLinks: WalletLinkService;
  licenses: ConsoleLicenseService;
  operations: OperationServices | null;
  /** Sign-in methods, network and contracts, for front ends (GET /console/settings). */
  settings: ConsoleSettings;
};

export type LoginWithDimoServices = {
  keys: SigningKeys;
  /** Developer JWTs presented back to us (token exchange). */
  developers: DeveloperService;
  login: LoginService;
  exchange: ExchangeService;
  /** Challenges per client IP, per (client id, IP) and per client id (api/routes/loginWithDimo/index.ts). */
  challengeLimit: RateLimiter;
};

export type Services = {
  public: PublicServices;
  /** identity-api's GraphQL schema over the public services (POST /query). */
  identity: IdentityGraphql;
  system: { indexer: IndexerStatusService; replicas: ReadReplicas | null };
  analysts: AnalystServices;
  console: ConsoleServices;
  loginWithDimo: LoginWithDimoServices;
  background: Background;
};

const IDLE: Background = { start() {}, stop: async () => {} };

/**
 * The one place services are built: each from its dependencies, in dependency order. Routes receive
 * these and never build their own; nothing here knows about HTTP.
 */
export function createServices(deps: ServiceDeps): Services {
  const { db, clock, logger, config } = deps;
  const devLicense = config.chain.devLicense.toLowerCase();
  const cursors = new CursorCodec(deriveKey(deps.secret, "cursor"));
  const ctx: ServiceContext = { db, clock, cursors, devLicense };
  const publicOn = (c: ServiceContext): PublicServices => ({
    licenses: licenseService(c),
    vehicles: vehicleService(c),
    events: eventService(c),
    aliases: aliasService(c),
    stats: statsService(c),
  });

  // Public data and analysts: the indexed `dimo` views, on a hot standby when there is one. The
  // console's own views of licenses read the primary: they decide who may see and manage what.
  const replicas = deps.replicas ?? null;
  const readCtx: ServiceContext = replicas ? { ...ctx, db: replicas.db } : ctx;
  const publicServices = publicOn(readCtx);
  const consolePublic = replicas ? publicOn(ctx) : publicServices;
  const indexer = indexerStatusService({
    db,
    chain: deps.chain,
    chainId: config.chain.chainId,
    maxLagBlocks: config.api.readyMaxLagBlocks,
  });
  const analysts: AnalystServices = {
    exports: exportService(
      replicas && deps.databaseUrl
        ? { urls: () => replicas.readUrls(), failed: (standby) => replicas.failed(standby) }
        : deps.databaseUrl,
      devLicense,
      {
        maxConcurrent: config.api.exports.maxConcurrent,
        maxPerIp: config.api.exports.maxPerIp,
        minBytesPerSecond: config.api.exports.minBytesPerSecond,
        maxDurationMs: config.api.exports.maxSeconds * 1000,
      },
    ),
    timeseries: timeSeriesService(readCtx),
  };

  // Console: accounts, sign-in, wallets, licenses, operations.
  const c = config.console;
  const limiter = (prefix: string, points: number) =>
    rateLimiter(db, {
      table: "account_rate_limits",
      prefix,
      points,
      windowSeconds: c.rateLimits.windowSeconds,
    });
  let walletKey = deps.walletKey;
  const wallets = walletService({
    db,
    clock,
    walletKey: () => {
      walletKey ??= loadWalletKey({
        fromEnv: c.walletEncryptionKey,
        fromFile: c.walletEncryptionKeyFile,
        dataDir: config.dataDir,
      });
      return walletKey;
    },
  });
  const accounts = accountService({ db, clock, wallets });
  const identities = identityService({ db, clock });
  const sessions = sessionService({
    db,
    clock,
    csrfKey: deriveKey(deps.secret, "csrf"),
    idleSeconds: c.sessionIdleSeconds,
    maxSeconds: c.sessionMaxSeconds,
  });
  const signInCfg = config.signIn;
  // No SMTP outside a local deployment: no mail at all (email sign-in answers 503).
  const mailer =
    deps.mailer ??
    (c.mail === "off"
      ? null
      : createMailer({ smtpUrl: c.smtpUrl, from: c.smtpFrom, dataDir: config.dataDir, logger }));
  const notices = noticeService({ db, mailer, clock, publicUrl: config.publicUrl, logger });
  const signIn: SignInServices = {
    emailCodes: emailCodeService({
      db,
      clock,
      key: deriveKey(deps.secret, "email-code"),
      mailer,
      limits: { limiter: limiter("email_code", 0), ...c.rateLimits },
      logger,
    }),
    oauth: oauthSignIn({
      providers: configuredProviders(signInCfg),
      states: oauthStateStore({ db, clock, ttlSeconds: signInCfg.stateTtlSeconds }),
      accounts,
      identities,
      publicUrl: config.publicUrl,
      sessionIdleSeconds: sessions.idleSeconds,
    }),
    passkeys: passkeyService({
      db,
      clock,
      challenges: webauthnChallengeStore({ db, clock, ttlSeconds: signInCfg.passkeys.challengeTtlSeconds }),
      rpId: signInCfg.passkeys.rpId,
      rpName: signInCfg.passkeys.rpName,
      origins: signInCfg.passkeys.origins,
      notices,
    }),
    startsPerIp: limiter("signin_ip", signInCfg.rateLimitPerIp),
    stateTtlSeconds: signInCfg.stateTtlSeconds,
  };
  const consoleLicenses = consoleLicenseService({
    db,
    clock,
    licenses: consolePublic.licenses,
    vehicles: consolePublic.vehicles,
    events: consolePublic.events,
    wallets,
    warningDays: c.signerExpiryWarningDays,
  });
  let operations: OperationServices | null = null;
  let background = IDLE;
  if (deps.rpcUrl) {
    const engine = operationEngine({
      db,
      clock,
      logger: logger.child({ module: "operations" }),
      chain: createOpsChain(deps.rpcUrl, { ...config.chain, rpcUrl: deps.rpcUrl }),
      wallets,
      options: config.operations,
      ...(deps.databaseUrl ? { databaseUrl: deps.databaseUrl } : {}),
      ...(replicas ? { replicas } : {}),
    });
    operations = {
      engine,
      licenses: licenseOperations({ db, clock, engine, wallets, notices }),
      dcx: dcxService({ engine, wallets }),
    };
    background = engine.background;
  }

  // Login with DIMO: signing keys, challenges → developer JWTs, vehicle token exchange.
  const login = config.login;
  const keys = signingKeys({
    db,
    secret: deps.secret,
    clock,
    alg: login.jwtAlg,
    maxTokenLifetimeSeconds: Math.max(login.jwtTtlSeconds, login.exchangeTtlSeconds),
    logger,
  });
  const freshness = indexFreshness({ status: indexer.status, maxLagBlocks: login.maxIndexerLagBlocks });
  const loginWithDimo: LoginWithDimoServices = {
    keys,
    developers: developerService({ db, keys, clock, issuer: config.publicUrl, devLicense, freshness }),
    login: loginService({
      db,
      clock,
      keys,
      issuer: config.publicUrl,
      chainId: config.chain.chainId,
      devLicense,
      jwtTtlSeconds: login.jwtTtlSeconds,
      challengeTtlSeconds: login.challengeTtlSeconds,
      freshness,
    }),
    exchange: exchangeService({
      db,
      clock,
      keys,
      issuer: config.publicUrl,
      chainId: config.chain.chainId,
      vehicleId: config.chain.vehicleId,
      ttlSeconds: login.exchangeTtlSeconds,
    }),
    challengeLimit: rateLimiter(db, {
      table: "login_rate_limit",
      prefix: "login",
      points: 0,
      windowSeconds: 60,
    }),
  };

  // Stopping also waits for security notices still being mailed.
  const engineBackground = background;
  background = {
    start: () => engineBackground.start(),
    stop: async () => {
      await engineBackground.stop();
      await notices.settled();
    },
  };

  return {
    public: publicServices,
    identity: identityGraphqlService({
      licenses: publicServices.licenses,
      vehicles: publicServices.vehicles,
      chainId: config.chain.chainId,
      devLicense,
      vehicleId: config.chain.vehicleId,
    }),
    system: { indexer, replicas },
    analysts,
    console: {
      accounts,
      notices,
      identities,
      sessions,
      signIn,
      wallets,
      walletLinks: walletLinkService({
        db,
        clock,
        wallets,
        publicUrl: config.publicUrl,
        chainId: config.chain.chainId,
        notices,
      }),
      licenses: consoleLicenses,
      operations,
      settings: consoleSettings(config, mailer),
    },
    loginWithDimo,
    background,
  };
}

/** The operation services, or 503 when this API has no chain to write to. */
export function needOps(ops: OperationServices | null): OperationServices {
  if (!ops)
    throw new UnavailableError("Console writes are unavailable: this API has no chain RPC configured");
  return ops;
}
