import { unixSeconds } from "../../lib/time";
import type { ServiceContext } from "./context";
import type { Stats } from "./schemas";

export function statsService(ctx: ServiceContext) {
  return {
    /** The stats counts (docs/public-api.md) in one statement, so they describe one snapshot of the index. */
    async get(): Promise<Stats> {
      const now = unixSeconds(ctx.clock()).toString();
      const row = await ctx.db
        .selectNoFrom((eb) => [
          eb
            .selectFrom("dimo.license")
            .select((e) => e.fn.countAll<string>().filterWhere("status", "=", "active").as("n"))
            .as("active"),
          eb
            .selectFrom("dimo.license")
            .select((e) => e.fn.countAll<string>().filterWhere("status", "=", "revoked").as("n"))
            .as("revoked"),
          // Signers and redirect URIs of active licenses only; expired signers still count.
          eb
            .selectFrom("dimo.license_signer as s")
            .innerJoin("dimo.license as l", "l.token_id", "s.token_id")
            .select((e) => e.fn.countAll<string>().as("n"))
            .where("l.status", "=", "active")
            .as("signers"),
          eb
            .selectFrom("dimo.license_redirect_uri as r")
            .innerJoin("dimo.license as l", "l.token_id", "r.token_id")
            .select((e) => e.fn.countAll<string>().as("n"))
            .where("l.status", "=", "active")
            .as("redirect_uris"),
          eb
            .selectFrom("dimo.vehicle")
            .select((e) => e.fn.countAll<string>().as("n"))
            .as("vehicles"),
          eb
            .selectFrom("dimo.vehicle_sacd")
            .select((e) => e.fn.countAll<string>().as("n"))
            .where("expires_at", ">", now)
            .as("sacds"),
          eb
            .selectFrom("dimo.vehicle_privilege")
            .select((e) => e.fn.countAll<string>().as("n"))
            .where("expires_at", ">", now)
            .as("privileges"),
        ])
        .executeTakeFirstOrThrow();
      const n = (v: string | number | bigint | null) => Number(v ?? 0);
      return {
        licenses: { active: n(row.active), revoked: n(row.revoked) },
        signers: n(row.signers),
        redirectUris: n(row.redirect_uris),
        vehicles: n(row.vehicles),
        activeGrants: n(row.sacds) + n(row.privileges),
      };
    },
  };
}

export type StatsService = ReturnType<typeof statsService>;
