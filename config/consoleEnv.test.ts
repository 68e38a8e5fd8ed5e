import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseKey32 } from "./env";

const errorOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    return e as ConfigError;
  }
  throw new Error("expected a ConfigError");
};

describe("console configuration", () => {
  it("defaults: dev mailbox, key file, 7-day idle and 30-day absolute sessions, sign-in limits", () => {
    expect(loadConfig({}).console).toEqual({
      smtpUrl: null,
      mail: "mailbox",
      smtpFrom: "DIMO Developer Console <no-reply@localhost>",
      walletEncryptionKey: null,
      walletEncryptionKeyFile: null,
      sessionIdleSeconds: 604_800,
      sessionMaxSeconds: 2_592_000,
      trustProxyHops: 0,
      rateLimits: {
        windowSeconds: 3_600,
        codesPerEmail: 5,
        codesPerIp: 20,
        verifyPerEmail: 15,
        verifyPerIp: 50,
        codesPerEmailDay: 150,
        verifyPerEmailDay: 400,
      },
      signerExpiryWarningDays: 30,
    });
  });

  it("keeps the dev mailbox to local deployments: no SMTP_URL on polygon, amoy or a public PUBLIC_URL turns mail off", () => {
    const mail = (env: Record<string, string>) => loadConfig(env).console.mail;
    const rpc = { RPC_URL: "https://rpc.example" };
    expect(mail({ PUBLIC_URL: "http://127.0.0.1:3000" })).toBe("mailbox");
    expect(mail({ PUBLIC_URL: "https://console.example" })).toBe("off");
    expect(mail({ ...rpc, DIMO_NETWORK: "amoy" })).toBe("off");
    expect(mail({ ...rpc, DIMO_NETWORK: "polygon" })).toBe("off");
    expect(mail({ ...rpc, DIMO_NETWORK: "polygon", SMTP_URL: "smtps://u:p@mail.example:465" })).toBe("smtp");
  });

  it("reads WALLET_ENCRYPTION_KEY as hex or base64 (32 bytes)", () => {
    const key = Buffer.alloc(32, 0xab);
    for (const text of [
      key.toString("hex"),
      `0x${key.toString("hex")}`,
      key.toString("base64"),
      key.toString("base64url"),
    ]) {
      expect(loadConfig({ WALLET_ENCRYPTION_KEY: text }).console.walletEncryptionKey).toEqual(key);
    }
    expect(parseKey32("ab".repeat(31))).toBeNull();
    expect(parseKey32(Buffer.alloc(31).toString("base64"))).toBeNull();
  });

  it.each([
    [{ WALLET_ENCRYPTION_KEY: "tooshort-secret" }, "WALLET_ENCRYPTION_KEY"],
    [{ SMTP_URL: "https://mail.example" }, "SMTP_URL"],
    [{ SESSION_IDLE_SECONDS: "10" }, "SESSION_IDLE_SECONDS"],
    [{ SESSION_IDLE_SECONDS: "7200", SESSION_MAX_SECONDS: "3600" }, "SESSION_IDLE_SECONDS"],
    [{ RATE_LIMIT_CODES_PER_EMAIL: "0" }, "RATE_LIMIT_CODES_PER_EMAIL"],
    [
      { WALLET_ENCRYPTION_KEY: "ab".repeat(32), WALLET_ENCRYPTION_KEY_FILE: "/run/secrets/wallet" },
      "WALLET_ENCRYPTION_KEY_FILE",
    ],
    [{ API_SECRET: "s".repeat(32), API_SECRET_FILE: "/run/secrets/api" }, "API_SECRET_FILE"],
    [{ INDEXER_DATABASE_URL: "postgresql://indexer@db.example/dimo" }, "INDEXER_DATABASE_URL"],
    // A shared cap one address could use up alone (25 hourly windows × 5 = 125).
    [{ RATE_LIMIT_CODES_PER_EMAIL_DAY: "125" }, "RATE_LIMIT_CODES_PER_EMAIL_DAY"],
    [{ RATE_LIMIT_VERIFY_PER_EMAIL: "20" }, "RATE_LIMIT_VERIFY_PER_EMAIL_DAY"],
    [{ LOGIN_RATE_LIMIT_PER_CLIENT_GLOBAL: "60" }, "LOGIN_RATE_LIMIT_PER_CLIENT_GLOBAL"],
  ])("refuses %o naming the variable", (env, variable) => {
    const error = errorOf(env);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.variable).toBe(variable);
  });

  it("takes API_SECRET_FILE and WALLET_ENCRYPTION_KEY_FILE as paths, read only when the API starts", () => {
    const config = loadConfig({
      API_SECRET_FILE: "/run/secrets/api-secret",
      WALLET_ENCRYPTION_KEY_FILE: "/run/secrets/wallet-key",
    });
    expect(config.api.secretFile).toBe("/run/secrets/api-secret");
    expect(config.console.walletEncryptionKeyFile).toBe("/run/secrets/wallet-key");
  });

  it("never echoes a secret value in the error line", () => {
    const error = errorOf({ WALLET_ENCRYPTION_KEY: "my-secret-but-wrong-key" });
    expect(error.message).not.toContain("my-secret");
    expect(errorOf({ SMTP_URL: "http://user:hunter2@mail" }).message).not.toContain("hunter2");
  });
});
