import { createPrivateKey } from "node:crypto";
import { z } from "zod";

// Google / Apple / GitHub sign-in and passkeys (docs/console.md).
// Each provider is off until its credentials are set; the issuer and endpoint overrides exist so
// tests (and staging) can point a provider at a local server.

const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const opt = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema.optional());
const withDefault = <T extends z.ZodType>(schema: T, value: z.output<T>) =>
  z.preprocess(blank, schema.optional()).transform((v): z.output<T> => v ?? value);

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** https, or http on a loopback host only (a local stand-in): tokens never cross a network in clear. */
const endpoint = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return u.protocol === "https:" || (u.protocol === "http:" && LOOPBACK.has(u.hostname));
  } catch {
    return false;
  }
}, "must be an https URL (http only on localhost)");
const id = z.string().trim().min(1).max(512);

export const signInEnv = {
  GOOGLE_CLIENT_ID: opt(id),
  GOOGLE_CLIENT_SECRET: opt(id),
  GOOGLE_ISSUER: withDefault(endpoint, "https://accounts.google.com"),
  APPLE_CLIENT_ID: opt(id),
  APPLE_TEAM_ID: opt(z.string().regex(/^[A-Z0-9]{10}$/, "must be the 10-character Apple team id")),
  APPLE_KEY_ID: opt(z.string().regex(/^[A-Z0-9]{10}$/, "must be the 10-character key id of the .p8 key")),
  APPLE_PRIVATE_KEY: opt(z.string()),
  APPLE_ISSUER: withDefault(endpoint, "https://appleid.apple.com"),
  GITHUB_CLIENT_ID: opt(id),
  GITHUB_CLIENT_SECRET: opt(id),
  GITHUB_AUTHORIZE_URL: withDefault(endpoint, "https://github.com/login/oauth/authorize"),
  GITHUB_TOKEN_URL: withDefault(endpoint, "https://github.com/login/oauth/access_token"),
  GITHUB_API_URL: withDefault(endpoint, "https://api.github.com"),
  OAUTH_STATE_TTL_SECONDS: withDefault(z.coerce.number().int().min(60).max(3_600), 600),
  WEBAUTHN_RP_ID: opt(z.string().regex(/^[a-z0-9.-]+$/i, "must be a host name (no scheme or port)")),
  WEBAUTHN_RP_NAME: withDefault(z.string().min(1).max(64), "DIMO Developer Console"),
  WEBAUTHN_ORIGINS: withDefault(z.string(), ""),
  /** Unauthenticated sign-in starts (provider redirects, passkey options) per client IP per RATE_LIMIT_WINDOW_SECONDS; 0 = off. */
  SIGN_IN_RATE_LIMIT_PER_IP: withDefault(z.coerce.number().int().min(0).max(1_000_000), 300),
  WEBAUTHN_CHALLENGE_TTL_SECONDS: withDefault(z.coerce.number().int().min(30).max(3_600), 300),
};

/** Never echoed in a configuration error: they are credentials. */
export const SIGN_IN_SECRETS = ["GOOGLE_CLIENT_SECRET", "GITHUB_CLIENT_SECRET", "APPLE_PRIVATE_KEY"];

type SignInEnv = z.output<z.ZodObject<typeof signInEnv>>;

export type GoogleConfig = { issuer: string; clientId: string; clientSecret: string };
/** Apple's client secret is an ES256 JWT signed with the team's key, minted by the API. */
export type AppleConfig = {
  issuer: string;
  clientId: string;
  teamId: string;
  keyId: string;
  privateKeyPem: string;
};
export type GithubConfig = {
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  apiUrl: string;
};

export type SignInConfig = {
  google: GoogleConfig | null;
  apple: AppleConfig | null;
  github: GithubConfig | null;
  /** How long a started provider sign-in may take before its state is refused. */
  stateTtlSeconds: number;
  /** Sign-in starts per client IP per RATE_LIMIT_WINDOW_SECONDS (0 = unlimited). */
  rateLimitPerIp: number;
  passkeys: {
    /** PUBLIC_URL's host name unless WEBAUTHN_RP_ID says otherwise. */
    rpId: string;
    rpName: string;
    /** Origins allowed in clientDataJSON: PUBLIC_URL's, plus WEBAUTHN_ORIGINS. */
    origins: string[];
    challengeTtlSeconds: number;
  };
};

