import type { Kysely } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { getAddress } from "viem";
import { namesInOrder, type PermissionId, permissionIdsOfMask } from "../../../domain/permissions";
import type { Database } from "../../db/database";
import { ForbiddenError, InvalidRequestError } from "../../errors";
import { unixSeconds } from "../../lib/time";
import type { VehicleToken } from "./schemas";
import type { SigningKeys } from "./signingKeys";

// Vehicle token exchange (docs/login-with-dimo.md): a developer JWT's license trades for a short-lived token on one
// vehicle, granted only when its unexpired grants on that vehicle (SACD masks ∪ legacy privileges,
// both as indexed) cover every asked permission.

export type ExchangeRequest = {
  /** The asset's contract and chain as asked; must be our VehicleId on our chain. */
  contract: string;
  chainId: number;
  tokenId: number;
  permissionIds: PermissionId[];
  audience: string[] | null;
  /** The legacy body adds contract_address, token_id and privilege_ids to the token. */
  legacy: boolean;
};

export type ExchangeDeps = {
  db: Kysely<Database>;
  clock: () => Date;
  keys: SigningKeys;
  issuer: string;
  chainId: number;
  /** VehicleId contract, checksummed. */
  vehicleId: string;
  ttlSeconds: number;
};

const DEFAULT_AUDIENCE = ["dimo.zone"];

const assetDid = (chainId: number, contract: string, tokenId: number | string) =>
  `did:erc721:${chainId}:${getAddress(contract)}:${tokenId}`;

export function exchangeService(deps: ExchangeDeps) {
  /** Permission ids the clientId holds on the vehicle now, or null when the vehicle does not exist. */
  async function grantedIds(clientId: string, vehicleId: number): Promise<Set<number> | null> {
    const now = unixSeconds(deps.clock()).toString();
    const row = await deps.db
      .selectFrom("dimo.vehicle as v")
      .select((eb) => [
        jsonArrayFrom(
          eb
            .selectFrom("dimo.vehicle_sacd as s")
            .select((e) => e.cast<string>("s.permissions", "text").as("permissions"))
            .whereRef("s.vehicle_id", "=", "v.id")
            .where("s.grantee", "=", clientId)
            .where("s.expires_at", ">", now),
        ).as("sacds"),
        jsonArrayFrom(
          eb
            .selectFrom("dimo.vehicle_privilege as p")
            .select((e) => e.cast<string>("p.privilege_id", "text").as("privilege_id"))
            .whereRef("p.vehicle_id", "=", "v.id")
            .where("p.user", "=", clientId)
            .where("p.expires_at", ">", now),
        ).as("privileges"),
      ])
      .where("v.id", "=", String(vehicleId))
      .executeTakeFirst();
    if (!row) return null;
    const ids = new Set<number>();
    for (const s of row.sacds) for (const id of permissionIdsOfMask(BigInt(s.permissions))) ids.add(id);
    for (const p of row.privileges) ids.add(Number(p.privilege_id));
    return ids;
  }

  return {
    /** Our chain id: the legacy body names no chain. */
    chainId: deps.chainId,

    async exchange(clientId: string, req: ExchangeRequest): Promise<VehicleToken> {
      if (req.chainId !== deps.chainId) {
        throw new InvalidRequestError(
          `Unsupported chain ${req.chainId}: this service serves chain ${deps.chainId}`,
        );
      }
      if (req.contract.toLowerCase() !== deps.vehicleId.toLowerCase()) {
        throw new InvalidRequestError(
          `Unsupported asset contract ${req.contract}: only VehicleId ${deps.vehicleId}`,
        );
      }
      const granted = await grantedIds(clientId.toLowerCase(), req.tokenId);
      if (granted === null)
        throw new ForbiddenError(`Vehicle ${req.tokenId} does not exist (never minted, or burned)`);
      const missing = req.permissionIds.filter((id) => !granted.has(id));
      if (missing.length > 0) {
        const names = namesInOrder(missing);
        throw new ForbiddenError(
          `${getAddress(clientId)} lacks ${names.join(", ")} on vehicle ${req.tokenId} (no unexpired grant covers ${missing.length === 1 ? "it" : "them"})`,
          { missing: names },
        );
      }
      const iat = Number(unixSeconds(deps.clock()));
      const ids = [...new Set(req.permissionIds)].sort((a, b) => a - b);
      const token = await deps.keys.sign({
        iss: deps.issuer,
        aud: req.audience ?? DEFAULT_AUDIENCE,
        iat,
        exp: iat + deps.ttlSeconds,
        sub: `${deps.vehicleId}/${req.tokenId}`,
        asset: assetDid(deps.chainId, deps.vehicleId, req.tokenId),
        permissions: namesInOrder(ids),
        ...(req.legacy
          ? { contract_address: deps.vehicleId, token_id: req.tokenId, privilege_ids: ids }
          : {}),
      });
      return { token };
    },
  };
}

export type ExchangeService = ReturnType<typeof exchangeService>;
