import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../../../db/database";
import { ForbiddenError, InvalidRequestError } from "../../../errors";
import type { WalletService } from "../wallets/wallets";

export type Account = { id: string; email: string; createdAt: Date };

/** A sign-in method's stable name for a person: e.g. {provider: "google", subject: "1134…"}. */
export type ProviderIdentity = { provider: string; subject: string };

/** A provider's verified email is not the account's: refused, never merged silently. */
export class EmailMismatchError extends ForbiddenError {
  override name = "EmailMismatchError";
  constructor(message: string) {
    super(message, { reason: "email_mismatch" });
  }
}

const MAX_EMAIL = 254;
const emailSchema = z.email().max(MAX_EMAIL);

/** One account per email: Unicode NFC, trimmed, lowercase (what the accounts table enforces). */
export function normalizeEmail(email: string): string {
  return email.normalize("NFC").trim().toLowerCase();
}

/** The normalized email, or a 400 naming `field` when it is not an email address. */
export function parseEmail(email: string, field = "body.email"): string {
  const normalized = normalizeEmail(email);
  if (!emailSchema.safeParse(normalized).success) {
    throw new InvalidRequestError(`${field}: must be an email address`, [
      { path: field, message: "must be an email address" },
    ]);
  }
  return normalized;
}

export type AccountServiceDeps = { db: Kysely<Database>; clock: () => Date; wallets: WalletService };

export function accountService(deps: AccountServiceDeps) {
  const { db, clock } = deps;

  const byId = async (id: string): Promise<Account | null> => {
    const row = await db
      .selectFrom("console.accounts")
      .select(["id", "email", "created_at"])
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? { id: row.id, email: row.email, createdAt: row.created_at } : null;
  };

  return {
    byId,

    /** For sign-in code only: never expose "does this email have an account" over HTTP. */
    async byEmail(email: string): Promise<Account | null> {
      const row = await db
        .selectFrom("console.accounts")
        .select(["id", "email", "created_at"])
        .where("email", "=", normalizeEmail(email))
        .executeTakeFirst();
      return row ? { id: row.id, email: row.email, createdAt: row.created_at } : null;
    },

    /**
     * Signs in whoever proved they hold `email` (a verified email code, a provider's verified
     * email). The first sign-in provisions the account with its managed wallet (one transaction);
     * a known email signs into its existing account, whatever method created it.
     *
     * With `identity`, the provider identity is remembered on the account. An identity already
     * linked to an account with another email is refused (EmailMismatchError, 403).
     */
    async signInWithVerifiedEmail(
      email: string,
      identity?: ProviderIdentity,
    ): Promise<{ account: Account; created: boolean }> {
      const normalized = parseEmail(email, "email");
      return db.transaction().execute(async (trx) => {
        const now = clock();
        if (identity) {
          const linked = await trx
            .selectFrom("console.identities as i")
            .innerJoin("console.accounts as a", "a.id", "i.account_id")
            .select(["i.id", "a.id as account_id", "a.email", "a.created_at"])
            .where("i.provider", "=", identity.provider)
            .where("i.subject", "=", identity.subject)
            .executeTakeFirst();
          if (linked) {
            if (linked.email !== normalized) {
              throw new EmailMismatchError(
                `This ${identity.provider} sign-in belongs to a console account with a different email; sign in with that account's email`,
              );
            }
            await trx
              .updateTable("console.identities")
              .set({ last_used_at: now, email: normalized })
              .where("id", "=", linked.id)
              .execute();
            return {
              account: { id: linked.account_id, email: linked.email, createdAt: linked.created_at },
              created: false,
            };
          }
        }
        // ON CONFLICT waits for a concurrent first sign-in of the same email, then finds its row.
        const inserted = await trx
          .insertInto("console.accounts")
          .values({ email: normalized, created_at: now })
          .onConflict((oc) => oc.column("email").doNothing())
          .returning(["id", "email", "created_at"])
          .executeTakeFirst();
        const row =
          inserted ??
          (await trx
            .selectFrom("console.accounts")
            .select(["id", "email", "created_at"])
            .where("email", "=", normalized)
            .executeTakeFirstOrThrow());
        if (inserted) await deps.wallets.createManaged(trx, inserted.id);
        if (identity) {
          await trx
            .insertInto("console.identities")
            .values({
              account_id: row.id,
              provider: identity.provider,
              subject: identity.subject,
              email: normalized,
              created_at: now,
              last_used_at: now,
            })
            .execute();
        }
        return {
          account: { id: row.id, email: row.email, createdAt: row.created_at },
          created: inserted !== undefined,
        };
      });
    },
  };
}

export type AccountService = ReturnType<typeof accountService>;
