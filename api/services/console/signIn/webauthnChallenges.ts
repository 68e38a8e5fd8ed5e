import type { Kysely } from "kysely";
import type { Database } from "../../../db/database";

const SWEEP_BATCH = 500;

export type ChallengePurpose = "register" | "authenticate";

/**
 * WebAuthn challenges in Postgres (any replica verifies what another issued): single use, short
 * expiry, a registration challenge bound to the account that asked for it.
 */
export function webauthnChallengeStore(deps: {
  db: Kysely<Database>;
  clock: () => Date;
  ttlSeconds: number;
}) {
  const { db, clock } = deps;
  return {
    ttlSeconds: deps.ttlSeconds,

    async save(challenge: string, purpose: ChallengePurpose, accountId: string | null): Promise<void> {
      const now = clock();
      await db
        .deleteFrom("console.webauthn_challenges")
        .where("challenge", "in", (q) =>
          q
            .selectFrom("console.webauthn_challenges")
            .select("challenge")
            .where("expires_at", "<", now)
            .limit(SWEEP_BATCH),
        )
        .execute();
      await db
        .insertInto("console.webauthn_challenges")
        .values({
          challenge,
          purpose,
          account_id: accountId,
          created_at: now,
          expires_at: new Date(now.getTime() + deps.ttlSeconds * 1000),
        })
        .execute();
    },

    /**
     * Spends a live challenge of this purpose (and account, for registration); false when it is
     * unknown, spent, expired or someone else's. Spent even if the verification after it fails.
     */
    async consume(challenge: string, purpose: ChallengePurpose, accountId: string | null): Promise<boolean> {
      const now = clock();
      let q = db
        .updateTable("console.webauthn_challenges")
        .set({ consumed_at: now })
        .where("challenge", "=", challenge)
        .where("purpose", "=", purpose)
        .where("consumed_at", "is", null)
        .where("expires_at", ">", now);
      q = accountId === null ? q.where("account_id", "is", null) : q.where("account_id", "=", accountId);
      const row = await q.returning("challenge").executeTakeFirst();
      return row !== undefined;
    },
  };
}

export type WebAuthnChallengeStore = ReturnType<typeof webauthnChallengeStore>;
