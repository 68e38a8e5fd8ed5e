import { generateKeyPairSync } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, importSPKI, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { appleClientSecret } from "./appleSecret";

const keys = generateKeyPairSync("ec", { namedCurve: "P-256" });
const cfg = {
  issuer: "https://appleid.apple.com",
  clientId: "org.example.console",
  teamId: "TEAM123456",
  keyId: "KEY1234567",
  privateKeyPem: keys.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
};

describe("appleClientSecret", () => {
  it("is an ES256 JWT by the team's key: iss team, sub client, aud Apple, kid key id, 1 h", async () => {
    let now = new Date("2026-01-01T00:00:00Z");
    const secret = appleClientSecret(cfg, () => now);
    const jwt = await secret();
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: "ES256", kid: "KEY1234567" });
    const spki = keys.publicKey.export({ type: "spki", format: "pem" }) as string;
    const { payload } = await jwtVerify(jwt, await importSPKI(spki, "ES256"), {
      issuer: "TEAM123456",
      subject: "org.example.console",
      audience: "https://appleid.apple.com",
      currentDate: now,
    });
    expect(payload.exp! - payload.iat!).toBe(3600);

    // Reused while fresh, re-minted near expiry.
    now = new Date(now.getTime() + 30 * 60_000);
    expect(await secret()).toBe(jwt);
    now = new Date(now.getTime() + 26 * 60_000);
    const next = await secret();
    expect(next).not.toBe(jwt);
    expect(decodeJwt(next).iat).toBe(Math.floor(now.getTime() / 1000));
  });
});
