import { OpenAPIHono } from "@hono/zod-openapi";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { Registry } from "prom-client";
import type { Config } from "../config/env";
import type { Database } from "./db/database";
import { errorHandler, notFoundHandler, validationHook } from "./http/errors";
import { observeRequests } from "./http/observe";
import { redactingLogger } from "./http/redact";
import type { ApiApp, AppEnv } from "./http/types";
import type { ChainHead } from "./lib/chainHead";
import { CursorCodec } from "./lib/cursor";
import { deriveKey } from "./lib/secret";
import type { WalletKey } from "./lib/walletKey";
import { registerAliasRoutes } from "./routes/aliases";
import { registerConsoleRoutes } from "./routes/console";
import { registerLicenseWriteRoutes } from "./routes/console/licenseWrites";
import { registerOperationRoutes } from "./routes/console/operations";
import { registerSignInRoutes } from "./routes/console/signIn";
import { registerDocsRoutes } from "./routes/docs";
import { registerExportRoutes } from "./routes/exports";
import { registerLicenseRoutes } from "./routes/licenses";
import { registerLoginWithDimo } from "./routes/loginWithDimo";
import { registerStatsRoutes } from "./routes/stats";
import { registerSystemRoutes } from "./routes/system";
import { registerVehicleRoutes } from "./routes/vehicles";
import { aliasService } from "./services/aliases";
import { createConsoleServices } from "./services/console";
import type { ServiceContext } from "./services/context";
import { eventService } from "./services/events";
import { indexerStatusService } from "./services/indexerStatus";
import { licenseService } from "./services/licenses";
import type { Mailer } from "./services/mailer";
import { type Background, createOperationServices } from "./services/operations";
import { createSignInServices } from "./services/signIn";
import { statsService } from "./services/stats";
import { vehicleService } from "./services/vehicles";

export type AppDeps = {
  db: Kysely<Database>;
  /** Wall clock for every expiry comparison (signers, grants); tests pin it. */
  clock: () => Date;
  logger: Logger;
  config: Config;
  /** The chain's head block (api/lib/chainHead.ts caches the RPC answer ≤ 1 s). */
  chain: ChainHead;
  /** Root secret (api/lib/secret.ts); cursors sign with a key derived from it. */
  secret: Buffer;
  /** Managed-wallet encryption key; default: WALLET_ENCRYPTION_KEY or the DATA_DIR key file, on first use. */
  walletKey?: WalletKey;
  /** Default: SMTP_URL, else the dev mailbox in DATA_DIR (api/services/mailer.ts). */
  mailer?: Mailer;
  /** The chain console writes go to (operations); without it they answer 503. */
  rpcUrl?: string;
  /** The database `db` uses: streamed exports open their own connections (without: they answer 503). */
  databaseUrl?: string;
};

/** `background`: the operation follower; server.ts starts it after listening and stops it first. */
export type App = ApiApp & { metrics: Registry; background: Background };

// Swagger UI needs inline styles and data: images; scripts are all same-origin files.
const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'", "data:"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** The whole HTTP API, built from its dependencies only: no globals, so tests build as many as they like. */
export function createApp(deps: AppDeps): App {
  const { config } = deps;
  // Secrets (session tokens, cookies, codes, keys) never reach the log, whatever logs them.
  const logger = redactingLogger(deps.logger);
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }) as App;
  app.metrics = new Registry();

  app.use(requestId({ headerName: "X-Request-Id", limitLength: 128 }));
  // The request line has fixed, secret-free fields (the path carries no query string), so it skips
  // the redaction pass: on the hottest log statement that pass costs more than the line itself.
  app.use(observeRequests(deps.logger, app.metrics));
  app.use(secureHeaders({ contentSecurityPolicy: CSP }));
  if (config.api.corsOrigins.length > 0) {
    app.use(
      cors({
        origin: config.api.corsOrigins,
        allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allowHeaders: ["Content-Type", "If-None-Match", "X-Request-Id", "X-CSRF-Token"],
        exposeHeaders: ["ETag", "X-Request-Id"],
        credentials: true,
        maxAge: 600,
      }),
    );
  }
  app.onError(errorHandler(logger));
  app.notFound(notFoundHandler);

  const ctx: ServiceContext = {
    db: deps.db,
    clock: deps.clock,
    cursors: new CursorCodec(deriveKey(deps.secret, "cursor")),
    devLicense: config.chain.devLicense.toLowerCase(),
  };
  const services = {
    licenses: licenseService(ctx),
    vehicles: vehicleService(ctx),
    events: eventService(ctx),
    aliases: aliasService(ctx),
    stats: statsService(ctx),
    indexer: indexerStatusService({
      db: deps.db,
      chain: deps.chain,
      chainId: config.chain.chainId,
      maxLagBlocks: config.api.readyMaxLagBlocks,
    }),
    metrics: app.metrics,
  };
  /** Accounts, sessions (requireSession, signIn), wallets: for every /console route. */
  const consoleServices = createConsoleServices({ ...deps, logger, ...services });
  const operations = createOperationServices({
    db: deps.db,
    clock: deps.clock,
    logger,
    config,
    rpcUrl: deps.rpcUrl,
    databaseUrl: deps.databaseUrl,
    wallets: consoleServices.wallets,
    consoleLicenses: consoleServices.licenses,
  });
  app.background = operations.background;

  registerSystemRoutes(app, services);
  registerLicenseRoutes(app, services);
  registerVehicleRoutes(app, services);
  registerAliasRoutes(app, services);
  registerStatsRoutes(app, services);
  registerExportRoutes(app, ctx, deps.databaseUrl);
  registerConsoleRoutes(app, consoleServices);
  // Console writes: after the /console/* middleware registerConsoleRoutes adds.
  registerLicenseWriteRoutes(app, consoleServices, operations.ops);
  registerOperationRoutes(app, consoleServices, operations.ops);
  // Google / Apple / GitHub and passkeys: after the /console/* middleware registerConsoleRoutes adds.
  registerSignInRoutes(app, consoleServices, createSignInServices({ ...deps, ...consoleServices }), {
    publicUrl: config.publicUrl,
    corsOrigins: config.api.corsOrigins,
  });
  registerLoginWithDimo(app, deps);
  registerDocsRoutes(app, {
    title: "DIMO Developer Console API",
    version: "1",
    description:
      "Public data of DIMO developer licenses and vehicle sharing, indexed from chain. Errors use " +
      '`{"error": {"code", "message", "details"?}}`; lists are keyset-paginated with `limit` (1..100, default 20) ' +
      "and the opaque `cursor` from the previous page's `nextCursor`.",
  });
  return app;
}
