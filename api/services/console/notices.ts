import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Database } from "../../db/database";
import { loggable } from "../../lib/loggable";
import type { Mailer } from "./mailer";

/** Something added to an account that lets someone act as it: a passkey, a wallet, an API key. */
export type SecurityNotice = { subject: string; what: string };

export type NoticeService = {
  /** Mails the account's email a notice; never fails (nor slows) the request that caused it. */
  send(accountId: string, notice: SecurityNotice): void;
  /** Notices still being sent (tests and shutdown wait for them). */
  settled(): Promise<void>;
};

/**
 * Security notices: whoever adds a way into an account (a session thief, say), its owner hears of
 * it at once, by the same mailer as sign-in codes. Without mail (email sign-in off) there is no
 * one to tell and nothing is sent.
 */
export function noticeService(deps: {
  db: Kysely<Database>;
  mailer: Mailer | null;
  clock: () => Date;
  publicUrl: string;
  logger: Logger;
}): NoticeService {
  const pending = new Set<Promise<void>>();

  async function deliver(accountId: string, notice: SecurityNotice) {
    const account = await deps.db
      .selectFrom("console.accounts")
      .select("email")
      .where("id", "=", accountId)
      .executeTakeFirst();
    if (!account || !deps.mailer) return;
    await deps.mailer.send({
      to: account.email,
      subject: `DIMO Developer Console: ${notice.subject}`,
      text:
        `${notice.what} on ${deps.clock().toISOString()}.\n\n` +
        `If this was you, there is nothing to do. If not, sign in at ${deps.publicUrl}, remove it, ` +
        "and sign out every session (POST /console/auth/signout-all).\n",
    });
  }

  return {
    send(accountId, notice) {
      const p = deliver(accountId, notice)
        .catch((error) => deps.logger.warn({ error: loggable(error) }, "security notice not sent"))
        .finally(() => pending.delete(p));
      pending.add(p);
    },
    async settled() {
      await Promise.all([...pending]);
    },
  };
}
