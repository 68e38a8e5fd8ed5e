import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import { InvalidRequestError } from "../../errors";

// One-time login challenges in Postgres (console.login_challenge), so any replica can take the
// submission. Consumed with a single conditional UPDATE: of two concurrent submissions, exactly
// one gets the row back; the other, like any replay, is refused.

export type ChallengeFlow = "web3" | "siwe";

export type NewChallenge = {
  flow: ChallengeFlow;
  key: string;
  clientId: string;
  domain: string | null;
  audience: string[] | null;
  oidcNonce: string | null;
  message: string;
  createdAt: Date;
  expiresAt: Date;
};

export type ConsumedChallenge = {
  clientId: string;
  domain: string | null;
  audience: string[] | null;
  oidcNonce: string | null;
  message: string;
};

/** 256 random bits, base64url: the web3 flow's `state`. */
export const newState = (): string => randomBytes(32).toString("base64url");

/** Rows this long past expiry are deleted, now and then, by whoever creates a challenge. */
const KEEP_EXPIRED_MS = 3_600_000;
const PRUNE_EVERY = 256;

export function challengeStore(db: Kysely<Database>) {
  let created = 0;

  async function prune(now: Date) {
    await db
      .deleteFrom("console.login_challenge")
      .where("expires_at", "<", new Date(now.getTime() - KEEP_EXPIRED_MS))
      .execute();
  }

  return {
    async create(c: NewChallenge): Promise<void> {
      await db
        .insertInto("console.login_challenge")
        .values({
          flow: c.flow,
          key: c.key,
          client_id: c.clientId,
          domain: c.domain,
          audience: c.audience === null ? null : JSON.stringify(c.audience),
          oidc_nonce: c.oidcNonce,
          message: c.message,
          created_at: c.createdAt,
          expires_at: c.expiresAt,
        })
        .execute();
      // Housekeeping off the request path; a failure only delays it to the next round.
      if (++created % PRUNE_EVERY === 0) prune(c.createdAt).catch(() => {});
    },

    /**
     * Marks the challenge used and returns it, or throws a 400 saying why not (unknown, already
     * used, expired). Whatever the submission's outcome afterwards, the challenge stays used.
     */
    async consume(flow: ChallengeFlow, key: string, now: Date): Promise<ConsumedChallenge> {
      const row = await db
        .updateTable("console.login_challenge")
        .set({ consumed_at: now })
        .where("flow", "=", flow)
        .where("key", "=", key)
        .where("consumed_at", "is", null)
        .where("expires_at", ">", now)
        .returning(["client_id", "domain", "audience", "oidc_nonce", "message"])
        .executeTakeFirst();
      if (row) {
        return {
          clientId: row.client_id,
          domain: row.domain,
          audience: row.audience,
          oidcNonce: row.oidc_nonce,
          message: row.message,
        };
      }
      const what = flow === "web3" ? "state" : "nonce";
      const seen = await db
        .selectFrom("console.login_challenge")
        .select(["consumed_at", "expires_at"])
        .where("flow", "=", flow)
        .where("key", "=", key)
        .executeTakeFirst();
      if (!seen) throw new InvalidRequestError(`Unknown ${what}: request a new challenge`);
      if (seen.consumed_at !== null)
        throw new InvalidRequestError("Challenge already used: request a new challenge");
      throw new InvalidRequestError("Challenge expired: request a new challenge");
    },
  };
}

export type ChallengeStore = ReturnType<typeof challengeStore>;
