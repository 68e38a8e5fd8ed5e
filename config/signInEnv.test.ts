import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type ConfigError, loadConfig } from "./env";

const appleKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({
  type: "pkcs8",
  format: "pem",
}) as string;
const apple = {
  APPLE_CLIENT_ID: "org.example.console",
  APPLE_TEAM_ID: "TEAM123456",
  APPLE_KEY_ID: "KEY1234567",
  APPLE_PRIVATE_KEY: appleKey,
};

function errorOf(env: Record<string, string>) {
  try {
    loadConfig(env);
  } catch (e) {
    return e as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("sign-in configuration (config/signIn.ts)", () => {
  it("has every provider off by default, passkeys on PUBLIC_URL's host", () => {
    const { signIn } = loadConfig({ PUBLIC_URL: "https://console.example.com/" });
    expect(signIn.google).toBeNull();
    expect(signIn.apple).toBeNull();
    expect(signIn.github).toBeNull();
    expect(signIn.stateTtlSeconds).toBe(600);
    expect(signIn.rateLimitPerIp).toBe(300);
    expect(signIn.passkeys).toEqual({
      rpId: "console.example.com",
      rpName: "DIMO Developer Console",
      origins: ["https://console.example.com"],
      challengeTtlSeconds: 300,
    });
  });

  it("turns a provider on with its credentials, at the real endpoints unless overridden", () => {
    const { signIn } = loadConfig({
      GOOGLE_CLIENT_ID: "g",
      GOOGLE_CLIENT_SECRET: "gs",
      GITHUB_CLIENT_ID: "h",
      GITHUB_CLIENT_SECRET: "hs",
      GITHUB_API_URL: "http://127.0.0.1:9999/api/",
      ...apple,
    });
    expect(signIn.google).toEqual({
      issuer: "https://accounts.google.com",
      clientId: "g",
      clientSecret: "gs",
    });
    expect(signIn.github).toEqual({
      clientId: "h",
      clientSecret: "hs",
      authorizeUrl: "https://github.com/login/oauth/authorize",
      tokenUrl: "https://github.com/login/oauth/access_token",
      apiUrl: "http://127.0.0.1:9999/api",
    });
    expect(signIn.apple).toMatchObject({ issuer: "https://appleid.apple.com", teamId: "TEAM123456" });
  });

  it("accepts Apple's key on one line with \\n escapes (env files)", () => {
    const { signIn } = loadConfig({ ...apple, APPLE_PRIVATE_KEY: appleKey.replace(/\n/g, "\\n") });
    expect(signIn.apple?.privateKeyPem).toBe(appleKey);
  });

  it("refuses a half-configured provider, naming what is missing", () => {
    expect(errorOf({ GOOGLE_CLIENT_ID: "g" }).message).toBe(
      "GOOGLE_CLIENT_SECRET: required when GOOGLE_CLIENT_ID is set",
    );
    expect(errorOf({ GITHUB_CLIENT_SECRET: "s" }).message).toBe(
      "GITHUB_CLIENT_ID: required when GITHUB_CLIENT_SECRET is set",
    );
    const { APPLE_KEY_ID: _, ...noKeyId } = apple;
    expect(errorOf(noKeyId).message).toBe("APPLE_KEY_ID: required when APPLE_CLIENT_ID is set");
  });

  it("refuses an Apple key that is not a P-256 private key, without echoing it", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    }) as string;
    for (const bad of [rsa, "not a key"]) {
      const error = errorOf({ ...apple, APPLE_PRIVATE_KEY: bad });
      expect(error.variable).toBe("APPLE_PRIVATE_KEY");
      expect(error.message).not.toContain(bad.slice(0, 20));
    }
    expect(errorOf({ ...apple, APPLE_TEAM_ID: "team" }).variable).toBe("APPLE_TEAM_ID");
  });

  it("refuses plain-http provider endpoints except on loopback", () => {
    expect(errorOf({ GOOGLE_ISSUER: "http://accounts.example.com" }).message).toMatch(
      /^GOOGLE_ISSUER: must be an https URL \(http only on localhost\)/,
    );
    expect(errorOf({ GITHUB_TOKEN_URL: "ftp://127.0.0.1/x" }).variable).toBe("GITHUB_TOKEN_URL");
    // A loopback stand-in over plain http is kept exactly as given.
    for (const issuer of ["http://localhost:4000", "http://127.0.0.1:4000", "http://[::1]:4000"]) {
      const google = { GOOGLE_ISSUER: issuer, GOOGLE_CLIENT_ID: "g", GOOGLE_CLIENT_SECRET: "s" };
      expect(loadConfig(google).signIn.google).toEqual({ issuer, clientId: "g", clientSecret: "s" });
    }
  });

  it("never echoes a bad client secret", () => {
    const error = errorOf({ GOOGLE_CLIENT_ID: "g", GOOGLE_CLIENT_SECRET: "x".repeat(600) });
    expect(error.variable).toBe("GOOGLE_CLIENT_SECRET");
    expect(error.message).not.toContain("xxxx");
  });

  it("widens passkey origins only within the RP id", () => {
    const { signIn } = loadConfig({
      PUBLIC_URL: "https://api.console.example.com",
      WEBAUTHN_RP_ID: "console.example.com",
      WEBAUTHN_ORIGINS: "https://console.example.com, https://app.console.example.com",
    });
    expect(signIn.passkeys.origins).toEqual([
      "https://api.console.example.com",
      "https://console.example.com",
      "https://app.console.example.com",
    ]);
    expect(
      errorOf({ PUBLIC_URL: "https://console.example.com", WEBAUTHN_ORIGINS: "https://evil.example" })
        .message,
    ).toBe("WEBAUTHN_ORIGINS: https://evil.example is not on the passkey RP id console.example.com");
    expect(
      errorOf({ PUBLIC_URL: "https://console.example.com", WEBAUTHN_RP_ID: "other.example" }).variable,
    ).toBe("WEBAUTHN_RP_ID");
  });
});
