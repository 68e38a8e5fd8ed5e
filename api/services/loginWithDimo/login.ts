import type { Kysely } from "kysely";
import { getAddress, zeroAddress } from "viem";
import { signerExpired, signerExpiresAt } from "../../../domain/signers";
import type { Database } from "../../db/database";
import { InvalidRequestError, UnauthenticatedError } from "../../errors";
import { parseSignature, recoverPersonalSigner } from "../../lib/ethSignature";
import { isoFromSeconds, unixSeconds } from "../../lib/time";
import {
  type ChallengeStore,
  type ChallengeTimes,
  type ConsumedChallenge,
  challengeStore,
  newSiweNonce,
  newWeb3State,
  parseSiweNonce,
  parseWeb3State,
} from "./challenges";
import { accessTokenHash, developerClaims, newJti } from "./claims";
import type { IndexFreshness } from "./freshness";
import { challengeMessage } from "./messages";
import type { LoginChallenge, LoginToken, OAuthToken, Web3Challenge } from "./schemas";
import type { SigningKeys } from "./signingKeys";

// Login with DIMO (docs/login-with-dimo.md): a license's signer (API key) signs a one-time EIP-4361 challenge and
// gets a developer JWT for the license's clientId. Everything is decided from the indexed tables
// (license status, redirect URIs, signers and periodValidity): no RPC call per login, one statement
// to issue a challenge and one to take it back.

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
  /** 503 while the indexer lags too far to decide from (freshness.ts). */
  freshness: IndexFreshness;
};

export type Web3ChallengeRequest = {
  clientId: string;
  domain: string;
  address: string;
  nonce: string | null;
};
export type Web3Submission = { clientId: string; domain: string; state: string; signature: string };
export type SiweChallengeRequest = { address: string; audience: string[] | null };

const BAD_SIGNATURE = "Could not verify signature.";
const REVOKED = "This license is revoked; it cannot sign in";

