import type { JWTPayload } from "jose";
import type { Kysely } from "kysely";
import { getAddress, isAddress } from "viem";
import { signerExpired, signerExpiresAt } from "../../../domain/signers";
import type { Database } from "../../db/database";
import { ForbiddenError, UnauthenticatedError } from "../../errors";
import { isoFromSeconds, unixSeconds } from "../../lib/time";
import type { IndexFreshness } from "./freshness";
import type { SigningKeys } from "./signingKeys";

/** The license a verified developer JWT speaks for. */
export type Developer = {
  /** The license's clientId (= the token's ethereum_address), checksummed. */
  clientId: string;
  tokenId: string;
  /** The API key that earned the token (its `signer` claim), checksummed. */
  signer: string;
  claims: JWTPayload & { ethereum_address: string; signer: string };
};

export type DeveloperService = {
  /** The developer a bearer token proves, or 401/403 saying why not. */
  authenticate(token: string): Promise<Developer>;
};

function audiences(aud: JWTPayload["aud"]): string[] {
  if (typeof aud === "string") return [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === "string") : [];
}

/**
 * Developer JWTs presented back to us. 401 unless the token verifies against our own keys (pinned
 * algorithms, known kid, our issuer, unexpired) and the signer that earned it (`signer` claim) is
 * still an enabled, unexpired signer of the license; 403 unless it is a developer token of an
 * existing, active license (`ethereum_address` is a clientId and `aud` names that same clientId).
 * License, signer and period validity come from ONE indexed lookup per request, so disabling a key,
 * letting it expire or revoking the license refuses its tokens from the indexer commit that records
 * it; while the indexer lags too far to tell, 503 (freshness.ts).
 */
export function developerService(deps: {
  db: Kysely<Database>;
  keys: SigningKeys;
  clock: () => Date;
  /** PUBLIC_URL: the only accepted `iss`. */
  issuer: string;
  /** The configured DevLicenseDimo, lowercase (its periodValidity decides signer expiry). */
  devLicense: string;
  freshness: IndexFreshness;
}): DeveloperService {
  return {
    async authenticate(token) {
      const claims = await deps.keys.verify(token, { issuer: deps.issuer });
      const address = claims.ethereum_address;
      if (typeof address !== "string" || !isAddress(address, { strict: false })) {
        throw new UnauthenticatedError("Not a developer JWT: no ethereum_address claim");
      }
      const signer = claims.signer;
      if (typeof signer !== "string" || !isAddress(signer, { strict: false })) {
        throw new UnauthenticatedError(
          "This developer JWT does not name the API key that earned it (issued before keys were bound to tokens): log in again",
        );
      }
      const clientId = address.toLowerCase();
      if (!audiences(claims.aud).some((a) => a.toLowerCase() === clientId)) {
        throw new ForbiddenError("Token audience is not the client id of its ethereum_address");
      }
      await deps.freshness.check();
      const row = await deps.db
        .selectFrom("dimo.license as l")
        .leftJoin("dimo.license_signer as s", (j) =>
          j.onRef("s.token_id", "=", "l.token_id").on("s.signer", "=", signer.toLowerCase()),
        )
        .select((eb) => [
          "l.token_id",
          "l.status",
          eb.cast<string | null>("s.enabled_at", "text").as("enabled_at"),
          eb
            .selectFrom("dimo.license_contract as k")
            .select((e) => e.cast<string>("k.period_validity", "text").as("p"))
            .where("k.address", "=", deps.devLicense)
            .as("period_validity"),
        ])
        .where("l.client_id", "=", clientId)
        .limit(1)
        .executeTakeFirst();
      if (!row) throw new ForbiddenError(`Not a dev license: ${getAddress(clientId)}`);
      if (row.status !== "active") throw new ForbiddenError(`License ${getAddress(clientId)} is revoked`);
      const who = getAddress(signer);
      if (row.enabled_at === null) {
        throw new UnauthenticatedError(
          `The API key that earned this token (${who}) is no longer a signer of the license: log in with an enabled key`,
        );
      }
      const expiresAt = signerExpiresAt(row.enabled_at, row.period_validity);
      if (signerExpired(expiresAt, unixSeconds(deps.clock()))) {
        throw new UnauthenticatedError(
          `The API key that earned this token (${who}) expired at ${isoFromSeconds(expiresAt)}: renew it, then log in again`,
        );
      }
      return {
        clientId: getAddress(clientId),
        tokenId: row.token_id,
        signer: who,
        claims: { ...claims, ethereum_address: address, signer },
      };
    },
  };
}
