import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import { queryTemplate, slot } from "../../db/template";
import { InvalidRequestError } from "../../errors";

// One-time login challenges in Postgres (console.login_challenge), so any replica can take the
// submission. The key a client gets back (web3 `state`, JSON-flow `nonce`) encodes the message's
// variable parts, so a submission rebuilds the signed message, recovers the signer, and then needs
// ONE statement: a conditional UPDATE that consumes the challenge and returns the license, signer
// and redirect-URI facts to decide with. Of two concurrent submissions exactly one gets the row;
// the other, like any replay, is refused. The key is only a lookup: the row is the authority.

export type ChallengeFlow = "web3" | "siwe";

export type ChallengeTimes = { issuedAt: Date; expiresAt: Date };

const RANDOM_BYTES = 16;

function timesBytes(t: ChallengeTimes): Buffer {
  const b = Buffer.alloc(12);
  b.writeUIntBE(t.issuedAt.getTime(), 0, 6);
  b.writeUIntBE(t.expiresAt.getTime(), 6, 6);
  return b;
}

function readTimes(b: Buffer, at: number): ChallengeTimes {
  return { issuedAt: new Date(b.readUIntBE(at, 6)), expiresAt: new Date(b.readUIntBE(at + 6, 6)) };
}

/** web3 `state`: base64url(128 random bits ‖ issuedAt ms ‖ expiresAt ms); the SIWE nonce is the random part in hex. */
export function newWeb3State(t: ChallengeTimes): { state: string; nonce: string } {
  const random = randomBytes(RANDOM_BYTES);
  return {
    state: Buffer.concat([random, timesBytes(t)]).toString("base64url"),
    nonce: random.toString("hex"),
  };
}

export function parseWeb3State(state: string): (ChallengeTimes & { nonce: string }) | null {
  if (!/^[A-Za-z0-9_-]{38}$/.test(state)) return null;
  const b = Buffer.from(state, "base64url");
  return { nonce: b.subarray(0, RANDOM_BYTES).toString("hex"), ...readTimes(b, RANDOM_BYTES) };
}

/** JSON-flow nonce (alphanumeric, as SIWE wants): hex(128 random bits ‖ issuedAt ‖ expiresAt ‖ address). */
export function newSiweNonce(address: string, t: ChallengeTimes): string {
  const addr = Buffer.from(address.slice(2), "hex");
  return Buffer.concat([randomBytes(RANDOM_BYTES), timesBytes(t), addr]).toString("hex");
}

export function parseSiweNonce(nonce: string): (ChallengeTimes & { address: string }) | null {
  if (!/^[0-9a-f]{96}$/.test(nonce)) return null;
  const b = Buffer.from(nonce, "hex");
  return { ...readTimes(b, RANDOM_BYTES), address: `0x${b.subarray(RANDOM_BYTES + 12).toString("hex")}` };
}

export type NewChallenge = ChallengeTimes & {
  flow: ChallengeFlow;
  key: string;
  /** The license's clientId, lowercase. */
  clientId: string;
  /** web3: the redirect URI asked for, which must be enabled; null for the JSON flow. */
  domain: string | null;
  audience: string[] | null;
  oidcNonce: string | null;
  message: string;
};

/** What the indexed tables say about the license of a new challenge (the challenge exists only if allowed). */
export type LicenseCheck = { status: string; uriEnabled: boolean };

/** A consumed challenge with the facts a login is decided on, read in the same statement. */
export type ConsumedChallenge = {
  clientId: string;
  domain: string | null;
  audience: string[] | null;
  oidcNonce: string | null;
  message: string;
  /** null when no license has the challenge's clientId (any more). */
  licenseStatus: string | null;
  /** enabledAt (unix seconds) of the recovered signer on that license; null when not a signer. */
  signerEnabledAt: string | null;
  /** The contract's latest periodValidity; null when none was seen (365 days). */
  periodValidity: string | null;
  /** web3: whether the challenge's domain is still an enabled redirect URI. */
  uriEnabled: boolean;
};

/** Rows this long past expiry are deleted, now and then, by whoever creates a challenge. */
const KEEP_EXPIRED_MS = 3_600_000;
const PRUNE_EVERY = 256;

type ConsumedRow = {
  client_id: string;
  domain: string | null;
  audience: string[] | null;
  oidc_nonce: string | null;
  message: string;
  license_status: string | null;
  signer_enabled_at: string | null;
  period_validity: string | null;
  uri_enabled: boolean;
};

/**
 * The two hot statements, built and compiled once (api/db/template.ts): a login then costs no
 * query building, and each keeps one SQL text, so every connection prepares it once.
 */
