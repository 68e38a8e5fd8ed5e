import type { MiddlewareHandler } from "hono";
import type { JWTPayload } from "jose";
import type { Kysely } from "kysely";
import { getAddress, isAddress } from "viem";
import type { Database } from "../db/database";
import { ForbiddenError, UnauthenticatedError } from "../errors";
import type { SigningKeys } from "../services/login/signingKeys";
import type { AppEnv } from "./types";

/** The license a verified developer JWT speaks for. */
export type Developer = {
  /** The license's clientId (= the token's ethereum_address), checksummed. */
  clientId: string;
  tokenId: string;
  claims: JWTPayload & { ethereum_address: string };
};

export type DeveloperEnv = AppEnv & { Variables: AppEnv["Variables"] & { developer: Developer } };

export type RequireDeveloperJwtOptions = {
  keys: SigningKeys;
  db: Kysely<Database>;
  /** PUBLIC_URL: the only accepted `iss`. */
  issuer: string;
};

const BEARER_RE = /^Bearer\s+([A-Za-z0-9_\-.]+=*)\s*$/i;

function audiences(aud: JWTPayload["aud"]): string[] {
  if (typeof aud === "string") return [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === "string") : [];
}

/**
 * `Authorization: Bearer <developer JWT>` for routes that act for a license. 401 unless the token
 * verifies against our own keys (api/services/login/signingKeys.ts: pinned algorithms, known kid,
 * our issuer, unexpired). 403 unless it is a developer token of an existing, active license:
 * `ethereum_address` is a clientId and `aud` names that same clientId (tokens we issue always do).
 * Sets `c.var.developer`.
 */
export function requireDeveloperJwt(opts: RequireDeveloperJwtOptions): MiddlewareHandler<DeveloperEnv> {
  return async (c, next) => {
    const match = BEARER_RE.exec(c.req.header("authorization") ?? "");
    if (!match) {
      c.header("WWW-Authenticate", 'Bearer realm="dimo-developer"');
      throw new UnauthenticatedError("A developer JWT is required: Authorization: Bearer <token>");
    }
    const claims = await opts.keys.verify(match[1]!, { issuer: opts.issuer });
    const address = claims.ethereum_address;
    if (typeof address !== "string" || !isAddress(address, { strict: false })) {
      throw new UnauthenticatedError("Not a developer JWT: no ethereum_address claim");
    }
    const clientId = address.toLowerCase();
    if (!audiences(claims.aud).some((a) => a.toLowerCase() === clientId)) {
      throw new ForbiddenError("Token audience is not the client id of its ethereum_address");
    }
    const license = await opts.db
      .selectFrom("dimo.license")
      .select(["token_id", "status"])
      .where("client_id", "=", clientId)
      .limit(1)
      .executeTakeFirst();
    if (!license) throw new ForbiddenError(`Not a dev license: ${getAddress(clientId)}`);
    if (license.status !== "active") throw new ForbiddenError(`License ${getAddress(clientId)} is revoked`);
    c.set("developer", {
      clientId: getAddress(clientId),
      tokenId: license.token_id,
      claims: { ...claims, ethereum_address: address },
    });
    await next();
  };
}
