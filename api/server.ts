import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";
import { serve } from "@hono/node-server";
import pino, { type Logger } from "pino";
import { type Config, loadConfigOrExit } from "../config/env";
import { createApp } from "./app";
import { createPool, databaseOver } from "./db/database";
import { migrateToLatest } from "./db/migrate";
import { type ReadReplicas, readReplicas } from "./db/replicas";
import { unavailableReason } from "./db/unavailable";
import { errorBody } from "./http/errors";
import { type ChainHead, createChainHead } from "./lib/chainHead";
import { loadSecret } from "./lib/secret";
import { loadWalletKey } from "./lib/walletKey";
import { mailboxDir } from "./services/console/mailer";

export type StartApiOptions = {
  config: Config;
  databaseUrl: string;
  rpcUrl: string;
  logger?: Logger;
  /** Overrides config.port; 0 picks a free port (read it back from the result). */
  port?: number;
  /** Overrides the RPC-backed chain head (tests). */
  chain?: ChainHead;
  clock?: () => Date;
  /** The built web app to serve at `/` (DEFAULT_WEB_DIR for npm start and start:api); absent: none. */
  webDir?: string | null;
  /** Overrides the HTTP timeouts (tests use short ones). */
  http?: Partial<HttpTimeouts>;
};

/** Where scripts/web/build.ts writes the console web app. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL("../web/dist", import.meta.url));

/**
 * How long a client may take to SEND its request: the headers, then the whole request (the body
 * is at most 64 KiB). A slow sender (slowloris) is answered 408 and dropped. These bound requests,
 * not responses: long-polls and event streams answer for as long as they need once the request is
 * in (their own caps are in the routes). Idle keep-alive connections close after 5 s.
 */
export type HttpTimeouts = { headersMs: number; requestMs: number; keepAliveMs: number };
export const HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 };

export type RunningApi = { url: string; port: number; stop(): Promise<void> };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the API in this process: pool, migrations, app, HTTP listener. `npm start`, the bench and
 * tests call this; `npm run start:api` runs it as its own process (one per replica).
 */
export async function startApi(opts: StartApiOptions): Promise<RunningApi> {
  const { config } = opts;
  const logger = opts.logger ?? pino({ level: config.logLevel, base: { service: "api" } });
  // Loaded first: a bad key (file) stops the start instead of failing the first sign-in.
  const walletKey = loadWalletKey({
    fromEnv: config.console.walletEncryptionKey,
    fromFile: config.console.walletEncryptionKeyFile,
    dataDir: config.dataDir,
  });
  const poolOptions = { poolMax: config.api.dbPoolMax, statementTimeoutMs: config.api.dbStatementTimeoutMs };
  const primary = createPool(opts.databaseUrl, { ...poolOptions, logger });
  const db = databaseOver(primary.dialect);
  let replicas: ReadReplicas | undefined;
  try {
    await migrateWhenReachable(db, logger);
    if (config.databaseReadUrls.length > 0) {
      replicas = readReplicas({
        urls: config.databaseReadUrls,
        primaryUrl: opts.databaseUrl,
        primary: primary.dialect,
        pool: poolOptions,
        maxLagMs: config.api.readMaxLagMs,
        logger: logger.child({ module: "replicas" }),
      });
      // The first check decides where the first reads go; a standby that is down is no reason
      // not to start (reads use the primary meanwhile).
      await replicas.start();
      logger.info({ standbys: replicas.status() }, "hot standbys for public reads");
    }
  } catch (error) {
    await replicas?.stop();
    await db.destroy();
    throw error;
  }
  const app = createApp({
    db,
    clock: opts.clock ?? (() => new Date()),
    logger,
    config,
    chain: opts.chain ?? createChainHead(opts.rpcUrl),
    secret: loadSecret({
      fromEnv: config.api.secret,
      fromFile: config.api.secretFile,
      dataDir: config.dataDir,
    }),
    walletKey,
    databaseUrl: opts.databaseUrl,
    rpcUrl: opts.rpcUrl,
    ...(opts.webDir !== undefined ? { webDir: opts.webDir } : {}),
    ...(replicas ? { replicas } : {}),
  });

  const timeouts = { ...HTTP_TIMEOUTS, ...opts.http };
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve(
      {
        fetch: app.fetch,
        hostname: config.api.host,
        port: opts.port ?? config.port,
        serverOptions: {
          headersTimeout: timeouts.headersMs,
          requestTimeout: timeouts.requestMs,
          keepAliveTimeout: timeouts.keepAliveMs,
          // Node checks the two timeouts above this often (default 30 s, which would stretch them).
          connectionsCheckingInterval: Math.min(1_000, timeouts.headersMs / 2),
        },
      },
      () => resolve(s),
    );
    s.once("error", reject);
  });
  answerClientErrors(server as Server);
  const { port } = server.address() as AddressInfo;
  const host = config.api.host.includes(":") ? `[${config.api.host}]` : config.api.host;
  const url = `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${port}`;
  logger.info({ url }, "API listening");
  if (config.console.mail === "mailbox") {
    logger.info(
      { mailbox: mailboxDir(config.dataDir) },
      "no SMTP_URL: mail (sign-in codes) goes to the dev mailbox folder; local deployments only",
    );
  } else if (config.console.mail === "off") {
    logger.warn("no SMTP_URL on a deployment that is not local: email sign-in is off (503) until it is set");
  }
  app.background.start();

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      // Background work first: it also ends long-polls and event streams waiting on operations.
      await app.background.stop();
      // Stop accepting, let in-flight requests finish (bounded), then release the pool.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets go idle as their last response ends: close them as they do, rather
      // than waiting out the keep-alive timeout; after 10 s, close whatever is left.
      const http = server as import("node:http").Server;
      const reaper = setInterval(() => http.closeIdleConnections(), 50);
      http.closeIdleConnections();
      const force = setTimeout(() => http.closeAllConnections(), 10_000);
      await closed;
      clearInterval(reaper);
      clearTimeout(force);
      await replicas?.stop();
      await db.destroy();
      logger.info("API stopped");
    })();
    return stopping;
  };
  return { url, port, stop };
}

