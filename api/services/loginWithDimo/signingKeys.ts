import {
  type CryptoKey,
  calculateJwkThumbprint,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  type JWTVerifyOptions,
  jwtVerify,
  type ProtectedHeaderParameters,
} from "jose";
import { type Kysely, sql } from "kysely";
import type { Logger } from "pino";
import type { Database } from "../../db/database";
import { UnauthenticatedError, UnavailableError } from "../../errors";
import { open, SealError, seal } from "../../lib/sealed";
import { deriveKey } from "../../lib/secret";
import { type JwsSigner, type JwtAlg, jwsSigner } from "./jwsSign";

// The token signing keys: one current key signs; retired keys stay published (JWKS) and accepted
// until every token they may have signed has expired, then rotation deletes them. Private JWKs
// are sealed at rest with a key derived from the API secret and never logged.

export type { JwtAlg };

const JWT_ALGS: readonly JwtAlg[] = ["ES256", "RS256"];

export type SigningKeysOptions = {
  db: Kysely<Database>;
  /** The API's root secret (api/lib/secret.ts); the sealing key is derived from it. */
  secret: Buffer;
  clock: () => Date;
  /** Algorithm of keys this process creates (LOGIN_JWT_ALG). */
  alg: JwtAlg;
  /** Longest lifetime of any token signed with these keys. */
  maxTokenLifetimeSeconds: number;
  logger?: Logger;
};

export type PublicJwk = JWK & { kid: string; alg: JwtAlg; use: "sig" };

type LoadedKey = {
  kid: string;
  alg: JwtAlg;
  publicJwk: PublicJwk;
  publicKey: CryptoKey;
  retiredAt: Date | null;
};
type KeyState = {
  /** privateKey null: the API secret cannot open it (changed since); tokens still verify. */
  current: { kid: string; alg: JwtAlg; sign: JwsSigner | null };
  published: Map<string, LoadedKey>;
  loadedAt: number;
};

/** How long a replica trusts its cached key set before re-reading it (another replica may rotate). */
const REFRESH_MS = 30_000;
/** A token with a kid we do not know re-reads keys older than this: ≤ 10 reads/s on junk kids. */
const UNKNOWN_KID_REFRESH_MS = 100;
/** /keys answers from a key set at most this old, so a rotation shows there at once. */
const JWKS_MAX_AGE_MS = 1_000;
const ROTATION_LOCK = "dimo-console:signing-key-rotation";

const sealContext = (kid: string) => `signing-key:${kid}`;

