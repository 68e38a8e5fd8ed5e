import { getAddress, isAddress } from "viem";
import { z } from "zod";
import { DEPLOYMENTS, type Deployment, NETWORKS, type NetworkName } from "./networks";
import { type OperationsConfig, operationsConfig, operationsEnv } from "./operations";
import { type IndexerRpcConfig, indexerRpcDefaults } from "./rpc";
import { SIGN_IN_SECRETS, type SignInConfig, signInConfig, signInEnv } from "./signIn";

/** A configuration value that cannot be used: the message is the one line the process prints. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail}`);
  }
}

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const opt = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

const port = z.coerce.number().int().min(1).max(65_535);
const seconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** Requests per minute; 0 turns the limit off. */
const perMinute = z.coerce.number().int().min(0).max(1_000_000);
const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), "must be a 20-byte hex address (0x + 40 hex digits)")
  .transform((v) => getAddress(v));
const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL (${protocols.join(" or ")})`,
  );

const atLeastMinute = z.coerce
  .number()
  .int()
  .min(60, "must be at least 60 seconds")
  .max(10 * 365 * 86_400);
const points = z.coerce.number().int().min(1).max(1_000_000);
/** 32 bytes as 64 hex digits (optional 0x) or base64/base64url; parsed to the key itself. */
const walletKey = z
  .string()
  .transform((v) => parseKey32(v.trim()))
  .refine((v) => v !== null, "must be 32 bytes: 64 hex digits, or base64 (openssl rand -hex 32)")
  .transform((v) => v as Buffer);

/** A 32-byte key from hex or base64(url) text; null when it is anything else. */
export function parseKey32(text: string): Buffer | null {
  const hex = text.replace(/^0x/i, "");
  if (/^[0-9a-fA-F]{64}$/.test(hex)) return Buffer.from(hex, "hex");
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const bytes = Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (bytes.length === 32) return bytes;
  }
  return null;
}

/** Every setting of every part (docs/configuration.md lists them all; a test keeps the two in step). */
export const envSchema = z.object({
  DATABASE_URL: opt(url(["postgres:", "postgresql:"])),
  INDEXER_DATABASE_URL: opt(url(["postgres:", "postgresql:"])),
  // Hot standbys for public reads (docs/deploy.md): comma-separated, a comma in a password %-encoded.
  DATABASE_READ_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .default("")
      .transform((v) =>
        v
          .split(",")
          .map((u) => u.trim())
          .filter(Boolean),
      )
      .pipe(z.array(url(["postgres:", "postgresql:"]))),
  ),
  DATABASE_READ_MAX_LAG_MS: z.preprocess(
    blankToUndefined,
    z.coerce.number().int().min(100).max(600_000).default(5_000),
  ),
  DATA_DIR: z.preprocess(blankToUndefined, z.string().default(".data")),
  DIMO_NETWORK: opt(z.enum(NETWORKS, { message: `must be one of ${NETWORKS.join(", ")}` })),
  RPC_URL: opt(url(["http:", "https:", "ws:", "wss:"])),
  CHAIN_ID: opt(z.coerce.number().int().positive()),
  DEV_LICENSE_ADDRESS: opt(address),
  VEHICLE_ID_ADDRESS: opt(address),
  SACD_ADDRESS: opt(address),
  DIMO_TOKEN_ADDRESS: opt(address),
  DCX_ADDRESS: opt(address),
  START_BLOCK: opt(z.coerce.number().int().min(0)),
  // How the indexer uses its RPC (config/rpc.ts; defaults per network)
  RPC_GET_LOGS_BLOCK_RANGE: opt(
    z.union([z.literal("auto"), z.coerce.number().int().min(1).max(10_000_000)], {
      message: 'must be a number of blocks or "auto"',
    }),
  ),
  RPC_POLLING_INTERVAL_MS: opt(z.coerce.number().int().min(50).max(600_000)),
  RPC_LOOPBACK_BUCKETS: opt(z.coerce.number().int().min(1).max(64)),
  PORT: z.preprocess(blankToUndefined, port.default(3000)),
  INDEXER_PORT: z.preprocess(blankToUndefined, port.default(42069)),
  PUBLIC_URL: opt(url(["http:", "https:"])),
  DEVNET_PORT: z.preprocess(blankToUndefined, port.default(8545)),
  DEVNET_BLOCK_TIME: opt(z.coerce.number().int().min(1)),
  LOG_LEVEL: z.preprocess(
    blankToUndefined,
    z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  ),
  // API (docs/public-api.md)
  HOST: z.preprocess(blankToUndefined, z.string().default("127.0.0.1")),
  API_SECRET: opt(z.string().min(32, "must be at least 32 characters")),
  API_SECRET_FILE: opt(z.string()),
  CORS_ORIGINS: z.preprocess(
    blankToUndefined,
    z
      .string()
      .default("")
      .transform((v) =>
        v
          .split(",")
          .map((o) => o.trim())
          .filter(Boolean),
      )
      .pipe(z.array(url(["http:", "https:"]).transform((o) => new URL(o).origin))),
  ),
  READY_MAX_LAG_BLOCKS: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).default(2)),
  DB_POOL_MAX: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(1000).default(10)),
  DB_STATEMENT_TIMEOUT_MS: z.preprocess(
    blankToUndefined,
    z.coerce.number().int().min(100).max(600_000).default(5_000),
  ),
  // Analyst exports (docs/analysts.md)
  EXPORT_MAX_CONCURRENT: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(100).default(4)),
  EXPORT_MAX_PER_IP: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(100).default(1)),
  EXPORT_MIN_BYTES_PER_SECOND: z.preprocess(
    blankToUndefined,
    z.coerce.number().int().min(0).max(1_000_000_000).default(16_384),
  ),
  EXPORT_MAX_SECONDS: z.preprocess(blankToUndefined, seconds(10, 86_400).default(300)),
  // Login with DIMO and token exchange (docs/login-with-dimo.md)
  LOGIN_JWT_ALG: z.preprocess(blankToUndefined, z.enum(["ES256", "RS256"]).default("ES256")),
  LOGIN_JWT_TTL_SECONDS: z.preprocess(blankToUndefined, seconds(60, 90 * 86_400).default(14 * 86_400)),
  LOGIN_CHALLENGE_TTL_SECONDS: z.preprocess(blankToUndefined, seconds(10, 3_600).default(300)),
  EXCHANGE_TOKEN_TTL_SECONDS: z.preprocess(blankToUndefined, seconds(10, 86_400).default(600)),
  LOGIN_RATE_LIMIT_PER_IP: z.preprocess(blankToUndefined, perMinute.default(60)),
  LOGIN_RATE_LIMIT_PER_CLIENT: z.preprocess(blankToUndefined, perMinute.default(30)),
  LOGIN_RATE_LIMIT_PER_CLIENT_GLOBAL: z.preprocess(blankToUndefined, perMinute.default(1_200)),
  LOGIN_MAX_INDEXER_LAG_BLOCKS: z.preprocess(
    blankToUndefined,
    z
      .union([z.literal("off"), z.coerce.number().int().min(0).max(1_000_000)], {
        message: 'must be a number of blocks (0 or more) or "off"',
      })
      .default(10),
  ),
  TRUST_PROXY_HOPS: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(10).default(0)),
  // Console accounts (docs/console.md)
  SMTP_URL: opt(url(["smtp:", "smtps:"])),
  SMTP_FROM: z.preprocess(
    blankToUndefined,
    z.string().default("DIMO Developer Console <no-reply@localhost>"),
  ),
  WALLET_ENCRYPTION_KEY: opt(walletKey),
  WALLET_ENCRYPTION_KEY_FILE: opt(z.string()),
  SESSION_IDLE_SECONDS: z.preprocess(blankToUndefined, atLeastMinute.default(7 * 86_400)),
  SESSION_MAX_SECONDS: z.preprocess(blankToUndefined, atLeastMinute.default(30 * 86_400)),
  RATE_LIMIT_WINDOW_SECONDS: z.preprocess(blankToUndefined, atLeastMinute.default(3_600)),
  RATE_LIMIT_CODES_PER_EMAIL: z.preprocess(blankToUndefined, points.default(5)),
  RATE_LIMIT_CODES_PER_IP: z.preprocess(blankToUndefined, points.default(20)),
  RATE_LIMIT_VERIFY_PER_EMAIL: z.preprocess(blankToUndefined, points.default(15)),
  RATE_LIMIT_VERIFY_PER_IP: z.preprocess(blankToUndefined, points.default(50)),
  RATE_LIMIT_CODES_PER_EMAIL_DAY: z.preprocess(blankToUndefined, points.default(150)),
  RATE_LIMIT_VERIFY_PER_EMAIL_DAY: z.preprocess(blankToUndefined, points.default(400)),
  SIGNER_EXPIRY_WARNING_DAYS: z.preprocess(
    blankToUndefined,
    z.coerce.number().int().min(0).max(3650).default(30),
  ),
  // Google / Apple / GitHub sign-in and passkeys (config/signIn.ts)
  ...signInEnv,
  // Console operations (config/operations.ts)
  ...operationsEnv,
});

export type Env = z.infer<typeof envSchema>;

export type ChainConfig = Deployment & {
  network: NetworkName;
  /** null on the embedded default: `npm start` runs a local devnet and fills this in. */
  rpcUrl: string | null;
};

export type Config = {
  databaseUrl: string | null;
  /** The indexer's own login when DATABASE_URL is set (default: DATABASE_URL); see docs/security.md. */
  indexerDatabaseUrl: string | null;
  /** Hot standbys public reads may use (DATABASE_READ_URL); empty: every read on DATABASE_URL. */
  databaseReadUrls: string[];
  dataDir: string;
  chain: ChainConfig;
  /** How the indexer uses its RPC: eth_getLogs block range, polling, loopback fan-out (config/rpc.ts). */
  indexerRpc: IndexerRpcConfig;
  port: number;
  indexerPort: number;
  publicUrl: string;
  devnet: { port: number; blockTime: number | null };
  logLevel: Env["LOG_LEVEL"];
  api: ApiConfig;
  login: LoginConfig;
  console: ConsoleConfig;
  /** Google / Apple / GitHub sign-in and passkeys (config/signIn.ts). */
  signIn: SignInConfig;
  /** Console operations: follower, prepared-transaction lifetime, devnet funding (config/operations.ts). */
  operations: OperationsConfig;
};

/** Console accounts, sessions and managed wallets (docs/console.md). */
export type ConsoleConfig = {
  /** Null: mail goes to `${dataDir}/mailbox/` when the deployment is local, nowhere otherwise. */
  smtpUrl: string | null;
  /**
   * How mail (sign-in codes, security notices) leaves: by SMTP; into the dev mailbox folder, only
   * for a local deployment (devnet or custom chain, PUBLIC_URL on localhost); else nowhere, and
   * email sign-in is off (its routes answer 503).
   */
  mail: "smtp" | "mailbox" | "off";
  smtpFrom: string;
  /** Null: a key generated once into `${dataDir}/wallet-encryption.key` (api/lib/walletKey.ts). */
  walletEncryptionKey: Buffer | null;
  /** A file holding the key instead (kept outside DATA_DIR and its backups). */
  walletEncryptionKeyFile: string | null;
  sessionIdleSeconds: number;
  sessionMaxSeconds: number;
  /** Same knob as login's: the client IP is that many hops back in X-Forwarded-For. */
  trustProxyHops: number;
  /**
   * Email-code limits: per client IP and per (email, IP) in each window, and a daily cap per email
   * counted only for attempts those allowed, so no single address can use up a victim's cap.
   */
  rateLimits: {
    windowSeconds: number;
    codesPerEmail: number;
    codesPerIp: number;
    verifyPerEmail: number;
    verifyPerIp: number;
    codesPerEmailDay: number;
    verifyPerEmailDay: number;
  };
  signerExpiryWarningDays: number;
};

/** Login with DIMO, developer JWTs and the vehicle token exchange (docs/login-with-dimo.md). */
export type LoginConfig = {
  /** Algorithm of newly created signing keys; existing keys keep theirs until rotated. */
  jwtAlg: "ES256" | "RS256";
  jwtTtlSeconds: number;
  challengeTtlSeconds: number;
  exchangeTtlSeconds: number;
  /** Challenges per minute per client IP, per (client id, IP), and per client id from all IPs; 0 = unlimited. */
  rateLimitPerIp: number;
  rateLimitPerClient: number;
  rateLimitPerClientGlobal: number;
  /**
   * Logins and token exchanges answer 503 while the indexer is more than this many blocks behind
   * the chain head (or the lag is unknown); null ("off") skips the check.
   */
  maxIndexerLagBlocks: number | null;
  /** Reverse proxies in front of the API: the client IP is that many hops back in X-Forwarded-For. */
  trustProxyHops: number;
};

/** The API process's own knobs (docs/public-api.md). */
export type ApiConfig = {
  host: string;
  /** Null: a random secret kept in `${dataDir}/api-secret` (api/lib/secret.ts). */
  secret: string | null;
  /** A file holding the secret instead (kept outside DATA_DIR and its backups). */
  secretFile: string | null;
  corsOrigins: string[];
  readyMaxLagBlocks: number;
  dbPoolMax: number;
  dbStatementTimeoutMs: number;
  /** A standby further behind the primary than this serves no reads (DATABASE_READ_MAX_LAG_MS). */
  readMaxLagMs: number;
  /** Analyst exports: each holds a database connection while it streams. */
  exports: { maxConcurrent: number; maxPerIp: number; minBytesPerSecond: number; maxSeconds: number };
};

/** Never echoed in an error line: they are, or may embed, credentials. */
const SECRET_VARIABLES = new Set([
  "API_SECRET",
  "WALLET_ENCRYPTION_KEY",
  "SMTP_URL",
  "DATABASE_URL",
  "INDEXER_DATABASE_URL",
  "DATABASE_READ_URL",
  ...SIGN_IN_SECRETS,
]);

function parseEnv(env: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? "environment");
  const value = env[variable];
  const shown =
    value === undefined || SECRET_VARIABLES.has(variable)
      ? ""
      : ` (got ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)})`;
  throw new ConfigError(variable, `${issue.message}${shown}`);
}

function resolveNetwork(env: Env): NetworkName {
  if (env.DIMO_NETWORK) return env.DIMO_NETWORK;
  if (!env.RPC_URL) return "local";
  if (env.CHAIN_ID === 137) return "polygon";
  if (env.CHAIN_ID === 80002) return "amoy";
  if (env.CHAIN_ID !== undefined) return "custom";
  throw new ConfigError("DIMO_NETWORK", "set DIMO_NETWORK to polygon, amoy or custom when RPC_URL is set");
}

function need<T>(value: T | undefined, variable: string, why: string): T {
  if (value === undefined) throw new ConfigError(variable, `required ${why}`);
  return value;
}

function resolveChain(env: Env): ChainConfig {
  const network = resolveNetwork(env);
  if (network === "custom") {
    const why = "when DIMO_NETWORK=custom";
    return {
      network,
      rpcUrl: need(env.RPC_URL, "RPC_URL", why),
      chainId: need(env.CHAIN_ID, "CHAIN_ID", why),
      devLicense: need(env.DEV_LICENSE_ADDRESS, "DEV_LICENSE_ADDRESS", why),
      vehicleId: need(env.VEHICLE_ID_ADDRESS, "VEHICLE_ID_ADDRESS", why),
      sacd: need(env.SACD_ADDRESS, "SACD_ADDRESS", why),
      dimoToken: env.DIMO_TOKEN_ADDRESS ?? null,
      dimoCredit: env.DCX_ADDRESS ?? null,
      startBlock: env.START_BLOCK ?? 0,
    };
  }
  const base = DEPLOYMENTS[network];
  if (network !== "local" && !env.RPC_URL)
    throw new ConfigError("RPC_URL", `required for DIMO_NETWORK=${network}`);
  if (env.CHAIN_ID !== undefined && env.CHAIN_ID !== base.chainId) {
    throw new ConfigError("CHAIN_ID", `${network} is chain ${base.chainId}, got ${env.CHAIN_ID}`);
  }
  return {
    network,
    rpcUrl: env.RPC_URL ?? null,
    chainId: base.chainId,
    devLicense: env.DEV_LICENSE_ADDRESS ?? base.devLicense,
    vehicleId: env.VEHICLE_ID_ADDRESS ?? base.vehicleId,
    sacd: env.SACD_ADDRESS ?? base.sacd,
    dimoToken: env.DIMO_TOKEN_ADDRESS ?? base.dimoToken,
    dimoCredit: env.DCX_ADDRESS ?? base.dimoCredit,
    startBlock: env.START_BLOCK ?? base.startBlock,
  };
}

/** Parses the whole environment once. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = parseEnv(env);
  const publicUrl = (parsed.PUBLIC_URL ?? `http://localhost:${parsed.PORT}`).replace(/\/+$/, "");
  return {
    databaseUrl: parsed.DATABASE_URL ?? null,
    indexerDatabaseUrl: indexerDatabaseUrl(parsed),
    databaseReadUrls: parsed.DATABASE_READ_URL,
    dataDir: parsed.DATA_DIR,
    chain: resolveChain(parsed),
    indexerRpc: indexerRpc(parsed),
    port: parsed.PORT,
    indexerPort: parsed.INDEXER_PORT,
    publicUrl,
    devnet: { port: parsed.DEVNET_PORT, blockTime: parsed.DEVNET_BLOCK_TIME ?? null },
    logLevel: parsed.LOG_LEVEL,
    api: {
      host: parsed.HOST,
      secret: parsed.API_SECRET ?? null,
      secretFile: oneOf(parsed, "API_SECRET", "API_SECRET_FILE"),
      corsOrigins: parsed.CORS_ORIGINS,
      readyMaxLagBlocks: parsed.READY_MAX_LAG_BLOCKS,
      dbPoolMax: parsed.DB_POOL_MAX,
      dbStatementTimeoutMs: parsed.DB_STATEMENT_TIMEOUT_MS,
      readMaxLagMs: parsed.DATABASE_READ_MAX_LAG_MS,
      exports: {
        maxConcurrent: parsed.EXPORT_MAX_CONCURRENT,
        maxPerIp: parsed.EXPORT_MAX_PER_IP,
        minBytesPerSecond: parsed.EXPORT_MIN_BYTES_PER_SECOND,
        maxSeconds: parsed.EXPORT_MAX_SECONDS,
      },
    },
    login: {
      jwtAlg: parsed.LOGIN_JWT_ALG,
      jwtTtlSeconds: parsed.LOGIN_JWT_TTL_SECONDS,
      challengeTtlSeconds: parsed.LOGIN_CHALLENGE_TTL_SECONDS,
      exchangeTtlSeconds: parsed.EXCHANGE_TOKEN_TTL_SECONDS,
      rateLimitPerIp: parsed.LOGIN_RATE_LIMIT_PER_IP,
      rateLimitPerClient: parsed.LOGIN_RATE_LIMIT_PER_CLIENT,
      rateLimitPerClientGlobal: loginCeiling(parsed),
      maxIndexerLagBlocks:
        parsed.LOGIN_MAX_INDEXER_LAG_BLOCKS === "off" ? null : parsed.LOGIN_MAX_INDEXER_LAG_BLOCKS,
      trustProxyHops: parsed.TRUST_PROXY_HOPS,
    },
    console: consoleConfig(parsed, resolveNetwork(parsed), publicUrl),
    signIn: signInConfig(parsed, publicUrl, (variable, detail) => {
      throw new ConfigError(variable, detail);
    }),
    operations: operationsConfig(parsed, resolveChain(parsed), (variable, detail) => {
      throw new ConfigError(variable, detail);
    }),
  };
}