type Fail = (variable: string, detail: string) => never;

/** All of a provider's variables, or none of them: a half-configured provider is a mistake. */
function allOrNone<K extends keyof SignInEnv>(env: SignInEnv, keys: K[], fail: Fail): boolean {
  const set = keys.filter((k) => env[k] !== undefined);
  if (set.length === 0) return false;
  const missing = keys.find((k) => env[k] === undefined);
  if (missing) fail(String(missing), `required when ${String(set[0])} is set`);
  return true;
}

/** Apple's .p8 key: a PKCS#8 P-256 key; `\n` escapes are accepted (one-line env files). */
function applePrivateKey(text: string, fail: Fail): string {
  const pem = text.includes("\\n") ? text.replace(/\\n/g, "\n") : text;
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") return pem;
  } catch {
    // reported below
  }
  return fail("APPLE_PRIVATE_KEY", "must be the PEM of the Sign in with Apple key (.p8, EC P-256)");
}

function hostMatches(host: string, rpId: string): boolean {
  return host === rpId || host.endsWith(`.${rpId}`);
}

export function signInConfig(env: SignInEnv, publicUrl: string, fail: Fail): SignInConfig {
  const google = allOrNone(env, ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"], fail)
    ? { issuer: env.GOOGLE_ISSUER, clientId: env.GOOGLE_CLIENT_ID!, clientSecret: env.GOOGLE_CLIENT_SECRET! }
    : null;
  const apple = allOrNone(
    env,
    ["APPLE_CLIENT_ID", "APPLE_TEAM_ID", "APPLE_KEY_ID", "APPLE_PRIVATE_KEY"],
    fail,
  )
    ? {
        issuer: env.APPLE_ISSUER,
        clientId: env.APPLE_CLIENT_ID!,
        teamId: env.APPLE_TEAM_ID!,
        keyId: env.APPLE_KEY_ID!,
        privateKeyPem: applePrivateKey(env.APPLE_PRIVATE_KEY!, fail),
      }
    : null;
  const github = allOrNone(env, ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"], fail)
    ? {
        clientId: env.GITHUB_CLIENT_ID!,
        clientSecret: env.GITHUB_CLIENT_SECRET!,
        authorizeUrl: env.GITHUB_AUTHORIZE_URL,
        tokenUrl: env.GITHUB_TOKEN_URL,
        apiUrl: env.GITHUB_API_URL.replace(/\/+$/, ""),
      }
    : null;

  const rpId = (env.WEBAUTHN_RP_ID ?? new URL(publicUrl).hostname).toLowerCase();
  const origins = [new URL(publicUrl).origin];
  for (const entry of env.WEBAUTHN_ORIGINS.split(",").map((o) => o.trim())) {
    if (!entry) continue;
    let origin: URL;
    try {
      origin = new URL(entry);
    } catch {
      return fail("WEBAUTHN_ORIGINS", `${JSON.stringify(entry)} is not an origin (https://host[:port])`);
    }
    // A browser refuses a passkey whose RP id is not the page's host or a parent of it.
    if (!hostMatches(origin.hostname, rpId)) {
      return fail("WEBAUTHN_ORIGINS", `${origin.origin} is not on the passkey RP id ${rpId}`);
    }
    if (!origins.includes(origin.origin)) origins.push(origin.origin);
  }
  if (!hostMatches(new URL(publicUrl).hostname, rpId)) {
    fail(
      "WEBAUTHN_RP_ID",
      `must be PUBLIC_URL's host (${new URL(publicUrl).hostname}) or a parent domain of it`,
    );
  }
  return {
    google,
    apple,
    github,
    stateTtlSeconds: env.OAUTH_STATE_TTL_SECONDS,
    rateLimitPerIp: env.SIGN_IN_RATE_LIMIT_PER_IP,
    passkeys: {
      rpId,
      rpName: env.WEBAUTHN_RP_NAME,
      origins,
      challengeTtlSeconds: env.WEBAUTHN_CHALLENGE_TTL_SECONDS,
    },
  };
}
