import { OpenAPIHono } from "@hono/zod-openapi";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { Gauge, Registry } from "prom-client";
import { type BodyLimitRule, limitBodies } from "./http/bodyLimit";
import { clientIp } from "./http/clientIp";
import { errorHandler, notFoundHandler, validationHook } from "./http/errors";
import { observeRequests } from "./http/observe";
import { redactingLogger } from "./http/redact";
import { consoleAuth } from "./http/session";
import type { ApiApp, AppEnv } from "./http/types";
import { registerAnalystRoutes } from "./routes/analysts/exports";
import { registerConsoleRoutes } from "./routes/console";
import { registerDocsRoutes } from "./routes/docs";
import { registerIdentityDocsRoutes, registerIdentityRoutes } from "./routes/identity";
import { registerLoginWithDimoRoutes } from "./routes/loginWithDimo";
import { registerPublicRoutes } from "./routes/public";
import { registerSystemRoutes } from "./routes/system";
import { registerWebRoutes } from "./routes/web";
import { type Background, createServices, type ServiceDeps, type Services } from "./services/index";

export type AppDeps = ServiceDeps & {
  /** The built console web app (scripts/web/build.ts) served at `/`; null or absent: no app. */
  webDir?: string | null;
};

/**
 * Routes whose bodies are held to another limit than the 64 KiB default (api/http/bodyLimit.ts):
 * Login with DIMO's parameters fit in far less; Apple's form_post answer (an id_token) too.
 */
const BODY_LIMITS: BodyLimitRule[] = [
  { method: "POST", path: /^\/auth\//, maxBytes: 16 * 1024 },
  { method: "POST", path: /^\/console\/auth\/[^/]+\/callback$/, maxBytes: 32 * 1024 },
];

/** `background`: the operation follower; server.ts starts it after listening and stops it first. */
export type App = ApiApp & { metrics: Registry; background: Background; services: Services };

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

/**
 * The composition root: builds every service from the app's dependencies (api/services/index.ts),
 * the HTTP middleware that needs them, and mounts every route. No globals, so tests build as many
 * apps as they like.
 */
export function createApp(deps: AppDeps): App {
  const { config } = deps;
  // Secrets (session tokens, cookies, codes, keys) never reach the log, whatever logs them.
  const logger = redactingLogger(deps.logger);
  const services = createServices({ ...deps, logger });
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }) as App;
  app.metrics = new Registry();
  deps.replicas?.registerMetrics(app.metrics);
  app.background = services.background;
  app.services = services;

  app.use(requestId({ headerName: "X-Request-Id", limitLength: 128 }));
  // The request line has fixed, secret-free fields (the path carries no query string), so it skips
  // the redaction pass: on the hottest log statement that pass costs more than the line itself.
  app.use(observeRequests(deps.logger, app.metrics));
  app.use(secureHeaders({ contentSecurityPolicy: CSP }));
  // Before any route reads a body: an oversized one is a 413 envelope, never buffered.
  app.use(limitBodies(BODY_LIMITS));
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
  const ops = services.console.operations;
  if (ops) {
    // What waiting requests cost this process: places taken, and row re-read loops (one per operation).
    new Gauge({
      name: "console_operation_waiters",
      help: "Long-polls and event streams waiting on console operations in this process",
      registers: [app.metrics],
      collect() {
        this.set(ops.engine.waiters.count());
      },
    });
    new Gauge({
      name: "console_operation_polls",
      help: "Console operations whose row is being re-read for waiters (one loop each, however many wait)",
      registers: [app.metrics],
      collect() {
        this.set(ops.engine.watch.pollers());
      },
    });
  }
  app.onError(errorHandler(logger));
  app.notFound(notFoundHandler);

  const hops = config.console.trustProxyHops;
  registerSystemRoutes(app, {
    indexer: services.system.indexer,
    replicas: services.system.replicas,
    metrics: app.metrics,
  });
  registerPublicRoutes(app, services.public);
  registerIdentityRoutes(app, services.identity, { logger });
  registerAnalystRoutes(app, services.analysts, { ip: (c) => clientIp(c, hops) });
  registerConsoleRoutes(
    app,
    services.console,
    consoleAuth({
      sessions: services.console.sessions,
      publicUrl: config.publicUrl,
      corsOrigins: config.api.corsOrigins,
      trustProxyHops: hops,
    }),
  );
  registerLoginWithDimoRoutes(app, services.loginWithDimo, {
    issuer: config.publicUrl,
    alg: config.login.jwtAlg,
    ip: (c) => clientIp(c, hops),
    perIp: config.login.rateLimitPerIp,
    perClient: config.login.rateLimitPerClient,
    perClientGlobal: config.login.rateLimitPerClientGlobal,
  });
  registerDocsRoutes(app, {
    title: "DIMO Developer Console API",
    version: "1",
    description:
      "Public data of DIMO developer licenses and vehicle sharing, indexed from chain. Errors use " +
      '`{"error": {"code", "message", "details"?}}`; lists are keyset-paginated with `limit` (1..100, default 20) ' +
      "and the opaque `cursor` from the previous page's `nextCursor`.",
  });
  registerIdentityDocsRoutes(app, services.identity);
  // Last: the web app takes only the paths no API route above uses.
  if (deps.webDir !== undefined) registerWebRoutes(app, deps.webDir);
  return app;
}
