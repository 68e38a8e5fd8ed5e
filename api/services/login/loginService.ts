import type { Kysely } from "kysely";
import { getAddress } from "viem";
import { generateSiweNonce } from "viem/siwe";
import type { Database } from "../../db/database";
import { InvalidRequestError, UnauthenticatedError } from "../../errors";
import { parseSignature, recoverPersonalSigner } from "../../lib/ethSignature";
import { isoFromSeconds, unixSeconds } from "../../lib/time";
import { DEFAULT_PERIOD_VALIDITY } from "../shape";
import { type ChallengeFlow, type ChallengeStore, challengeStore, newState } from "./challenges";
import { accessTokenHash, developerClaims, newJti } from "./claims";
import { challengeMessage } from "./messages";
import type { SigningKeys } from "./signingKeys";

// Login with DIMO (SPEC §4): a license's signer (API key) signs a one-time EIP-4361 challenge and
// gets a developer JWT for the license's clientId. Everything is decided from the indexed tables
// (license status, redirect URIs, signers and periodValidity): no RPC call per login.

export type LoginServiceDeps = {
  db: Kysely<Database>;
  clock: () => Date;
  keys: SigningKeys;
  /** PUBLIC_URL: `iss` of every token and the SIWE uri. */
  issuer: string;
  chainId: number;
  /** The configured DevLicenseDimo, lowercase (its periodValidity decides signer expiry). */
  devLicense: string;
  jwtTtlSeconds: number;
  challengeTtlSeconds: number;
};

export type Web3ChallengeRequest = {
  clientId: string;
  domain: string;
  address: string;
  nonce: string | null;
};
export type Web3Submission = { clientId: string; domain: string; state: string; signature: string };
export type OAuthTokenResponse = {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  id_token: string;
};
export type SiweChallengeRequest = { address: string; audience: string[] | null };
export type SiweChallengeResponse = { challenge: string; nonce: string; expires_at: string };
export type SiweTokenResponse = { token: string; token_type: "Bearer"; expires_in: number };

const BAD_SIGNATURE = "Could not verify signature.";