function indexerRpc(env: Env): IndexerRpcConfig {
  const chain = resolveChain(env);
  const defaults = indexerRpcDefaults(chain.network, chain.chainId);
  const range = env.RPC_GET_LOGS_BLOCK_RANGE;
  return {
    getLogsBlockRange: range === undefined ? defaults.getLogsBlockRange : range === "auto" ? null : range,
    pollingIntervalMs: env.RPC_POLLING_INTERVAL_MS ?? defaults.pollingIntervalMs,
    loopbackBuckets: env.RPC_LOOPBACK_BUCKETS ?? defaults.loopbackBuckets,
  };
}

/** A secret given as a value or as a file path, never both (which one wins would be a guess). */
function oneOf(
  env: Env,
  value: "API_SECRET" | "WALLET_ENCRYPTION_KEY",
  file: "API_SECRET_FILE" | "WALLET_ENCRYPTION_KEY_FILE",
): string | null {
  if (env[value] !== undefined && env[file] !== undefined) {
    throw new ConfigError(file, `set either ${value} or ${file}, not both`);
  }
  return env[file] ?? null;
}

function indexerDatabaseUrl(env: Env): string | null {
  if (env.INDEXER_DATABASE_URL && !env.DATABASE_URL) {
    throw new ConfigError(
      "INDEXER_DATABASE_URL",
      "needs DATABASE_URL (the embedded database makes its own roles)",
    );
  }
  return env.INDEXER_DATABASE_URL ?? null;
}

