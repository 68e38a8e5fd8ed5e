import { randomInt } from "node:crypto";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Database } from "../../../db/database";
import { RateLimitedError, UnauthenticatedError, UnavailableError } from "../../../errors";
import { loggable } from "../../../lib/loggable";
import { hmacSha256, safeEqual } from "../../../lib/tokens";
import type { RateLimiter } from "../../rateLimits";
import { parseEmail } from "../accounts/accounts";
import type { Mailer } from "../mailer";

export const CODE_TTL_SECONDS = 600;
const MAX_CODE_ATTEMPTS = 5;

/** One message for every failure a guesser could tell apart (unknown email, wrong, expired, used). */
export const INVALID_CODE = "Invalid or expired sign-in code; request a new one if needed";

export const EMAIL_SIGN_IN_OFF =
  "Email sign-in is off on this server: it has no SMTP_URL, and the dev mailbox only serves local " +
  "deployments. Sign in with a passkey or a provider, or ask the operator to set SMTP_URL";

/** Per client IP and per (email, IP) in the limiter's window; per email (all IPs) per day. */
type EmailCodeLimits = {
  limiter: RateLimiter;
  codesPerIp: number;
  codesPerEmail: number;
  codesPerEmailDay: number;
  verifyPerIp: number;
  verifyPerEmail: number;
  verifyPerEmailDay: number;
};

const DAY_SECONDS = 86_400;

export type EmailCodeServiceDeps = {
  db: Kysely<Database>;
  clock: () => Date;
  /** deriveKey(secret, "email-code"): codes are stored as HMACs under it. */
  key: Buffer;
  /** Null: no way to deliver a code here (no SMTP_URL outside a local deployment); routes answer 503. */
  mailer: Mailer | null;
  limits: EmailCodeLimits;
  logger: Logger;
};

type VerifyOutcome = "ok" | "invalid" | "exhausted";

/**
 * One-time email sign-in codes. Requesting a code never looks at accounts, so the answer and its
 * timing are the same whether or not the email has an account. Each email has at most one live
 * code (a new request supersedes the old one); a code lives 10 minutes and allows 5 guesses.
 *
 * Limits cannot be turned against the email's owner: sends and guesses are counted per client IP
 * and per (email, IP), so an attacker's address only uses up its own allowance; the daily cap per
 * email (which bounds mail to one inbox and guesses on one account from many addresses) counts only
 * attempts the first two allowed, and is set above what one address can reach (config/env.ts).
 */
export function emailCodeService(deps: EmailCodeServiceDeps) {
  const { db, clock, limits } = deps;
  const mailer = () => {
    if (!deps.mailer) throw new UnavailableError(EMAIL_SIGN_IN_OFF);
    return deps.mailer;
  };
  const hash = (email: string, code: string) => hmacSha256(deps.key, email, code);

  return {
    async request(email: string, ip: string): Promise<void> {
      const send = mailer();
      const normalized = parseEmail(email);
      await limits.limiter.consumeAll(
        [
          {
            key: `code_ip:${ip}`,
            points: limits.codesPerIp,
            message: "Too many sign-in codes requested from this network; try again later",
          },
          { key: `code_email_ip:${normalized}|${ip}`, points: limits.codesPerEmail },
          {
            key: `code_email_day:${normalized}`,
            points: limits.codesPerEmailDay,
            windowSeconds: DAY_SECONDS,
            ceiling: true,
            message: "Too many sign-in codes requested for this email today; try again tomorrow",
          },
        ],
        "Too many sign-in codes requested for this email; try again later",
      );
      const code = randomInt(0, 1_000_000).toString().padStart(6, "0");
      const now = clock();
      await db.transaction().execute(async (trx) => {
        // Old rows of this email serve nothing any more; removing them here keeps the table bounded.
        await trx
          .deleteFrom("console.email_codes")
          .where("email", "=", normalized)
          .where("created_at", "<", new Date(now.getTime() - 86_400_000))
          .execute();
        await trx
          .updateTable("console.email_codes")
          .set({ consumed_at: now })
          .where("email", "=", normalized)
          .where("consumed_at", "is", null)
          .execute();
        await trx
          .insertInto("console.email_codes")
          .values({
            email: normalized,
            code_hash: hash(normalized, code),
            created_at: now,
            expires_at: new Date(now.getTime() + CODE_TTL_SECONDS * 1000),
          })
          .execute();
      });
      try {
        await send.send({
          to: normalized,
          subject: `${code} is your DIMO Developer Console sign-in code`,
          text:
            `Your sign-in code is ${code}\n\nIt expires in ${CODE_TTL_SECONDS / 60} minutes. ` +
            "If you did not ask for it, ignore this email: nobody can sign in without the code.\n",
        });
      } catch (error) {
        // Same answer either way: a delivery failure must not tell callers anything about the address.
        deps.logger.warn({ error: loggable(error) }, "sign-in code email not sent");
      }
    },

    /** The normalized email once `code` proves it; consumes the code. */
    async verify(email: string, code: string, ip: string): Promise<string> {
      mailer();
      const normalized = parseEmail(email);
      await limits.limiter.consumeAll(
        [
          {
            key: `verify_ip:${ip}`,
            points: limits.verifyPerIp,
            message: "Too many sign-in attempts from this network; try again later",
          },
          { key: `verify_email_ip:${normalized}|${ip}`, points: limits.verifyPerEmail },
          {
            key: `verify_email_day:${normalized}`,
            points: limits.verifyPerEmailDay,
            windowSeconds: DAY_SECONDS,
            ceiling: true,
            message: "Too many sign-in attempts for this email today; try again tomorrow",
          },
        ],
        "Too many sign-in attempts for this email; try again later",
      );
      const now = clock();
      // Decided inside the transaction, thrown after it: a wrong guess must commit its attempt.
      const outcome = await db.transaction().execute(async (trx): Promise<VerifyOutcome> => {
        const row = await trx
          .selectFrom("console.email_codes")
          .select(["id", "code_hash", "expires_at", "attempts"])
          .where("email", "=", normalized)
          .where("consumed_at", "is", null)
          .orderBy("id", "desc")
          .limit(1)
          .forUpdate()
          .executeTakeFirst();
        if (!row || row.expires_at.getTime() <= now.getTime()) return "invalid";
        if (row.attempts >= MAX_CODE_ATTEMPTS) return "exhausted";
        if (safeEqual(row.code_hash, hash(normalized, code))) {
          await trx
            .updateTable("console.email_codes")
            .set({ consumed_at: now })
            .where("id", "=", row.id)
            .execute();
          return "ok";
        }
        const attempts = row.attempts + 1;
        await trx.updateTable("console.email_codes").set({ attempts }).where("id", "=", row.id).execute();
        return attempts >= MAX_CODE_ATTEMPTS ? "exhausted" : "invalid";
      });
      if (outcome === "exhausted") {
        throw new RateLimitedError("Too many wrong codes; request a new sign-in code");
      }
      if (outcome === "invalid") throw new UnauthenticatedError(INVALID_CODE);
      return normalized;
    },
  };
}

export type EmailCodeService = ReturnType<typeof emailCodeService>;
