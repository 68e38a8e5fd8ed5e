import { aliasProblem } from "../../../domain/alias";
import type { ServiceContext } from "./context";
import type { AliasAvailability } from "./schemas";
import { toNumber } from "./shape";

export function aliasService(ctx: ServiceContext) {
  return {
    /** Whether `setLicenseAlias` could take this alias now: shape first (32 UTF-8 bytes), then uniqueness. */
    async availability(alias: string): Promise<AliasAvailability> {
      const problem = aliasProblem(alias);
      if (problem) return { alias, available: false, tokenId: null, reason: problem };
      // Postgres text cannot hold NUL, so no indexed license can hold such an alias.
      if (alias.includes("\u0000")) return { alias, available: true, tokenId: null, reason: null };
      const holder = await ctx.db
        .selectFrom("dimo.license")
        .select("token_id")
        .where("alias", "=", alias)
        .where("status", "=", "active")
        .orderBy("token_id")
        .limit(1)
        .executeTakeFirst();
      return holder
        ? { alias, available: false, tokenId: toNumber(holder.token_id), reason: "taken" }
        : { alias, available: true, tokenId: null, reason: null };
    },
  };
}

export type AliasService = ReturnType<typeof aliasService>;