export function loginService(deps: LoginServiceDeps) {
  const { clock, keys } = deps;
  const challenges: ChallengeStore = challengeStore(deps.db, deps.devLicense);

  const message = (address: string, nonce: string, t: ChallengeTimes, requester: string | null) =>
    challengeMessage({ issuer: deps.issuer, address, chainId: deps.chainId, nonce, ...t, requester });

  function times(): ChallengeTimes {
    const issuedAt = clock();
    return { issuedAt, expiresAt: new Date(issuedAt.getTime() + deps.challengeTtlSeconds * 1000) };
  }

  /** The signer's address (lowercase) or the zero address when the signature recovers nobody. */
  function recover(signed: string, signature: string): string {
    const parsed = parseSignature(signature);
    if (!parsed) {
      throw new InvalidRequestError(
        `${BAD_SIGNATURE} signature must be 65 bytes of hex (r, s, v with v 27/28 or 0/1)`,
      );
    }
    return recoverPersonalSigner(signed, parsed) ?? zeroAddress;
  }

  /**
   * The consumed challenge's license must be active and `signer` one of its enabled, unexpired
   * signers; answers the checksummed clientId and signer.
   */
  function checkSigner(
    c: ConsumedChallenge,
    signed: string,
    signer: string,
  ): { clientId: string; signer: string } {
    if (c.message !== signed || signer === zeroAddress) throw new UnauthenticatedError(BAD_SIGNATURE);
    if (c.licenseStatus === null)
      throw new UnauthenticatedError(`${BAD_SIGNATURE} No license has this clientId`);
    if (c.licenseStatus !== "active") throw new UnauthenticatedError(REVOKED);
    if (c.domain !== null && !c.uriEnabled) {
      throw new UnauthenticatedError("domain is no longer an enabled redirect URI of this client");
    }
    const who = getAddress(signer);
    if (c.signerEnabledAt === null) {
      throw new UnauthenticatedError(`${BAD_SIGNATURE} ${who} is not an enabled signer of this license`);
    }
    const expiresAt = signerExpiresAt(c.signerEnabledAt, c.periodValidity);
    if (signerExpired(expiresAt, unixSeconds(clock()))) {
      throw new UnauthenticatedError(
        `${BAD_SIGNATURE} Signer ${who} expired at ${isoFromSeconds(expiresAt)}; the license owner can re-enable it (enableSigner) to renew it`,
      );
    }
    return { clientId: getAddress(c.clientId), signer: who };
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
    async generateWeb3Challenge(req: Web3ChallengeRequest): Promise<Web3Challenge> {
      await deps.freshness.check();
      const clientId = req.clientId.toLowerCase();
      if (req.address.toLowerCase() !== clientId) {
        throw new InvalidRequestError(
          "address must be the client_id (the license's clientId), as DIMO's SDKs send it",
        );
      }
      const t = times();
      const { state, nonce } = newWeb3State(t);
      const challenge = message(clientId, nonce, t, req.domain);
      const license = await challenges.createIfAllowed({
        flow: "web3",
        key: state,
        clientId,
        domain: req.domain,
        audience: null,
        oidcNonce: req.nonce,
        message: challenge,
        ...t,
      });
      if (!license)
        throw new InvalidRequestError("Unknown client_id: no developer license has this clientId");
      if (license.status !== "active") throw new InvalidRequestError(REVOKED);
      if (!license.uriEnabled) {
        throw new InvalidRequestError(
          "domain is not an enabled redirect URI of this client (redirect URIs match exactly, byte for byte)",
        );
      }
      return { state, challenge };
    },

    /** Dex `submit_challenge`: the OAuth token response with a developer JWT and an id_token. */
    async submitWeb3Challenge(sub: Web3Submission): Promise<OAuthToken> {
      await deps.freshness.check();
      const parsed = parseWeb3State(sub.state);
      if (!parsed) throw new InvalidRequestError("Unknown state: request a new challenge");
      // The message as issued for this client_id and domain; if they are not the challenge's,
      // the check below says so (and the signature would not match anyway).
      const signed = message(sub.clientId, parsed.nonce, parsed, sub.domain);
      const signer = recover(signed, sub.signature);
      const challenge = await challenges.consume("web3", sub.state, clock(), signer);
      if (challenge.clientId !== sub.clientId.toLowerCase()) {
        throw new InvalidRequestError("client_id does not match the challenge's");
      }
      if (challenge.domain !== sub.domain)
        throw new InvalidRequestError("domain does not match the challenge's");
      const { clientId, signer: who } = checkSigner(challenge, signed, signer);
      const { iat, exp } = window();
      const claims = developerClaims({
        issuer: deps.issuer,
        clientId,
        signer: who,
        audience: sub.clientId,
        issuedAt: iat,
        expiresAt: exp,
      });
      const [accessToken, nonceClaim] = [await keys.sign(claims), challenge.oidcNonce];
      const idToken = await keys.sign({
        ...claims,
        at_hash: accessTokenHash(accessToken),
        ...(nonceClaim === null ? {} : { nonce: nonceClaim }),
      });
      return { access_token: accessToken, token_type: "Bearer", expires_in: exp - iat, id_token: idToken };
    },

    /** JSON flow (DIMO's dauth): a challenge for the license whose clientId is `address`. */
    async createSiweChallenge(req: SiweChallengeRequest): Promise<LoginChallenge> {
      await deps.freshness.check();
      const clientId = req.address.toLowerCase();
      const t = times();
      const nonce = newSiweNonce(clientId, t);
      const license = await challenges.createIfAllowed({
        flow: "siwe",
        key: nonce,
        clientId,
        domain: null,
        audience: req.audience,
        oidcNonce: null,
        message: message(clientId, nonce, t, null),
        ...t,
      });
      if (!license) throw new InvalidRequestError("Unknown address: no developer license has this clientId");
      if (license.status !== "active") throw new InvalidRequestError(REVOKED);
      return { challenge: message(clientId, nonce, t, null), nonce, expires_at: t.expiresAt.toISOString() };
    },

    /** JSON flow: the developer JWT for a signed challenge. */
    async exchangeSiweToken(req: { nonce: string; signature: string }): Promise<LoginToken> {
      await deps.freshness.check();
      const parsed = parseSiweNonce(req.nonce);
      if (!parsed) throw new InvalidRequestError("Unknown nonce: request a new challenge");
      const signed = message(parsed.address, req.nonce, parsed, null);
      const signer = recover(signed, req.signature);
      const challenge = await challenges.consume("siwe", req.nonce, clock(), signer);
      const { clientId, signer: who } = checkSigner(challenge, signed, signer);
      const { iat, exp } = window();
      const audience = challenge.audience?.length ? [clientId, ...challenge.audience] : clientId;
      const token = await keys.sign({
        ...developerClaims({
          issuer: deps.issuer,
          clientId,
          signer: who,
          audience,
          issuedAt: iat,
          expiresAt: exp,
        }),
        nbf: iat,
        jti: newJti(),
      });
      return { token, token_type: "Bearer", expires_in: exp - iat };
    },
  };
}

export type LoginService = ReturnType<typeof loginService>;