/**
 * Requests Node's HTTP parser refuses (an unknown method, a malformed header, headers too large)
 * never reach the app, and Node would answer them with a bare 400. Answer with the error envelope
 * like every other 4xx, then close the connection as Node does.
 */
function answerClientErrors(server: Server) {
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, message] =
      error.code === "HPE_HEADER_OVERFLOW"
        ? ["431 Request Header Fields Too Large", "Request headers too large"]
        : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? ["408 Request Timeout", "Request not received in time"]
          : ["400 Bad Request", "Malformed HTTP request"];
    const body = JSON.stringify(errorBody("invalid_request", message));
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

/** Migrations need the database; at boot it may still be starting, so wait for it (bounded). */
async function migrateWhenReachable(db: Parameters<typeof migrateToLatest>[0], logger: Logger) {
  const deadline = Date.now() + 60_000;
  for (let attempt = 1; ; attempt++) {
    try {
      const ran = await migrateToLatest(db);
      if (ran.length) logger.info({ migrations: ran }, "console schema migrated");
      return;
    } catch (error) {
      if (unavailableReason(error) !== "database" || Date.now() > deadline) throw error;
      logger.warn({ attempt }, "database not reachable yet; retrying migrations");
      await sleep(Math.min(500 * attempt, 5_000));
    }
  }
}

/** `npm run start:api`: one API process against an existing database and chain. */
async function main() {
  const config = loadConfigOrExit();
  const fail = (line: string) => {
    process.stderr.write(`Invalid configuration: ${line}\n`);
    process.exit(1);
  };
  if (!config.databaseUrl)
    return fail("DATABASE_URL: required to run the API on its own (npm start sets it)");
  if (!config.chain.rpcUrl) return fail("RPC_URL: required to run the API on its own (npm start sets it)");
  const api = await startApi({
    config,
    databaseUrl: config.databaseUrl,
    rpcUrl: config.chain.rpcUrl,
    webDir: DEFAULT_WEB_DIR,
  });
  const shutdown = (signal: NodeJS.Signals) => {
    process.stderr.write(`${signal}: stopping the API\n`);
    api.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    process.stderr.write(`API failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