/**
 * A limit shared by everyone (per client id, per email) must stay out of reach of one address: it
 * is above what that address's own limit lets through in the shared window. (Windows start at a
 * key's first hit, so one shared window overlaps at most ceil(shared / own) + 1 of the address's.)
 */
function checkCeiling(
  ceiling: number,
  own: number,
  windowsPerCeiling: number,
  variable: string,
  ownVariable: string,
) {
  const reach = (windowsPerCeiling + 1) * own;
  if (ceiling > 0 && own > 0 && ceiling <= reach) {
    throw new ConfigError(
      variable,
      `must be above ${reach} (${windowsPerCeiling + 1} windows × ${ownVariable} ${own}), or one address alone could use it up for everyone`,
    );
  }
}

function loginCeiling(env: Env): number {
  checkCeiling(
    env.LOGIN_RATE_LIMIT_PER_CLIENT_GLOBAL,
    env.LOGIN_RATE_LIMIT_PER_CLIENT,
    1,
    "LOGIN_RATE_LIMIT_PER_CLIENT_GLOBAL",
    "LOGIN_RATE_LIMIT_PER_CLIENT",
  );
  return env.LOGIN_RATE_LIMIT_PER_CLIENT_GLOBAL;
}

/** A URL only this machine reaches: http(s) on localhost, 127.0.0.1 or [::1]. */
export function isLoopbackUrl(url: string): boolean {
  return ["localhost", "127.0.0.1", "[::1]"].includes(new URL(url).hostname);
}

