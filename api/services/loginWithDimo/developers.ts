import type { JWTPayload } from "jose";
import type { Kysely } from "kysely";
import { getAddress, isAddress } from "viem";
import type { Database } from "../../db/database";
import { ForbiddenError, UnauthenticatedError } from "../../errors";
import type { SigningKeys } from "./signingKeys";

/** The license a verified developer JWT speaks for. */
export type Developer = {
  /** The license's clientId (= the token's ethereum_address), checksummed. */
  clientId: string;
  tokenId: string;
  claims: JWTPayload & { ethereum_address: string };
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
 * algorithms, known kid, our issuer, unexpired). 403 unless it is a developer token of an existing,
 * active license: `ethereum_address` is a clientId and `aud` names that same clientId (tokens we
 * issue always do).
 */
export function developerService(deps: {
  db: Kysely<Database>;
  keys: SigningKeys;
  /** PUBLIC_URL: the only accepted `iss`. */
  issuer: string;
}): DeveloperService {
  return {
    async authenticate(token) {
      const claims = await deps.keys.verify(token, { issuer: deps.issuer });
      const address = claims.ethereum_address;
      if (typeof address !== "string" || !isAddress(address, { strict: false })) {
        throw new UnauthenticatedError("Not a developer JWT: no ethereum_address claim");
      }
      const clientId = address.toLowerCase();
      if (!audiences(claims.aud).some((a) => a.toLowerCase() === clientId)) {
        throw new ForbiddenError("Token audience is not the client id of its ethereum_address");
      }
      const license = await deps.db
        .selectFrom("dimo.license")
        .select(["token_id", "status"])
        .where("client_id", "=", clientId)
        .limit(1)
        .executeTakeFirst();
      if (!license) throw new ForbiddenError(`Not a dev license: ${getAddress(clientId)}`);
      if (license.status !== "active") throw new ForbiddenError(`License ${getAddress(clientId)} is revoked`);
      return {
        clientId: getAddress(clientId),
        tokenId: license.token_id,
        claims: { ...claims, ethereum_address: address },
      };
    },
  };
}