function statements(db: Kysely<Database>, devLicense: string) {
  const create = (withDomain: boolean) =>
    queryTemplate<{ status: string; uri_enabled: boolean }>(
      db,
      db
        .with("lic", (qb) =>
          qb
            .selectFrom("dimo.license as l")
            .select((eb) => [
              "l.status",
              eb
                .exists(
                  eb
                    .selectFrom("dimo.license_redirect_uri as r")
                    .select("r.uri")
                    .whereRef("r.token_id", "=", "l.token_id")
                    .where("r.uri", "=", slot("domainOrEmpty")),
                )
                .as("uri_enabled"),
            ])
            .where("l.client_id", "=", slot("clientId"))
            .limit(1),
        )
        .with("ins", (qb) =>
          qb
            .insertInto("console.login_challenge")
            .columns([
              "flow",
              "key",
              "client_id",
              "domain",
              "audience",
              "oidc_nonce",
              "message",
              "created_at",
              "expires_at",
            ])
            .expression((eb) =>
              eb
                .selectFrom("lic")
                .select((e) => [
                  e.cast<string>(e.val(slot("flow")), "text").as("flow"),
                  e.cast<string>(e.val(slot("key")), "text").as("key"),
                  e.cast<string>(e.val(slot("clientId")), "text").as("client_id"),
                  e.cast<string | null>(e.val(slot("domain")), "text").as("domain"),
                  e.cast<string | null>(e.val(slot("audience")), "jsonb").as("audience"),
                  e.cast<string | null>(e.val(slot("oidcNonce")), "text").as("oidc_nonce"),
                  e.cast<string>(e.val(slot("message")), "text").as("message"),
                  e.cast<Date>(e.val(slot("issuedAt")), "timestamptz").as("created_at"),
                  e.cast<Date>(e.val(slot("expiresAt")), "timestamptz").as("expires_at"),
                ])
                .where("lic.status", "=", "active")
                .$if(withDomain, (q) => q.where("lic.uri_enabled", "=", true)),
            )
            .returning("key"),
        )
        .selectFrom("lic")
        .select(["lic.status", "lic.uri_enabled"]),
    );

  const consume = queryTemplate<ConsumedRow>(
    db,
    db
      .updateTable("console.login_challenge as c")
      .set({ consumed_at: slot("now") })
      .where("c.flow", "=", slot("flow"))
      .where("c.key", "=", slot("key"))
      .where("c.consumed_at", "is", null)
      .where("c.expires_at", ">", slot("now") as unknown as Date)
      .returning((eb) => [
        "c.client_id",
        "c.domain",
        "c.audience",
        "c.oidc_nonce",
        "c.message",
        eb
          .selectFrom("dimo.license as l")
          .select("l.status")
          .whereRef("l.client_id", "=", "c.client_id")
          .limit(1)
          .as("license_status"),
        eb
          .selectFrom("dimo.license_signer as s")
          .innerJoin("dimo.license as l", "l.token_id", "s.token_id")
          .select((e) => e.cast<string>("s.enabled_at", "text").as("enabled_at"))
          .whereRef("l.client_id", "=", "c.client_id")
          .where("s.signer", "=", slot("signer"))
          .limit(1)
          .as("signer_enabled_at"),
        eb
          .selectFrom("dimo.license_contract as k")
          .select((e) => e.cast<string>("k.period_validity", "text").as("p"))
          .where("k.address", "=", devLicense)
          .as("period_validity"),
        eb
          .exists(
            eb
              .selectFrom("dimo.license_redirect_uri as r")
              .innerJoin("dimo.license as l", "l.token_id", "r.token_id")
              .select("r.uri")
              .whereRef("l.client_id", "=", "c.client_id")
              .whereRef("r.uri", "=", "c.domain"),
          )
          .as("uri_enabled"),
      ]),
  );
  return { createWeb3: create(true), createSiwe: create(false), consume };
}

export function challengeStore(db: Kysely<Database>, devLicense: string) {
  const sql = statements(db, devLicense);
  let created = 0;

  async function prune(now: Date) {
    await db
      .deleteFrom("console.login_challenge")
      .where("expires_at", "<", new Date(now.getTime() - KEEP_EXPIRED_MS))
      .execute();
  }

  return {
    /**
     * In one statement: reads the license of `clientId` (and whether `domain` is one of its
     * enabled redirect URIs) and stores the challenge only if the license is active and, for
     * web3, the domain enabled. Returns what was read; undefined when no license has the clientId.
     */
    async createIfAllowed(c: NewChallenge): Promise<LicenseCheck | undefined> {
      const run = c.domain === null ? sql.createSiwe : sql.createWeb3;
      const [row] = await run({
        flow: c.flow,
        key: c.key,
        clientId: c.clientId,
        domain: c.domain,
        domainOrEmpty: c.domain ?? "",
        audience: c.audience === null ? null : JSON.stringify(c.audience),
        oidcNonce: c.oidcNonce,
        message: c.message,
        issuedAt: c.issuedAt,
        expiresAt: c.expiresAt,
      });
      // Housekeeping off the request path; a failure only delays it to the next round.
      if (++created % PRUNE_EVERY === 0) prune(c.issuedAt).catch(() => {});
      return row && { status: row.status, uriEnabled: row.uri_enabled === true };
    },

    /**
     * Marks the challenge used and returns it with the license facts for `signer` (the address
     * the submitted signature recovers to), or throws a 400 saying why not (unknown, already
     * used, expired). Whatever the submission's outcome afterwards, the challenge stays used.
     */
    async consume(flow: ChallengeFlow, key: string, now: Date, signer: string): Promise<ConsumedChallenge> {
      const [row] = await sql.consume({ flow, key, now, signer });
      if (row) {
        return {
          clientId: row.client_id,
          domain: row.domain,
          audience: row.audience,
          oidcNonce: row.oidc_nonce,
          message: row.message,
          licenseStatus: row.license_status,
          signerEnabledAt: row.signer_enabled_at,
          periodValidity: row.period_validity,
          uriEnabled: row.uri_enabled === true,
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
