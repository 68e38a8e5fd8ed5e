import type { Kysely } from "kysely";
import type { Database } from "../../../db/database";
import { ConflictError, NotFoundError } from "../../../errors";
import { EmailMismatchError, normalizeEmail } from "./accounts";

export type Identity = {
  provider: string;
  subject: string;
  /** The provider's verified email when it was linked (normalized). */
  email: string;
  accountId: string;
  createdAt: Date;
  lastUsedAt: Date | null;
};

/**
 * Sign-in identities (OAuth/OIDC providers and the like) of accounts. Linking is refused when the
 * provider's verified email is not the account's: one account per email, never merged silently.
 */
export function identityService(deps: { db: Kysely<Database>; clock: () => Date }) {
  const { db, clock } = deps;
  const columns = ["provider", "subject", "email", "account_id", "created_at", "last_used_at"] as const;
  const shape = (r: {
    provider: string;
    subject: string;
    email: string;
    account_id: string;
    created_at: Date;
    last_used_at: Date | null;
  }): Identity => ({
    provider: r.provider,
    subject: r.subject,
    email: r.email,
    accountId: r.account_id,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
  });

  return {
    async find(provider: string, subject: string): Promise<Identity | null> {
      const row = await db
        .selectFrom("console.identities")
        .select(columns)
        .where("provider", "=", provider)
        .where("subject", "=", subject)
        .executeTakeFirst();
      return row ? shape(row) : null;
    },

    async list(accountId: string): Promise<Identity[]> {
      const rows = await db
        .selectFrom("console.identities")
        .select(columns)
        .where("account_id", "=", accountId)
        .orderBy("created_at")
        .orderBy("id")
        .execute();
      return rows.map(shape);
    },

    /**
     * Links a provider identity to a signed-in account. Refused with EmailMismatchError (403)
     * when `email` (the provider's verified email) is not the account's, and with ConflictError
     * (409) when the identity already belongs to another account. Idempotent otherwise.
     */
    async link(accountId: string, provider: string, subject: string, email: string): Promise<Identity> {
      const normalized = normalizeEmail(email);
      return db.transaction().execute(async (trx) => {
        const account = await trx
          .selectFrom("console.accounts")
          .select("email")
          .where("id", "=", accountId)
          .executeTakeFirst();
        if (!account) throw new NotFoundError("No such account");
        if (account.email !== normalized) {
          throw new EmailMismatchError(
            `This ${provider} account's email is not the email of the account you are signed in with; sign in with a ${provider} account that uses your console email`,
          );
        }
        const now = clock();
        const inserted = await trx
          .insertInto("console.identities")
          .values({
            account_id: accountId,
            provider,
            subject,
            email: normalized,
            created_at: now,
            last_used_at: now,
          })
          .onConflict((oc) => oc.columns(["provider", "subject"]).doNothing())
          .returning(columns)
          .executeTakeFirst();
        if (inserted) return shape(inserted);
        const existing = await trx
          .selectFrom("console.identities")
          .select(columns)
          .where("provider", "=", provider)
          .where("subject", "=", subject)
          .executeTakeFirstOrThrow();
        if (existing.account_id !== accountId) {
          throw new ConflictError(`This ${provider} account is already linked to another console account`);
        }
        return shape(existing);
      });
    },

    async unlink(accountId: string, provider: string, subject: string): Promise<void> {
      const result = await db
        .deleteFrom("console.identities")
        .where("account_id", "=", accountId)
        .where("provider", "=", provider)
        .where("subject", "=", subject)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0)
        throw new NotFoundError(`No ${provider} identity on this account`);
    },
  };
}

export type IdentityService = ReturnType<typeof identityService>;
