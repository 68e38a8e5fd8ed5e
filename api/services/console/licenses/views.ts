import type { Kysely } from "kysely";
import { signerExpiresSoon } from "../../../../domain/signers";
import type { Database } from "../../../db/database";
import { ForbiddenError } from "../../../errors";
import type { Page } from "../../../lib/shapes";
import { unixSeconds } from "../../../lib/time";
import type { EventService } from "../../public/events";
import type { LicenseService } from "../../public/licenses";
import type { License } from "../../public/schemas";
import type { VehicleService } from "../../public/vehicles";
import type { MyLicense, PrivateLicense } from "../schemas";
import type { WalletService } from "../wallets/wallets";

export const NEEDS_ACTIVE_LICENSE =
  "Viewing other developers' licenses requires owning at least one active developer license with this account";
export const OWNER_ONLY =
  "Only the owner of this license can see its private view: none of your wallets owns it";

export type ConsoleLicenseDeps = {
  db: Kysely<Database>;
  clock: () => Date;
  licenses: LicenseService;
  vehicles: VehicleService;
  events: EventService;
  wallets: WalletService;
  warningDays: number;
};

/**
 * The console's views of licenses, every rule enforced here (never in the browser): mine (owned
 * by any of my wallets), another license's public page (only for owners of an active license),
 * and the private view (only for the owner). Data comes from the public services.
 */
export function consoleLicenseService(deps: ConsoleLicenseDeps) {
  const myAddresses = async (accountId: string) => {
    const wallets = await deps.wallets.list(accountId);
    return new Map(wallets.map((w) => [w.address.toLowerCase(), w.kind]));
  };

  return {
    async mine(accountId: string, page: { limit?: number; cursor?: string }): Promise<Page<MyLicense>> {
      const kinds = await myAddresses(accountId);
      const result = await deps.licenses.ownedBy([...kinds.keys()], page);
      const counts = await deps.vehicles.countSharedWith(result.items.map((l) => l.clientId.toLowerCase()));
      return {
        items: result.items.map((l) => ({
          ...l,
          vehicleCount: counts.get(l.clientId.toLowerCase()) ?? 0,
          manageable: kinds.get(l.owner.toLowerCase()) ?? "external",
        })),
        nextCursor: result.nextCursor,
      };
    },

    /** Any license's public fields, for an account that owns an active license (else 403). */
    async publicPage(accountId: string, tokenId: string): Promise<License> {
      const kinds = await myAddresses(accountId);
      if (!(await deps.licenses.anyActiveOwnedBy([...kinds.keys()])))
        throw new ForbiddenError(NEEDS_ACTIVE_LICENSE);
      return deps.licenses.byTokenId(tokenId);
    },

    /** Everything the owner manages on a license; 403 unless one of my wallets owns it. */
    async privateView(accountId: string, tokenId: string, page: { limit?: number }): Promise<PrivateLicense> {
      const license = await deps.licenses.byTokenId(tokenId);
      const manageable = await deps.wallets.kindOf(accountId, license.owner);
      if (manageable === null) throw new ForbiddenError(OWNER_ONLY);
      const [labels, vehicles, history] = await Promise.all([
        deps.db
          .selectFrom("console.api_key_labels")
          .select(["signer", "label"])
          .where("token_id", "=", tokenId)
          .execute(),
        deps.vehicles.sharedWith(tokenId, license.clientId.toLowerCase(), { limit: page.limit }),
        deps.events.ofLicense(tokenId, { limit: page.limit }),
      ]);
      const labelOf = new Map(labels.map((l) => [l.signer, l.label]));
      const now = unixSeconds(deps.clock());
      const warning = BigInt(deps.warningDays * 86_400);
      return {
        license,
        manageable,
        signers: license.signers.map((s) => ({
          ...s,
          label: labelOf.get(s.address.toLowerCase()) ?? null,
          expiresSoon: signerExpiresSoon(BigInt(Date.parse(s.expiresAt) / 1000), now, warning),
        })),
        redirectUris: license.redirectUris,
        vehicles,
        history,
      };
    },
  };
}

export type ConsoleLicenseService = ReturnType<typeof consoleLicenseService>;
