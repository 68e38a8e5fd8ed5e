import type { Kysely } from "kysely";
import type { Database } from "../../../db/database";
import { hmacSha256, randomToken, safeEqual, sha256 } from "../../../lib/tokens";
import type { Account } from "./accounts";

export type Session = {
  id: string;
  accountId: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** Absolute expiry; the session also ends after `idleSeconds` without a request. */
  expiresAt: Date;
};

export type SessionMeta = { userAgent?: string | null; ip?: string | null };

/** last_seen_at is written at most this often per session: one write per minute, not per request. */
const TOUCH_EVERY_MS = 60_000;
const MAX_USER_AGENT = 512;

export type SessionServiceDeps = {
  db: Kysely<Database>;
  clock: () => Date;
  /** Key for CSRF tokens (deriveKey(secret, "csrf")). */
  csrfKey: Buffer;
  idleSeconds: number;
  maxSeconds: number;
};

/**
 * Cookie sessions: a 32-byte random token goes to the browser; only its SHA-256 is stored, so a
 * database leak yields no usable cookie. A session ends at its absolute expiry, after
 * `idleSeconds` without a request, or when revoked (sign-out, sign-out everywhere, rotation).
 */
export function sessionService(deps: SessionServiceDeps) {
  const { db, clock } = deps;

  const service = {
    idleSeconds: deps.idleSeconds,
    maxSeconds: deps.maxSeconds,

    /** A new session for an account; the token is returned once and never stored. */
    async create(accountId: string, meta: SessionMeta = {}): Promise<{ token: string; session: Session }> {
      const token = randomToken(32);
      const now = clock();
      const expiresAt = new Date(now.getTime() + deps.maxSeconds * 1000);
      // The account's dead sessions (past their absolute expiry) go when a new one starts.
      await db
        .deleteFrom("console.sessions")
        .where("account_id", "=", accountId)
        .where("expires_at", "<", now)
        .execute();
      const row = await db
        .insertInto("console.sessions")
        .values({
          token_hash: sha256(token),
          account_id: accountId,
          created_at: now,
          last_seen_at: now,
          expires_at: expiresAt,
          user_agent: meta.userAgent ? meta.userAgent.slice(0, MAX_USER_AGENT) : null,
          ip: meta.ip ?? null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      return { token, session: { id: row.id, accountId, createdAt: now, lastSeenAt: now, expiresAt } };
    },

    /**
     * The live session of a cookie token and its account, or null (unknown, revoked, idle too
     * long, past its absolute expiry). Refreshes last_seen_at, at most once a minute.
     */
    async authenticate(token: string): Promise<{ session: Session; account: Account } | null> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
      const now = clock();
      const row = await db
        .selectFrom("console.sessions as s")
        .innerJoin("console.accounts as a", "a.id", "s.account_id")
        .select([
          "s.id",
          "s.account_id",
          "s.created_at",
          "s.last_seen_at",
          "s.expires_at",
          "s.revoked_at",
          "a.email",
          "a.created_at as account_created_at",
        ])
        .where("s.token_hash", "=", sha256(token))
        .executeTakeFirst();
      if (!row || row.revoked_at !== null) return null;
      const idleUntil = row.last_seen_at.getTime() + deps.idleSeconds * 1000;
      if (now.getTime() >= row.expires_at.getTime() || now.getTime() >= idleUntil) return null;
      let lastSeenAt = row.last_seen_at;
      if (now.getTime() - lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
        await db
          .updateTable("console.sessions")
          .set({ last_seen_at: now })
          .where("id", "=", row.id)
          .execute();
        lastSeenAt = now;
      }
      return {
        session: {
          id: row.id,
          accountId: row.account_id,
          createdAt: row.created_at,
          lastSeenAt,
          expiresAt: row.expires_at,
        },
        account: { id: row.account_id, email: row.email, createdAt: row.account_created_at },
      };
    },

    /** Ends one session (sign-out). */
    async revoke(sessionId: string): Promise<void> {
      await db
        .updateTable("console.sessions")
        .set({ revoked_at: clock() })
        .where("id", "=", sessionId)
        .where("revoked_at", "is", null)
        .execute();
    },

    /** Ends the session of a presented cookie token, whoever it belongs to (rotation at sign-in). */
    async revokeToken(token: string): Promise<void> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return;
      await db
        .updateTable("console.sessions")
        .set({ revoked_at: clock() })
        .where("token_hash", "=", sha256(token))
        .where("revoked_at", "is", null)
        .execute();
    },

    /** Ends every session of an account (sign-out everywhere); returns how many were live. */
    async revokeAll(accountId: string): Promise<number> {
      const result = await db
        .updateTable("console.sessions")
        .set({ revoked_at: clock() })
        .where("account_id", "=", accountId)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** The CSRF token of a session: HMAC of its id, so it needs no storage and dies with it. */
    csrfToken(sessionId: string): string {
      return hmacSha256(deps.csrfKey, "csrf", sessionId).toString("base64url");
    },

    checkCsrf(sessionId: string, presented: string | undefined): boolean {
      if (!presented || presented.length > 64) return false;
      return safeEqual(Buffer.from(presented, "utf8"), Buffer.from(service.csrfToken(sessionId), "utf8"));
    },
  };
  return service;
}

export type SessionService = ReturnType<typeof sessionService>;
