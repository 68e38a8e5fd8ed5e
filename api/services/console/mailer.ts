import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import nodemailer from "nodemailer";
import type { Logger } from "pino";

export type Mail = { to: string; subject: string; text: string };

export type Mailer = {
  send(mail: Mail): Promise<void>;
  /** "smtp", or "mailbox" (dev: the log and `${dataDir}/mailbox/`). */
  readonly kind: "smtp" | "mailbox";
};

export const MAILBOX_DIR = "mailbox";

/** The dev mailbox folder of a DATA_DIR (where a local developer reads sign-in codes). */
export const mailboxDir = (dataDir: string) => path.resolve(dataDir, MAILBOX_DIR);

/**
 * SMTP (`SMTP_URL`) in production. Without it, on a local deployment only (config/env.ts decides),
 * every message is written as an .eml file (0600, in a 0700 folder) to `${dataDir}/mailbox/`, so
 * a developer can sign in with nothing configured: they read the code in that file. No message
 * content (a sign-in code is in the subject) is ever logged, at any level, in any mode.
 */
export function createMailer(opts: {
  smtpUrl: string | null;
  from: string;
  dataDir: string;
  logger: Logger;
}): Mailer {
  const { logger } = opts;
  if (opts.smtpUrl) {
    const transport = nodemailer.createTransport({
      url: opts.smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    return {
      kind: "smtp",
      async send(mail) {
        const info = await transport.sendMail({ from: opts.from, ...mail });
        logger.debug({ messageId: info.messageId }, "mail sent");
      },
    };
  }
  const dir = mailboxDir(opts.dataDir);
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  return {
    kind: "mailbox",
    async send(mail) {
      const info = await transport.sendMail({ from: opts.from, ...mail });
      await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
      // Sortable by time, unique across replicas sharing the folder.
      const name = `${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBytes(4).toString("hex")}.eml`;
      const file = path.join(dir, name);
      await fs.promises.writeFile(file, info.message as Buffer, { mode: 0o600 });
      logger.info({ to: mail.to, file }, "dev mailbox: message written");
    },
  };
}
