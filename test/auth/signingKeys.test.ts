import { decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../../api/db/database";
import { migrateToLatest } from "../../api/db/migrate";
import { UnavailableError } from "../../api/errors";
import { type JwtAlg, signingKeys } from "../../api/services/loginWithDimo/signingKeys";
import { createTestDatabase, type TestDatabase } from "../support/database";

// The key store on its own database: first start by racing replicas, a changed API secret, RS256.

const ISSUER = "https://login.example";
let database: TestDatabase;
let db: ReturnType<typeof createDatabase>;

beforeAll(async () => {
  database = await createTestDatabase("keys");
  db = createDatabase(database.url, { poolMax: 8, statementTimeoutMs: 5_000 });
  await migrateToLatest(db);
});
afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

const replica = (secret = "s".repeat(40), alg: JwtAlg = "ES256") =>
  signingKeys({
    db,
    secret: Buffer.from(secret),
    clock: () => new Date(),
    alg,
    maxTokenLifetimeSeconds: 3600,
  });
const now = () => Math.floor(Date.now() / 1000);
const claims = () => ({ iss: ISSUER, aud: "x", iat: now(), exp: now() + 60 });

describe("signing keys", () => {
  it("gives replicas starting at once one shared first key", async () => {
    const replicas = Array.from({ length: 6 }, () => replica());
    await Promise.all(replicas.map((r) => r.ensure()));
    const kids = await Promise.all(replicas.map(async (r) => (await r.jwks()).keys.map((k) => k.kid)));
    expect(new Set(kids.flat()).size).toBe(1);
    expect(await db.selectFrom("console.signing_key").select("kid").execute()).toHaveLength(1);
    // Each replica verifies what another signed.
    const token = await replicas[0]!.sign(claims());
    await expect(replicas[5]!.verify(token, { issuer: ISSUER })).resolves.toMatchObject({ aud: "x" });
  });

  it("keeps verifying but refuses to sign when the API secret changed, until a rotation", async () => {
    const original = replica();
    const signed = claims();
    const token = await original.sign(signed);
    const changed = replica("another secret that is long enough!!");
    // Public keys need no secret: the old token still verifies, to exactly what was signed.
    await expect(changed.verify(token, { issuer: ISSUER })).resolves.toEqual(signed);
    await expect(changed.sign(claims())).rejects.toBeInstanceOf(UnavailableError);
    const rotated = await changed.rotate();
    expect(rotated.retired).toEqual([decodeProtectedHeader(token).kid]);
    const again = claims();
    const fresh = await changed.sign(again);
    // Signed by the new key, which the replica with the old secret learns from the database.
    expect(decodeProtectedHeader(fresh)).toMatchObject({ alg: "ES256", kid: rotated.kid });
    expect(rotated.kid).not.toBe(decodeProtectedHeader(token).kid);
    await new Promise((r) => setTimeout(r, 150)); // a replica re-reads keys on an unknown kid at most every 100 ms
    await expect(original.verify(fresh, { issuer: ISSUER })).resolves.toEqual(again);
  });

  it("rotates to RS256 when configured, both algorithms verifying", async () => {
    const rsa = replica("another secret that is long enough!!", "RS256");
    const beforeClaims = { ...claims(), aud: "before" };
    const before = await rsa.sign(beforeClaims);
    expect(decodeProtectedHeader(before).alg).toBe("ES256");
    await rsa.rotate();
    const afterClaims = { ...claims(), aud: "after" };
    const after = await rsa.sign(afterClaims);
    expect(decodeProtectedHeader(after).alg).toBe("RS256");
    const jwks = await rsa.jwks();
    expect(new Set(jwks.keys.map((k) => k.alg))).toEqual(new Set(["ES256", "RS256"]));
    expect(jwks.keys.find((k) => k.alg === "RS256")).toMatchObject({ kty: "RSA", use: "sig" });
    await expect(rsa.verify(before, { issuer: ISSUER })).resolves.toEqual(beforeClaims);
    await expect(rsa.verify(after, { issuer: ISSUER })).resolves.toEqual(afterClaims);
  });
});
