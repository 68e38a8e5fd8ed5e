import fs from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../api/app";
import { createDatabase } from "../../api/db/database";
import { migrateToLatest } from "../../api/db/migrate";
import { redactingLogger } from "../../api/http/redact";
import { keyVersion, loadWalletKey, openPrivateKey } from "../../api/lib/walletKey";
import type { Mail } from "../../api/services/console/mailer";
import { EMAIL_SIGN_IN_OFF } from "../../api/services/console/signIn/emailCodes";
import { loadConfig } from "../../config/env";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { Client, type ConsoleApi, codeFromMailbox, startConsoleApi } from "./harness";
import { type ReceivedMail, startSmtpServer } from "./smtpServer";

// Secrets — sign-in codes, session tokens, CSRF tokens, managed-wallet keys — never reach the
// logs (captured at debug level), nor the database in clear. Codes go out by SMTP when SMTP_URL
// is set; without it, a local deployment writes them to the dev mailbox folder (never the log) and
// any other deployment turns email sign-in off.

let database: TestDatabase;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let api: ConsoleApi;

beforeAll(async () => {
  database = await createTestDatabase("console_secrets");
  smtp = await startSmtpServer();
  api = await startConsoleApi({
    databaseUrl: database.url,
    env: { SMTP_URL: smtp.url, SMTP_FROM: "Console <console@example.com>" },
  });
});
afterAll(async () => {
  await api?.stop();
  await smtp?.stop();
  await database?.drop();
});

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back.
type Any = any;

const codeOf = (mail: ReceivedMail) => /^Subject: (\d{6}) is your/m.exec(mail.data)?.[1];

describe("secrets", () => {
  it("sends the code by SMTP and never logs it, the session token, the CSRF token or the wallet key", async () => {
    const email = "smtp-user@example.com";
    const c = new Client(api.url);
    expect((await c.post("/console/auth/email/start", { email })).status).toBe(202);
    const mail = smtp.mails.find((m) => m.to.includes(email))!;
    expect(mail.from).toBe("console@example.com");
    const code = codeOf(mail)!;
    expect(code).toMatch(/^\d{6}$/);
    expect(mail.data).toContain(`Your sign-in code is ${code}`);
    const verified = await c.post("/console/auth/email/verify", { email, code });
    expect(verified.status).toBe(200);
    c.csrf = verified.body.csrfToken;
    await c.get("/console/me");
    await c.post("/console/wallets/siwe/nonce", {});

    // The managed key, opened the way the API opens it, to look for it everywhere.
    const db = createDatabase(database.url, { poolMax: 1, statementTimeoutMs: 5_000 });
    const row = await db
      .selectFrom("console.wallets")
      .selectAll()
      .where("kind", "=", "managed")
      .executeTakeFirstOrThrow();
    const sessions = await db.selectFrom("console.sessions").select("token_hash").execute();
    const codes = await db.selectFrom("console.email_codes").select("code_hash").execute();
    await db.destroy();
    const walletKey = loadWalletKey({ fromEnv: null, fromFile: null, dataDir: api.dataDir });
    const privateKey = openPrivateKey(
      walletKey,
      { ciphertext: row.key_ciphertext!, iv: row.key_iv!, tag: row.key_tag!, version: row.key_version! },
      row.address,
    ).toString("hex");
    expect(row.key_version).toBe(keyVersion(walletKey.key));
    expect(row.key_ciphertext!.toString("hex")).not.toContain(privateKey);

    const token = c.cookies.get("dimo_session")!;
    const logs = api.logs.join("\n");
    expect(logs).toContain('"route":"/console/auth/email/verify"'); // the capture works
    for (const secret of [code, token, c.csrf!, privateKey, walletKey.key.toString("hex")]) {
      expect(logs).not.toContain(secret);
    }
    // Stored hashed: neither the token nor the code is in its table.
    expect(sessions.some((s) => s.token_hash.toString("utf8").includes(token))).toBe(false);
    expect(codes.every((r) => r.code_hash.length === 32)).toBe(true);
  });

  it("censors known secret paths in anything logged through the app's logger", () => {
    const lines: string[] = [];
    const logger = redactingLogger(pino({ level: "info" }, { write: (l: string) => void lines.push(l) }));
    logger.info(
      {
        headers: { cookie: "dimo_session=abc", "x-csrf-token": "csrf1", authorization: "Bearer t" },
        sessionToken: "tok1",
        emailCode: "123456",
        account: { privateKey: "0xdeadbeef", token: "tok2" },
        err: { code: "23505" },
      },
      "probe",
    );
    const out = lines.join("");
    for (const s of ["abc", "csrf1", "Bearer t", "tok1", "123456", "0xdeadbeef", "tok2"])
      expect(out).not.toContain(s);
    expect(out).toContain('"code":"23505"');
  });
});