export function loginService(deps: LoginServiceDeps) {
  const { db, clock, keys } = deps;
  const challenges: ChallengeStore = challengeStore(db);
  const ttlMs = deps.challengeTtlSeconds * 1000;

  /** The license of a clientId and, when asked, whether `uri` is one of its enabled redirect URIs. */
  async function licenseOf(clientId: string, uri: string | null) {
    return db
      .selectFrom("dimo.license as l")
      .select((eb) => [
        "l.status",
        eb
          .exists(
            eb
              .selectFrom("dimo.license_redirect_uri as r")
              .select("r.uri")
              .whereRef("r.token_id", "=", "l.token_id")
              .where("r.uri", "=", uri ?? ""),
          )
          .as("uri_enabled"),
      ])
      .where("l.client_id", "=", clientId)
      .limit(1)
      .executeTakeFirst();
  }

  async function issueChallenge(
    flow: ChallengeFlow,
    key: string,
    c: { clientId: string; domain: string | null; audience: string[] | null; oidcNonce: string | null },
  ) {
    const createdAt = clock();
    const expiresAt = new Date(createdAt.getTime() + ttlMs);
    const message = challengeMessage({
      issuer: deps.issuer,
      address: c.clientId,
      chainId: deps.chainId,
      nonce: flow === "siwe" ? key : generateSiweNonce(),
      issuedAt: createdAt,
      expiresAt,
      requester: c.domain,
    });
    await challenges.create({ flow, key, ...c, message, createdAt, expiresAt });
    return { message, expiresAt };
  }

  /**
   * Recovers the signer of the consumed challenge and checks, in one indexed query, that it is an
   * enabled, unexpired signer of the license of `clientId`, that the license is active and (web3)
   * that `domain` is still an enabled redirect URI. Returns the checksummed clientId.
   */
  async function verifySigner(message: string, signature: string, clientId: string, domain: string | null) {
    const parsed = parseSignature(signature);
    if (!parsed) {
      throw new InvalidRequestError(
        `${BAD_SIGNATURE} signature must be 65 bytes of hex (r, s, v with v 27/28 or 0/1)`,
      );
    }
    const signer = recoverPersonalSigner(message, parsed);
    if (!signer) throw new UnauthenticatedError(BAD_SIGNATURE);
    const row = await db
      .selectFrom("dimo.license as l")
      .leftJoin("dimo.license_signer as s", (join) =>
        join.onRef("s.token_id", "=", "l.token_id").on("s.signer", "=", signer),
      )
      .select((eb) => [
        "l.status",
        eb.cast<string | null>("s.enabled_at", "text").as("enabled_at"),
        eb
          .selectFrom("dimo.license_contract as c")
          .select((e) => e.cast<string>("c.period_validity", "text").as("p"))
          .where("c.address", "=", deps.devLicense)
          .as("period_validity"),
        eb
          .exists(
            eb
              .selectFrom("dimo.license_redirect_uri as r")
              .select("r.uri")
              .whereRef("r.token_id", "=", "l.token_id")
              .where("r.uri", "=", domain ?? ""),
          )
          .as("uri_enabled"),
      ])
      .where("l.client_id", "=", clientId)
      .limit(1)
      .executeTakeFirst();
    const who = getAddress(signer);
    if (!row) throw new UnauthenticatedError(`${BAD_SIGNATURE} No license has this clientId`);
    if (row.status !== "active") throw new UnauthenticatedError("This license is revoked");
    if (domain !== null && !row.uri_enabled) {
      throw new UnauthenticatedError("domain is no longer an enabled redirect URI of this client");
    }
    if (row.enabled_at === null) {
      throw new UnauthenticatedError(`${BAD_SIGNATURE} ${who} is not an enabled signer of this license`);
    }
    const period = row.period_validity === null ? DEFAULT_PERIOD_VALIDITY : BigInt(row.period_validity);
    const expiresAt = BigInt(row.enabled_at) + period;
    if (expiresAt <= unixSeconds(clock())) {
      throw new UnauthenticatedError(
        `${BAD_SIGNATURE} Signer ${who} expired at ${isoFromSeconds(expiresAt)}; the license owner can re-enable it (enableSigner) to renew it`,
      );
    }
    return getAddress(clientId);
  }

  /** A lifetime window starting now, in whole seconds. */
  function window() {
    const iat = Number(unixSeconds(clock()));
    return { iat, exp: iat + deps.jwtTtlSeconds };
  }

  return {
    /**
     * Dex `generate_challenge`: refuses here what can be refused already (unknown client id,
     * revoked license, a domain that is not exactly an enabled redirect URI, address ≠ client id).
     */
    async generateWeb3Challenge(req: Web3ChallengeRequest): Promise<{ state: string; challenge: string }> {
      const clientId = req.clientId.toLowerCase();
      if (req.address.toLowerCase() !== clientId) {
        throw new InvalidRequestError(
          "address must be the client_id (the license's clientId), as DIMO's SDKs send it",
        );
      }
      const license = await licenseOf(clientId, req.domain);
      if (!license)
        throw new InvalidRequestError("Unknown client_id: no developer license has this clientId");
      if (license.status !== "active")
        throw new InvalidRequestError("This license is revoked; it cannot sign in");
      if (!license.uri_enabled) {
        throw new InvalidRequestError(
          "domain is not an enabled redirect URI of this client (redirect URIs match exactly, byte for byte)",
        );
      }
      const state = newState();
      const { message } = await issueChallenge("web3", state, {
        clientId,
        domain: req.domain,
        audience: null,
        oidcNonce: req.nonce,
      });
      return { state, challenge: message };
    },

    /** Dex `submit_challenge`: the OAuth token response with a developer JWT and an id_token. */
    async submitWeb3Challenge(sub: Web3Submission): Promise<OAuthTokenResponse> {
      const challenge = await challenges.consume("web3", sub.state, clock());
      if (challenge.clientId !== sub.clientId.toLowerCase()) {
        throw new InvalidRequestError("client_id does not match the challenge's");
      }
      if (challenge.domain !== sub.domain)
        throw new InvalidRequestError("domain does not match the challenge's");
      const clientId = await verifySigner(
        challenge.message,
        sub.signature,
        challenge.clientId,
        challenge.domain,
      );
      const { iat, exp } = window();
      const claims = developerClaims({
        issuer: deps.issuer,
        clientId,
        audience: sub.clientId,
        issuedAt: iat,
        expiresAt: exp,
      });
      const accessToken = await keys.sign(claims);
      const idToken = await keys.sign({
        ...claims,
        at_hash: accessTokenHash(accessToken),
        ...(challenge.oidcNonce === null ? {} : { nonce: challenge.oidcNonce }),
      });
      return { access_token: accessToken, token_type: "Bearer", expires_in: exp - iat, id_token: idToken };
    },

    /** JSON flow (DIMO's dauth): a challenge for the license whose clientId is `address`. */
    async createSiweChallenge(req: SiweChallengeRequest): Promise<SiweChallengeResponse> {
      const clientId = req.address.toLowerCase();
      const license = await licenseOf(clientId, null);
      if (!license) throw new InvalidRequestError("Unknown address: no developer license has this clientId");
      if (license.status !== "active")
        throw new InvalidRequestError("This license is revoked; it cannot sign in");
      const nonce = generateSiweNonce();
      const { message, expiresAt } = await issueChallenge("siwe", nonce, {
        clientId,
        domain: null,
        audience: req.audience,
        oidcNonce: null,
      });
      return { challenge: message, nonce, expires_at: expiresAt.toISOString() };
    },

    /** JSON flow: the developer JWT for a signed challenge. */
    async exchangeSiweToken(req: { nonce: string; signature: string }): Promise<SiweTokenResponse> {
      const challenge = await challenges.consume("siwe", req.nonce, clock());
      const clientId = await verifySigner(challenge.message, req.signature, challenge.clientId, null);
      const { iat, exp } = window();
      const audience = challenge.audience?.length ? [clientId, ...challenge.audience] : clientId;
      const token = await keys.sign({
        ...developerClaims({ issuer: deps.issuer, clientId, audience, issuedAt: iat, expiresAt: exp }),
        nbf: iat,
        jti: newJti(),
      });
      return { token, token_type: "Bearer", expires_in: exp - iat };
    },
  };
}

export type LoginService = ReturnType<typeof loginService>;
