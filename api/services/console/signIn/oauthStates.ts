import type { Kysely } from "kysely";
import type { Database } from "../../../db/database";
import { InvalidRequestError } from "../../../errors";
import { sha256 } from "../../../lib/tokens";

export type PendingSignIn = {
  provider: string;
  codeVerifier: string;
  nonce: string | null;
  returnTo: string;
  /** Set when a signed-in account started the flow to link the provider to itself. */
  link: { accountId: string; sessionId: string } | null;
};

/** Expired rows are swept by whichever start comes next; this many at a time keeps it cheap. */
const SWEEP_BATCH = 500;

/**
 * Pending provider sign-ins in Postgres: any replica can finish what another started. A row is
 * found by SHA-256(state), must be presented by the browser that started it (cookie hash), and is
 * consumed by the first callback that names it, whatever happens next.
 */
export function oauthStateStore(deps: { db: Kysely<Database>; clock: () => Date; ttlSeconds: number }) {
  const { db, clock } = deps;
  return {
    async save(state: string, browserToken: string, pending: PendingSignIn): Promise<void> {
      const now = clock();
      await db
        .deleteFrom("console.oauth_states")
        .where("state_hash", "in", (q) =>
          q
            .selectFrom("console.oauth_states")
            .select("state_hash")
            .where("expires_at", "<", now)
            .limit(SWEEP_BATCH),
        )
        .execute();
      await db
        .insertInto("console.oauth_states")
        .values({
          state_hash: sha256(state),
          provider: pending.provider,
          browser_hash: sha256(browserToken),
          code_verifier: pending.codeVerifier,
          nonce: pending.nonce,
          return_to: pending.returnTo,
          link_account_id: pending.link?.accountId ?? null,
          link_session_id: pending.link?.sessionId ?? null,
          created_at: now,
          expires_at: new Date(now.getTime() + deps.ttlSeconds * 1000),
        })
        .execute();
    },

    /**
     * Consumes the pending sign-in of `state` for `provider`, or refuses with a 400 that says
     * why. The row is spent even when the browser check fails: a state is never tried twice.
     */
    async consume(provider: string, state: string, browserToken: string | undefined): Promise<PendingSignIn> {
      const now = clock();
      const row = await db
        .updateTable("console.oauth_states")
        .set({ consumed_at: now })
        .where("state_hash", "=", sha256(state))
        .where("consumed_at", "is", null)
        .returningAll()
        .executeTakeFirst();
      const restart = "start again from the console";
      if (!row || row.provider !== provider) {
        throw new InvalidRequestError(`This ${provider} sign-in is unknown or was already used; ${restart}`);
      }
      if (row.expires_at.getTime() <= now.getTime()) {
        throw new InvalidRequestError(`This ${provider} sign-in took too long and expired; ${restart}`);
      }
      if (!browserToken || !sha256(browserToken).equals(row.browser_hash)) {
        // Login CSRF: someone else's authorization response replayed into this browser.
        throw new InvalidRequestError(`This ${provider} sign-in was started in another browser; ${restart}`);
      }
      return {
        provider: row.provider,
        codeVerifier: row.code_verifier,
        nonce: row.nonce,
        returnTo: row.return_to,
        link:
          row.link_account_id && row.link_session_id
            ? { accountId: row.link_account_id, sessionId: row.link_session_id }
            : null,
      };
    },

    /** Whether the session that started a link is still signed in (not revoked, not expired). */
    async sessionLive(sessionId: string, idleSeconds: number): Promise<boolean> {
      const row = await db
        .selectFrom("console.sessions")
        .select(["revoked_at", "expires_at", "last_seen_at"])
        .where("id", "=", sessionId)
        .executeTakeFirst();
      if (!row || row.revoked_at !== null) return false;
      const now = clock().getTime();
      return now < row.expires_at.getTime() && now < row.last_seen_at.getTime() + idleSeconds * 1000;
    },
  };
}

export type OAuthStateStore = ReturnType<typeof oauthStateStore>;
