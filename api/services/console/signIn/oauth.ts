import * as client from "openid-client";
import {
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  NotFoundError,
  UnavailableError,
} from "../../../errors";
import { randomToken } from "../../../lib/tokens";
import { type AccountService, EmailMismatchError, normalizeEmail } from "../accounts/accounts";
import type { IdentityService } from "../accounts/identities";
import type { OAuthStateStore } from "./oauthStates";
import { type OAuthProvider, PROVIDER_NAMES, type ProviderName } from "./providers";

export type OAuthOutcome = {
  accountId: string;
  returnTo: string;
  /** True when a signed-in account linked the provider; false for a sign-in. */
  linked: boolean;
};

export type OAuthSignInDeps = {
  providers: Partial<Record<ProviderName, OAuthProvider>>;
  states: OAuthStateStore;
  accounts: AccountService;
  identities: IdentityService;
  publicUrl: string;
  /** Idle session lifetime: a link finishes only while the session that started it is alive. */
  sessionIdleSeconds: number;
};

/** Token-endpoint and ID-token failures the browser's answer caused (400), not outages (503). */
const REJECTED = new Set([
  "OAUTH_JWT_CLAIM_COMPARISON_FAILED",
  "OAUTH_JWT_TIMESTAMP_CHECK_FAILED",
  "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED",
  "OAUTH_INVALID_RESPONSE",
  "OAUTH_KEY_SELECTION_FAILED",
]);

const printable = (text: string) => text.replace(/[^\x20-\x7e]/g, "").slice(0, 200);

