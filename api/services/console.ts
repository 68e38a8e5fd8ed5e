import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Config } from "../../config/env";
import type { Database } from "../db/database";
import { consoleAuth } from "../http/session";
import { deriveKey } from "../lib/secret";
import { loadWalletKey, type WalletKey } from "../lib/walletKey";
import { accountService } from "./accounts";
import { consoleLicenseService } from "./consoleLicenses";
import { emailCodeService } from "./emailCodes";
import type { EventService } from "./events";
import { identityService } from "./identities";
import type { LicenseService } from "./licenses";
import { createMailer, type Mailer } from "./mailer";
import { postgresLimiter } from "./rateLimits";
import { sessionService } from "./sessions";
import type { VehicleService } from "./vehicles";
import { walletLinkService } from "./walletLinks";
import { walletService } from "./wallets";

export type ConsoleServiceDeps = {
  db: Kysely<Database>;
  clock: () => Date;
  logger: Logger;
  config: Config;
  secret: Buffer;
  /** Default: WALLET_ENCRYPTION_KEY, else `${DATA_DIR}/wallet-encryption.key`, loaded on first use. */
  walletKey?: WalletKey;
  /** Default: SMTP_URL, else the dev mailbox under DATA_DIR. */
  mailer?: Mailer;
  licenses: LicenseService;
  vehicles: VehicleService;
  events: EventService;
};

/** Accounts, sessions, sign-in codes, wallets and the console's license views, wired once per app. */
export function createConsoleServices(deps: ConsoleServiceDeps) {
  const { db, clock, logger, config } = deps;
  const c = config.console;
  let walletKey = deps.walletKey;
  const wallets = walletService({
    db,
    clock,
    walletKey: () => {
      walletKey ??= loadWalletKey({ fromEnv: c.walletEncryptionKey, dataDir: config.dataDir });
      return walletKey;
    },
  });
  const sessions = sessionService({
    db,
    clock,
    csrfKey: deriveKey(deps.secret, "csrf"),
    idleSeconds: c.sessionIdleSeconds,
    maxSeconds: c.sessionMaxSeconds,
  });
  const limiter = (prefix: string, points: number) =>
    postgresLimiter(db, { prefix, points, windowSeconds: c.rateLimits.windowSeconds });
  return {
    accounts: accountService({ db, clock, wallets }),
    identities: identityService({ db, clock }),
    sessions,
    wallets,
    walletLinks: walletLinkService({
      db,
      clock,
      wallets,
      publicUrl: config.publicUrl,
      chainId: config.chain.chainId,
    }),
    emailCodes: emailCodeService({
      db,
      clock,
      key: deriveKey(deps.secret, "email-code"),
      mailer:
        deps.mailer ??
        createMailer({ smtpUrl: c.smtpUrl, from: c.smtpFrom, dataDir: config.dataDir, logger }),
      limits: {
        codesPerEmail: limiter("code_email", c.rateLimits.codesPerEmail),
        codesPerIp: limiter("code_ip", c.rateLimits.codesPerIp),
        verifyPerEmail: limiter("verify_email", c.rateLimits.verifyPerEmail),
        verifyPerIp: limiter("verify_ip", c.rateLimits.verifyPerIp),
      },
      logger,
    }),
    licenses: consoleLicenseService({
      db,
      clock,
      licenses: deps.licenses,
      vehicles: deps.vehicles,
      events: deps.events,
      wallets,
      warningDays: c.signerExpiryWarningDays,
    }),
    /** HTTP side: requireSession, checkOrigin, signIn(c, accountId), clearCookie, ip. */
    auth: consoleAuth({
      sessions,
      publicUrl: config.publicUrl,
      corsOrigins: config.api.corsOrigins,
      trustProxyHops: c.trustProxyHops,
    }),
  };
}

export type ConsoleServices = ReturnType<typeof createConsoleServices>;
