import http from "node:http";
import { type CryptoKey, exportJWK, generateKeyPair, jwtVerify } from "jose";
import Provider from "oidc-provider";

export type OpAccount = { sub: string; email: string; email_verified: boolean | "true" | "false" };

export type TestOp = {
  issuer: string;
  /** Who the next login at the provider is (the test plays the person at the login page). */
  loginAs(account: OpAccount): void;
  /** Apple client secrets the token endpoint received and verified. */
  appleSecrets: string[];
  close(): Promise<void>;
};

export type TestOpOptions = {
  /** Chosen up front: the API's config names this issuer before the OP starts. */
  port: number;
  google: { clientId: string; clientSecret: string; redirectUri: string };
  /** Sign in with Apple: the client secret must be an ES256 JWT by the team's key. */
  apple?: { clientId: string; teamId: string; keyId: string; publicKey: CryptoKey; redirectUri: string };
};

const APPLE_STATIC_SECRET = "apple-secret-replaced-after-jwt-check";

/**
 * A real OpenID Provider (npm oidc-provider) on a free loopback port, with PKCE required, a
 * "google" client (code flow, client_secret_basic) and optionally an "apple" client (form_post,
 * client_secret_post whose secret must be Apple's client-secret JWT: checked, then swapped for
 * the static secret oidc-provider knows). Login and consent are finished programmatically as
 * `loginAs` says; the ID token carries email and email_verified, as Google's and Apple's do.
 */
export async function startTestOp(opts: TestOpOptions): Promise<TestOp> {
  const { port } = opts;
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signing = { ...(await exportJWK(privateKey)), kid: "op-1", alg: "RS256", use: "sig" };
  let current: OpAccount | null = null;
  const known = new Map<string, OpAccount>();
  const appleSecrets: string[] = [];

  const clients: Record<string, unknown>[] = [
    {
      client_id: opts.google.clientId,
      client_secret: opts.google.clientSecret,
      redirect_uris: [opts.google.redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ];
  if (opts.apple) {
    clients.push({
      client_id: opts.apple.clientId,
      client_secret: APPLE_STATIC_SECRET,
      redirect_uris: [opts.apple.redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    });
  }

  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [signing] },
    cookies: { keys: ["test-op-cookie-key-0123456789"] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    // Like Google and Apple: the email claims ride in the ID token itself.
    conformIdTokenClaims: false,
    async findAccount(_ctx: unknown, sub: string) {
      const account = known.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, email: account.email, email_verified: account.email_verified }),
      };
    },
  });

  if (opts.apple) {
    const apple = opts.apple;
    // Apple's token endpoint takes a client secret that is a JWT; oidc-provider compares secrets
    // verbatim, so the JWT is verified here and replaced by the static secret it knows.
    provider.use(async (ctx: KoaContext, next: () => Promise<void>) => {
      if (ctx.method === "POST" && ctx.path === "/token") {
        const chunks: Buffer[] = [];
        for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
        const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
        if (form.get("client_id") === apple.clientId) {
          const secret = form.get("client_secret") ?? "";
          try {
            const { protectedHeader } = await jwtVerify(secret, apple.publicKey, {
              issuer: apple.teamId,
              subject: apple.clientId,
              audience: issuer,
              algorithms: ["ES256"],
              maxTokenAge: "180 days",
            });
            if (protectedHeader.kid !== apple.keyId) throw new Error("wrong kid");
          } catch (error) {
            ctx.status = 401;
            ctx.body = {
              error: "invalid_client",
              error_description: `bad Apple client secret: ${String(error)}`,
            };
            return;
          }
          appleSecrets.push(secret);
          form.set("client_secret", APPLE_STATIC_SECRET);
        }
        ctx.request.body = Object.fromEntries(form);
      }
      await next();
    });
  }

  const callback = provider.callback();
  const server = http.createServer(async (req, res) => {
    try {
      if (req.url?.startsWith("/interaction/")) return await interact(req, res);
      callback(req, res);
    } catch (error) {
      res.statusCode = 500;
      res.end(String(error));
    }
  });

  async function interact(req: http.IncomingMessage, res: http.ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === "login") {
      if (!current) throw new Error("test OP: loginAs() was not called");
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: current.sub } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    // consent: grant what was asked
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    issuer,
    loginAs: (account) => {
      current = account;
      known.set(account.sub, account);
    },
    appleSecrets,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type KoaContext = {
  method: string;
  path: string;
  req: http.IncomingMessage;
  request: { body?: unknown };
  status: number;
  body: unknown;
};