/** An OAuth `error` in a 200 body (GitHub answers token errors that way), from the cause chain. */
function errorInBody(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const body = (e as { body?: { error?: unknown } }).body;
    if (typeof body?.error === "string") return body.error;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

function exchangeFailure(label: string, error: unknown): Error {
  const restart = "start again from the console";
  const refused =
    error instanceof client.ResponseBodyError && error.status < 500 ? error.error : errorInBody(error);
  if (refused) {
    return new InvalidRequestError(`${label} refused the sign-in code (${printable(refused)}); ${restart}`);
  }
  if (error instanceof client.AuthorizationResponseError) {
    return new InvalidRequestError(`${label} refused the sign-in (${printable(error.error)}); ${restart}`);
  }
  if (error instanceof client.ClientError && error.code && REJECTED.has(error.code)) {
    // The library's cause says which check failed (e.g. 'unexpected ID Token "nonce" claim value').
    const detail = error.cause instanceof Error ? error.cause.message : error.message;
    return new InvalidRequestError(`${label}'s answer failed validation: ${printable(detail)}; ${restart}`);
  }
  return new UnavailableError(
    `${label} could not complete the sign-in right now; try again shortly`,
    undefined,
    {
      cause: error,
    },
  );
}

/**
 * Sign-in and linking with Google, Apple and GitHub: authorization code + PKCE (S256) + state,
 * and a nonce for the OIDC providers, all kept server-side until the callback spends them.
 */
export function oauthSignIn(deps: OAuthSignInDeps) {
  const callbackUrl = (name: ProviderName) => `${deps.publicUrl}/console/auth/${name}/callback`;

  const provider = (name: string): OAuthProvider => {
    if (!(PROVIDER_NAMES as readonly string[]).includes(name)) {
      throw new NotFoundError(
        `No sign-in provider named ${printable(name)} (known: ${PROVIDER_NAMES.join(", ")})`,
      );
    }
    const p = deps.providers[name as ProviderName];
    if (!p) throw new NotFoundError(`provider ${name} is not configured on this server`);
    return p;
  };

  /** Links the provider identity to the account that started the flow, or refuses with why. */
  async function link(p: OAuthProvider, accountId: string, subject: string, email: string) {
    const account = await deps.accounts.byId(accountId);
    if (!account) throw new InvalidRequestError("The account that started this link no longer exists");
    // Said here with the provider's email (the person's own), before the identity service's check.
    if (account.email !== normalizeEmail(email)) {
      throw new EmailMismatchError(
        `This ${p.label} account's email ${email} differs from your console account's email; ` +
          `sign in to ${p.label} with the account that uses your console email, then link again`,
      );
    }
    const existing = await deps.identities.find(p.name, subject);
    if (existing && existing.accountId !== accountId) {
      throw new ConflictError(`This ${p.label} account is already linked to another console account`);
    }
    await deps.identities.link(accountId, p.name, subject, email);
  }

  return {
    callbackUrl,
    provider,

    /**
     * The provider's authorization URL. `browserToken` (the binding cookie) is reused when the
     * browser has one, so two tabs can sign in at once; `link` is the signed-in session, if any.
     */
    async start(
      name: string,
      opts: {
        returnTo: string;
        browserToken?: string;
        link: { accountId: string; sessionId: string } | null;
      },
    ): Promise<{ url: string; browserToken: string }> {
      const p = provider(name);
      const config = await p.configuration();
      const browserToken = opts.browserToken ?? randomToken(32);
      const state = client.randomState();
      const codeVerifier = client.randomPKCECodeVerifier();
      const nonce = p.oidc ? client.randomNonce() : null;
      await deps.states.save(state, browserToken, {
        provider: p.name,
        codeVerifier,
        nonce,
        returnTo: opts.returnTo,
        link: opts.link,
      });
      const params: Record<string, string> = {
        redirect_uri: callbackUrl(p.name),
        response_type: "code",
        scope: p.scope,
        state,
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: "S256",
      };
      if (nonce) params.nonce = nonce;
      if (p.responseMode === "form_post") params.response_mode = "form_post";
      return { url: client.buildAuthorizationUrl(config, params).href, browserToken };
    },

    /** Finishes a sign-in (or link) from the provider's answer (query or form_post fields). */
    async callback(
      name: string,
      answer: URLSearchParams,
      browserToken: string | undefined,
    ): Promise<OAuthOutcome> {
      const p = provider(name);
      const state = answer.get("state");
      if (!state) {
        throw new InvalidRequestError(`The ${p.label} answer carries no state; start again from the console`);
      }
      const pending = await deps.states.consume(p.name, state, browserToken);
      const error = answer.get("error");
      if (error) {
        const description = answer.get("error_description");
        const why =
          error === "access_denied"
            ? "the sign-in was cancelled"
            : `${printable(error)}${description ? ` (${printable(description)})` : ""}`;
        throw new ForbiddenError(`${p.label} did not sign you in: ${why}`, { reason: "provider_refused" });
      }
      if (!answer.get("code")) {
        throw new InvalidRequestError(`The ${p.label} answer carries no code; start again from the console`);
      }
      const config = await p.configuration();
      // Our own callback URL (PUBLIC_URL), not the request's: behind a proxy they differ.
      const current = new URL(callbackUrl(p.name));
      for (const [k, v] of answer) current.searchParams.append(k, v);
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(config, current, {
          expectedState: state,
          pkceCodeVerifier: pending.codeVerifier,
          ...(pending.nonce ? { expectedNonce: pending.nonce } : {}),
        });
      } catch (e) {
        throw exchangeFailure(p.label, e);
      }
      const profile = await p.profile(config, tokens);
      if (!profile.email) {
        throw new ForbiddenError(
          `${p.label} did not share an email address; allow the email permission and try again`,
          {
            reason: "email_missing",
          },
        );
      }
      if (!profile.emailVerified) {
        throw new ForbiddenError(
          `${p.label} has not verified the email of this account; verify it with ${p.label}, then sign in again`,
          { reason: "email_unverified" },
        );
      }
      if (pending.link) {
        if (!(await deps.states.sessionLive(pending.link.sessionId, deps.sessionIdleSeconds))) {
          throw new InvalidRequestError("You were signed out while linking; sign in and link again");
        }
        await link(p, pending.link.accountId, profile.subject, profile.email);
        return { accountId: pending.link.accountId, returnTo: pending.returnTo, linked: true };
      }
      const { account } = await deps.accounts.signInWithVerifiedEmail(profile.email, {
        provider: p.name,
        subject: profile.subject,
      });
      return { accountId: account.id, returnTo: pending.returnTo, linked: false };
    },
  };
}

export type OAuthSignIn = ReturnType<typeof oauthSignIn>;