export function signingKeys(opts: SigningKeysOptions) {
  const { db, clock } = opts;
  const sealKey = deriveKey(opts.secret, "signing-keys");
  // Retired keys stay published for the longest token lifetime plus two refresh periods: a replica
  // may sign with a key up to REFRESH_MS after another replica retired it.
  const publishSeconds = opts.maxTokenLifetimeSeconds + (2 * REFRESH_MS) / 1000;
  let state: KeyState | null = null;
  let loading: Promise<KeyState> | null = null;

  async function createKey(alg: JwtAlg) {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const pub = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(pub);
    const publicJwk = { ...pub, kid, alg, use: "sig" } as PublicJwk;
    const sealed = seal(sealKey, JSON.stringify(await exportJWK(privateKey)), sealContext(kid));
    return { kid, alg, public_jwk: JSON.stringify(publicJwk), private_jwk_sealed: sealed };
  }

  /** Creates the first key; of replicas racing here, one inserts and all then read the same key. */
  async function createFirst(): Promise<void> {
    const key = await createKey(opts.alg);
    const inserted = await db
      .insertInto("console.signing_key")
      .values({ ...key, created_at: clock() })
      .onConflict((oc) => oc.doNothing())
      .returning("kid")
      .executeTakeFirst();
    if (inserted) opts.logger?.info({ kid: key.kid, alg: key.alg }, "created the first token signing key");
  }

  function publishedRows() {
    const cutoff = new Date(clock().getTime() - publishSeconds * 1000);
    return db
      .selectFrom("console.signing_key")
      .selectAll()
      .where((eb) => eb.or([eb("retired_at", "is", null), eb("retired_at", ">", cutoff)]))
      .orderBy("created_at", "desc")
      .execute();
  }

  function openSigner(kid: string, alg: JwtAlg, sealed: string): JwsSigner | null {
    let jwk: JWK;
    try {
      jwk = JSON.parse(open(sealKey, sealed, sealContext(kid))) as JWK;
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      opts.logger?.error(
        { kid },
        "the current token signing key cannot be opened with this API secret: restore API_SECRET, or run npm run rotate-keys",
      );
      return null;
    }
    return jwsSigner(jwk, alg, kid);
  }

  async function load(): Promise<KeyState> {
    let rows = await publishedRows();
    if (!rows.some((r) => r.retired_at === null)) {
      await createFirst();
      rows = await publishedRows();
    }
    const currentRow = rows.find((r) => r.retired_at === null);
    if (!currentRow) throw new Error("no current signing key after creating one");
    const published = new Map<string, LoadedKey>();
    for (const row of rows) {
      const alg = row.alg as JwtAlg;
      const publicJwk = row.public_jwk as PublicJwk;
      published.set(row.kid, {
        kid: row.kid,
        alg,
        publicJwk,
        publicKey: (await importJWK(publicJwk, alg)) as CryptoKey,
        retiredAt: row.retired_at,
      });
    }
    const current = {
      kid: currentRow.kid,
      alg: currentRow.alg as JwtAlg,
      sign: openSigner(currentRow.kid, currentRow.alg as JwtAlg, currentRow.private_jwk_sealed),
    };
    return { current, published, loadedAt: Date.now() };
  }

  /** Still published at the app clock's now (retired keys age out even between re-reads). */
  const isPublished = (key: LoadedKey) =>
    key.retiredAt === null || key.retiredAt.getTime() > clock().getTime() - publishSeconds * 1000;

  /** The cached key set, re-read when older than `maxAgeMs`; concurrent callers share one read. */
  async function keys(maxAgeMs = REFRESH_MS): Promise<KeyState> {
    if (state && Date.now() - state.loadedAt < maxAgeMs) return state;
    loading ??= load().finally(() => {
      loading = null;
    });
    state = await loading;
    return state;
  }

  async function keyFor(header: ProtectedHeaderParameters): Promise<CryptoKey> {
    const kid = header.kid;
    if (typeof kid !== "string") throw new errors.JWKSNoMatchingKey();
    let found = (await keys()).published.get(kid);
    // Another replica may have rotated: a kid we do not know re-reads the set (at most 10 times a second).
    if (!found) found = (await keys(UNKNOWN_KID_REFRESH_MS)).published.get(kid);
    // The header's alg must be the key's own: no algorithm confusion with a known kid.
    if (!found || !isPublished(found) || found.alg !== header.alg) throw new errors.JWKSNoMatchingKey();
    return found.publicKey;
  }

  return {
    /** Loads the key set now, creating the first key if there is none (otherwise the first use does). */
    async ensure(): Promise<void> {
      await keys(0);
    },

    /**
     * Makes a new current key (LOGIN_JWT_ALG), retires the previous one (still published and
     * accepted until its tokens have expired) and deletes keys retired longer ago than that.
     */
    async rotate(): Promise<{ kid: string; alg: JwtAlg; retired: string[]; deleted: string[] }> {
      const key = await createKey(opts.alg);
      const now = clock();
      const cutoff = new Date(now.getTime() - publishSeconds * 1000);
      const result = await db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(hashtext(${ROTATION_LOCK}))`.execute(trx);
        const retired = await trx
          .updateTable("console.signing_key")
          .set({ retired_at: now })
          .where("retired_at", "is", null)
          .returning("kid")
          .execute();
        await trx
          .insertInto("console.signing_key")
          .values({ ...key, created_at: now })
          .execute();
        const deleted = await trx
          .deleteFrom("console.signing_key")
          .where("retired_at", "<=", cutoff)
          .returning("kid")
          .execute();
        return { retired: retired.map((r) => r.kid), deleted: deleted.map((r) => r.kid) };
      });
      await keys(0);
      opts.logger?.info({ kid: key.kid, alg: key.alg, ...result }, "rotated the token signing key");
      return { kid: key.kid, alg: key.alg, ...result };
    },

    /** Signs claims with the current key; `kid` and `alg` go in the header. */
    async sign(claims: JWTPayload): Promise<string> {
      const { current } = await keys();
      if (!current.sign)
        throw new UnavailableError("Token signing is unavailable; the operator's logs say why");
      return current.sign(claims);
    },

    /** Public JWKs of the current key and of retired keys whose tokens may still be alive. */
    async jwks(): Promise<{ keys: PublicJwk[] }> {
      const { published } = await keys(JWKS_MAX_AGE_MS);
      return { keys: [...published.values()].filter(isPublished).map((k) => k.publicJwk) };
    },

    /**
     * Verifies a token against our own published keys only: algorithms pinned to ES256/RS256 and
     * to the key's own alg (no `none`, no HS256 keyed with a public key), issuer checked, exp/nbf
     * against the app clock. Any failure is an UnauthenticatedError with a short reason.
     */
    async verify(
      token: string,
      check: Pick<JWTVerifyOptions, "issuer" | "audience" | "requiredClaims">,
    ): Promise<JWTPayload> {
      try {
        const { payload } = await jwtVerify(token, keyFor, {
          ...check,
          algorithms: [...JWT_ALGS],
          currentDate: clock(),
          clockTolerance: 5,
        });
        return payload;
      } catch (error) {
        throw new UnauthenticatedError(verifyFailure(error), undefined, { cause: error });
      }
    },
  };
}

export type SigningKeys = ReturnType<typeof signingKeys>;

function verifyFailure(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "Token expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf") return "Token is not valid yet (nbf)";
    return `Token claim ${error.claim} is not valid`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "Token algorithm is not allowed";
  if (error instanceof errors.JWKSNoMatchingKey)
    return "Token was not signed by a current key of this issuer";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "Token signature is not valid";
  return "Token is malformed";
}