describe("dev mailbox (no SMTP_URL)", () => {
  it("writes the code to DATA_DIR/mailbox/*.eml (0600 in a 0700 folder) and never logs it, at any level", async () => {
    const dev = await startConsoleApi({ databaseUrl: database.url });
    try {
      const c = new Client(dev.url);
      const me = await c.signIn("dev-mailbox@example.com", dev.dataDir);
      const code = await codeFromMailbox(dev.dataDir, "dev-mailbox@example.com");
      expect(dev.logs.length).toBeGreaterThan(0); // captured at debug
      expect(dev.logs.filter((l) => l.includes(code))).toEqual([]);
      const written = dev.logs
        .map((l) => JSON.parse(l))
        .find((l) => l.msg === "dev mailbox: message written");
      expect(written).toMatchObject({
        to: "dev-mailbox@example.com",
        file: expect.stringMatching(/mailbox\/.+\.eml$/),
      });
      expect(fs.statSync(written.file).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.dirname(written.file)).mode & 0o777).toBe(0o700);
      const logs = dev.logs.join("\n");
      expect(logs).not.toContain(c.cookies.get("dimo_session")!);
      expect(logs).not.toContain(me.csrfToken);
      // The sign-in page learns where to look, without a server path (DATA_DIR is outside the cwd here).
      const settings = (await (await fetch(`${dev.url}/console/settings`)).json()) as Record<string, Any>;
      expect(settings.signIn.email).toEqual({ delivery: "devMailbox", devMailbox: "$DATA_DIR/mailbox/" });
    } finally {
      await dev.stop();
    }
  });

  it("is local only: with a public PUBLIC_URL and no SMTP_URL, email sign-in answers 503 and writes no mail", async () => {
    const prod = await startConsoleApi({
      databaseUrl: database.url,
      env: { PUBLIC_URL: "https://console.example" },
    });
    try {
      const post = (p: string, body: unknown) =>
        fetch(`${prod.url}${p}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      for (const res of [
        await post("/console/auth/email/start", { email: "prod@example.com" }),
        await post("/console/auth/email/verify", { email: "prod@example.com", code: "123456" }),
      ]) {
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({ error: { code: "unavailable", message: EMAIL_SIGN_IN_OFF } });
      }
      expect(fs.existsSync(path.join(prod.dataDir, "mailbox"))).toBe(false);
      const settings = (await (await fetch(`${prod.url}/console/settings`)).json()) as Record<string, Any>;
      expect(settings.signIn.email).toEqual({ delivery: "off", devMailbox: null });
      expect(prod.logs.some((l) => l.includes("email sign-in is off"))).toBe(true);
    } finally {
      await prod.stop();
    }
  });
});

describe("cookies outside localhost", () => {
  it("uses a Secure __Host- cookie and ignores a plain one", async () => {
    const db = createDatabase(database.url, { poolMax: 2, statementTimeoutMs: 5_000 });
    await migrateToLatest(db);
    const sent: Mail[] = [];
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    const app = createApp({
      db,
      clock: () => new Date(),
      logger: pino({ level: "silent" }, sink),
      config: loadConfig({ PUBLIC_URL: "https://console.example", API_SECRET: "x".repeat(40) }),
      chain: { headBlock: async () => 1n },
      secret: Buffer.alloc(32, 1),
      walletKey: { key: Buffer.alloc(32, 2), version: keyVersion(Buffer.alloc(32, 2)) },
      mailer: { kind: "mailbox", send: async (m) => void sent.push(m) },
    });
    try {
      const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
        app.request(path, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify(body),
        });
      const email = "secure-cookie@example.com";
      expect((await post("/console/auth/email/start", { email })).status).toBe(202);
      const code = /^(\d{6})/.exec(sent.at(-1)!.subject)![1]!;
      const res = await post("/console/auth/email/verify", { email, code });
      expect(res.status).toBe(200);
      const cookie = res.headers.get("set-cookie")!;
      expect(cookie).toMatch(
        /^__Host-dimo_session=[A-Za-z0-9_-]{43}; Max-Age=2592000; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
      );
      const token = /^__Host-dimo_session=([^;]+)/.exec(cookie)![1]!;
      expect(
        (await app.request("/console/me", { headers: { cookie: `__Host-dimo_session=${token}` } })).status,
      ).toBe(200);
      expect(
        (await app.request("/console/me", { headers: { cookie: `dimo_session=${token}` } })).status,
      ).toBe(401);
      // Origin: PUBLIC_URL's origin passes, its http twin does not.
      expect(
        (await post("/console/auth/email/start", { email }, { origin: "https://console.example" })).status,
      ).toBe(202);
      expect(
        (await post("/console/auth/email/start", { email }, { origin: "http://console.example" })).status,
      ).toBe(403);
    } finally {
      await db.destroy();
    }
  });
});
