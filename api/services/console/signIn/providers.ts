import * as client from "openid-client";
import type { AppleConfig, GithubConfig, GoogleConfig, SignInConfig } from "../../../../config/signIn";
import { UnavailableError } from "../../../errors";
import { appleClientSecret } from "./appleSecret";
import { githubProfile } from "./github";
import type { ProviderProfile } from "./profile";

export const PROVIDER_NAMES = ["google", "apple", "github"] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export type OAuthProvider = {
  name: ProviderName;
  label: string;
  /** OIDC: a nonce is sent and a signed ID token is required. GitHub is plain OAuth 2. */
  oidc: boolean;
  /** Apple posts the authorization response (required when asking for the email scope). */
  responseMode: "query" | "form_post";
  scope: string;
  configuration(): Promise<client.Configuration>;
  profile(
    config: client.Configuration,
    tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
  ): Promise<ProviderProfile>;
};

const TIMEOUT_SECONDS = 10;

const isLoopbackHttp = (url: string) => new URL(url).protocol === "http:";

/** Discovery once, lazily (a provider outage never blocks boot); a failure is retried next time. */
function lazy(label: string, load: () => Promise<client.Configuration>) {
  let pending: Promise<client.Configuration> | null = null;
  return () => {
    pending ??= load().catch((cause) => {
      pending = null;
      throw new UnavailableError(
        `${label} sign-in is unavailable right now (its discovery document could not be read); try again shortly`,
        undefined,
        { cause },
      );
    });
    return pending;
  };
}

function oidcConfig(issuer: string, clientId: string, auth: client.ClientAuth) {
  return async () => {
    const execute = isLoopbackHttp(issuer) ? [client.allowInsecureRequests] : [];
    const config = await client.discovery(new URL(issuer), clientId, undefined, auth, {
      execute,
      timeout: TIMEOUT_SECONDS,
    });
    // Check the ID token's signature against the provider's JWKS too, not only TLS to its token endpoint.
    client.enableNonRepudiationChecks(config);
    return config;
  };
}

/** `email_verified` is a boolean for Google, and may be the string "true" for Apple. */
const verified = (v: unknown) => v === true || v === "true";

async function oidcProfile(
  config: client.Configuration,
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
): Promise<ProviderProfile> {
  const claims = tokens.claims();
  if (!claims) throw new UnavailableError("The provider returned no ID token");
  let email = typeof claims.email === "string" ? claims.email : null;
  let emailVerified = verified(claims.email_verified);
  // Some providers keep the email out of the ID token and answer it at userinfo only.
  if (email === null && config.serverMetadata().userinfo_endpoint) {
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    email = typeof info.email === "string" ? info.email : null;
    emailVerified = verified(info.email_verified);
  }
  return { subject: claims.sub, email, emailVerified };
}

function google(cfg: GoogleConfig): OAuthProvider {
  return {
    name: "google",
    label: "Google",
    oidc: true,
    responseMode: "query",
    scope: "openid email",
    configuration: lazy(
      "Google",
      oidcConfig(cfg.issuer, cfg.clientId, client.ClientSecretBasic(cfg.clientSecret)),
    ),
    profile: oidcProfile,
  };
}

function apple(cfg: AppleConfig): OAuthProvider {
  const secret = appleClientSecret(cfg);
  // client_secret_post with a fresh JWT each time one nears expiry (Apple has no static secret).
  const auth: client.ClientAuth = async (_as, _client, body) => {
    body.set("client_id", cfg.clientId);
    body.set("client_secret", await secret());
  };
  return {
    name: "apple",
    label: "Apple",
    oidc: true,
    responseMode: "form_post",
    scope: "openid email",
    configuration: lazy("Apple", oidcConfig(cfg.issuer, cfg.clientId, auth)),
    profile: oidcProfile,
  };
}

function github(cfg: GithubConfig): OAuthProvider {
  return {
    name: "github",
    label: "GitHub",
    oidc: false,
    responseMode: "query",
    scope: "read:user user:email",
    configuration: lazy("GitHub", async () => {
      const config = new client.Configuration(
        {
          issuer: new URL(cfg.authorizeUrl).origin,
          authorization_endpoint: cfg.authorizeUrl,
          token_endpoint: cfg.tokenUrl,
        },
        cfg.clientId,
        undefined,
        client.ClientSecretPost(cfg.clientSecret),
      );
      config.timeout = TIMEOUT_SECONDS;
      if (isLoopbackHttp(cfg.tokenUrl)) client.allowInsecureRequests(config);
      return config;
    }),
    profile: async (_config, tokens) => githubProfile(cfg, tokens.access_token),
  };
}

/** The configured providers by name; unconfigured ones are absent (their routes answer 404). */
export function configuredProviders(cfg: SignInConfig): Partial<Record<ProviderName, OAuthProvider>> {
  return {
    ...(cfg.google ? { google: google(cfg.google) } : {}),
    ...(cfg.apple ? { apple: apple(cfg.apple) } : {}),
    ...(cfg.github ? { github: github(cfg.github) } : {}),
  };
}