function consoleConfig(env: Env, network: NetworkName, publicUrl: string): ConsoleConfig {
  if (env.SESSION_IDLE_SECONDS > env.SESSION_MAX_SECONDS) {
    throw new ConfigError(
      "SESSION_IDLE_SECONDS",
      `must not exceed SESSION_MAX_SECONDS (${env.SESSION_MAX_SECONDS})`,
    );
  }
  const windowsPerDay = Math.ceil(86_400 / env.RATE_LIMIT_WINDOW_SECONDS);
  checkCeiling(
    env.RATE_LIMIT_CODES_PER_EMAIL_DAY,
    env.RATE_LIMIT_CODES_PER_EMAIL,
    windowsPerDay,
    "RATE_LIMIT_CODES_PER_EMAIL_DAY",
    "RATE_LIMIT_CODES_PER_EMAIL",
  );
  checkCeiling(
    env.RATE_LIMIT_VERIFY_PER_EMAIL_DAY,
    env.RATE_LIMIT_VERIFY_PER_EMAIL,
    windowsPerDay,
    "RATE_LIMIT_VERIFY_PER_EMAIL_DAY",
    "RATE_LIMIT_VERIFY_PER_EMAIL",
  );
  const local = network !== "polygon" && network !== "amoy" && isLoopbackUrl(publicUrl);
  return {
    smtpUrl: env.SMTP_URL ?? null,
    mail: env.SMTP_URL ? "smtp" : local ? "mailbox" : "off",
    smtpFrom: env.SMTP_FROM,
    walletEncryptionKey: env.WALLET_ENCRYPTION_KEY ?? null,
    walletEncryptionKeyFile: oneOf(env, "WALLET_ENCRYPTION_KEY", "WALLET_ENCRYPTION_KEY_FILE"),
    sessionIdleSeconds: env.SESSION_IDLE_SECONDS,
    sessionMaxSeconds: env.SESSION_MAX_SECONDS,
    trustProxyHops: env.TRUST_PROXY_HOPS,
    rateLimits: {
      windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
      codesPerEmail: env.RATE_LIMIT_CODES_PER_EMAIL,
      codesPerIp: env.RATE_LIMIT_CODES_PER_IP,
      verifyPerEmail: env.RATE_LIMIT_VERIFY_PER_EMAIL,
      verifyPerIp: env.RATE_LIMIT_VERIFY_PER_IP,
      codesPerEmailDay: env.RATE_LIMIT_CODES_PER_EMAIL_DAY,
      verifyPerEmailDay: env.RATE_LIMIT_VERIFY_PER_EMAIL_DAY,
    },
    signerExpiryWarningDays: env.SIGNER_EXPIRY_WARNING_DAYS,
  };
}

/** For process entry points: a bad value prints one clear line and exits 1. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
