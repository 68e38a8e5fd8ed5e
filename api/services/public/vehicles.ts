import { jsonArrayFrom } from "kysely/helpers/postgres";
import { checksumAddress } from "../../../domain/eip55";
import { queryTemplate, slot } from "../../db/template";
import { NotFoundError } from "../../errors";
import type { Page } from "../../lib/shapes";
import { isoFromSeconds, isoFromSecondsOrNull, unixSeconds } from "../../lib/time";
import { DEFAULT_LIMIT, readWindow, type ServiceContext, type Window, type WindowPage } from "./context";
import type { PrivilegeGrant, SacdGrant, SharedVehicle, Vehicle } from "./schemas";
import { privilegeGrant, sacdGrant, sharedVehicle, toNumber } from "./shape";

/** A vehicle without its grants (lists, and the GraphQL endpoint, which loads grants apart). */
export type VehicleSummary = { vehicleId: number; owner: `0x${string}`; mintedAt: string | null };
/** A SACD grant with the time it was set (GraphQL `Sacd.createdAt`). */
export type DatedSacdGrant = SacdGrant & { createdAt: string };
/** A legacy privilege with the time it was set (GraphQL `Privilege.setAt`). */
export type DatedPrivilegeGrant = PrivilegeGrant & { setAt: string };

/** Which vehicles a window lists: owned by `owner`, and/or `privileged` (owned or shared unexpired). */
export type VehicleFilters = { owner: string | null; privileged: string | null };

type SummaryRow = { id: string; owner: string; minted_at: string | null };
const summary = (r: SummaryRow): VehicleSummary => ({
  vehicleId: toNumber(r.id),
  owner: checksumAddress(r.owner),
  mintedAt: isoFromSecondsOrNull(r.minted_at),
});

export function vehicleService(ctx: ServiceContext) {
  // Vehicles with an unexpired grant to a clientId after a vehicleId, compiled once (the hottest
  // list: building and compiling this query per request cost more CPU than running it). Without a
  // cursor `after` is -1: vehicle ids are uint256, so the range is the whole index either way.
  const sharedPage = queryTemplate(
    ctx.db,
    ctx.db
      .with("ids", (db) =>
        db
          .selectFrom("dimo.vehicle_sacd")
          .select("vehicle_id")
          .where("grantee", "=", slot("clientId"))
          .where("expires_at", ">", slot("now"))
          .where("vehicle_id", ">", slot("after"))
          .union(
            db
              .selectFrom("dimo.vehicle_privilege")
              .select("vehicle_id")
              .where("user", "=", slot("clientId"))
              .where("expires_at", ">", slot("now"))
              .where("vehicle_id", ">", slot("after")),
          )
          .orderBy("vehicle_id")
          .limit(slot("limit") as unknown as number),
      )
      .selectFrom("ids")
      .leftJoin("dimo.vehicle as v", "v.id", "ids.vehicle_id")
      // At most one SACD per (vehicle, grantee) (its primary key): a join, not an aggregate.
      .leftJoin("dimo.vehicle_sacd as s", (join) =>
        join
          .onRef("s.vehicle_id", "=", "ids.vehicle_id")
          .on("s.grantee", "=", slot("clientId"))
          .on("s.expires_at", ">", slot("now")),
      )
      .select((eb) => [
        eb.cast<string>("ids.vehicle_id", "text").as("vehicle_id"),
        "v.owner",
        "s.grantee",
        eb.cast<string | null>("s.permissions", "text").as("permissions"),
        eb.cast<string | null>("s.expires_at", "text").as("expires_at"),
        "s.source",
        "s.template_id",
        jsonArrayFrom(
          eb
            .selectFrom("dimo.vehicle_privilege as p")
            .select((e) => [
              "p.user",
              e.cast<string>("p.privilege_id", "text").as("privilege_id"),
              e.cast<string>("p.expires_at", "text").as("expires_at"),
            ])
            .whereRef("p.vehicle_id", "=", "ids.vehicle_id")
            .where("p.user", "=", slot("clientId"))
            .where("p.expires_at", ">", slot("now"))
            .orderBy("p.privilege_id"),
        ).as("privileges"),
      ])
      .orderBy("ids.vehicle_id"),
  );

  return {
    /**
     * Vehicles with an unexpired grant (SACD or legacy privilege) to `clientId`, vehicleId
     * ascending, keyset on vehicleId. Both grant tables are indexed on (grantee|user, vehicle_id),
     * so a page costs two index range scans whatever its depth.
     */
    async sharedWith(
      tokenId: string,
      clientId: string,
      page: { limit?: number; cursor?: string },
    ): Promise<Page<SharedVehicle>> {
      const limit = page.limit ?? DEFAULT_LIMIT;
      const now = unixSeconds(ctx.clock()).toString();
      const filters = { tokenId };
      const after =
        page.cursor === undefined ? "-1" : ctx.cursors.decode(page.cursor, "licenseVehicles", filters, 1)[0]!;
      const rows = await sharedPage({ clientId, now, after, limit: limit + 1 });
      const items = rows.slice(0, limit).map((r) => {
        const sacds =
          r.grantee === null
            ? []
            : [
                {
                  grantee: r.grantee,
                  permissions: r.permissions!,
                  expires_at: r.expires_at!,
                  source: r.source,
                  template_id: r.template_id,
                },
              ];
        return sharedVehicle(r.vehicle_id, r.owner, sacds, r.privileges);
      });
      const last = rows.length > limit ? rows[limit - 1] : undefined;
      return {
        items,
        nextCursor: last ? ctx.cursors.encode("licenseVehicles", filters, [last.vehicle_id]) : null,
      };
    },

    /**
     * How many vehicles `sharedWith` lists for each clientId (lowercase): vehicles with an
     * unexpired SACD or privilege grant to it, counted once however many grants they have.
     */
    async countSharedWith(clientIds: readonly string[]): Promise<Map<string, number>> {
      const counts = new Map<string, number>(clientIds.map((id) => [id, 0]));
      if (clientIds.length === 0) return counts;
      const now = unixSeconds(ctx.clock()).toString();
      const rows = await ctx.db
        .with("shared", (db) =>
          db
            .selectFrom("dimo.vehicle_sacd")
            .select(["grantee as client_id", "vehicle_id"])
            .where("grantee", "in", clientIds)
            .where("expires_at", ">", now)
            .union(
              db
                .selectFrom("dimo.vehicle_privilege")
                .select(["user as client_id", "vehicle_id"])
                .where("user", "in", clientIds)
                .where("expires_at", ">", now),
            ),
        )
        .selectFrom("shared")
        .select((eb) => ["shared.client_id", eb.fn.countAll<string>().as("n")])
        .groupBy("shared.client_id")
        .execute();
      for (const r of rows) counts.set(r.client_id, Number(r.n));
      return counts;
    },

    /**
     * Vehicles by vehicleId descending as a window of identity-api's connections (GraphQL
     * `vehicles`), with the count of all the filters match. `privileged`: the vehicles it owns or
     * holds an unexpired SACD or privilege on, each once (identity-api's rule).
     */
    async window(filters: VehicleFilters, w: Window): Promise<WindowPage<VehicleSummary>> {
      const now = unixSeconds(ctx.clock()).toString();
      let base = ctx.db
        .selectFrom("dimo.vehicle as v")
        .select((eb) => [
          eb.cast<string>("v.id", "text").as("id"),
          "v.owner",
          eb.cast<string>("v.minted_at", "text").as("minted_at"),
        ]);
      if (filters.owner) base = base.where("v.owner", "=", filters.owner);
      const privileged = filters.privileged;
      if (privileged) {
        base = base.where((eb) =>
          eb.or([
            eb("v.owner", "=", privileged),
            eb.exists(
              eb
                .selectFrom("dimo.vehicle_sacd as s")
                .select("s.vehicle_id")
                .whereRef("s.vehicle_id", "=", "v.id")
                .where("s.grantee", "=", privileged)
                .where("s.expires_at", ">", now),
            ),
            eb.exists(
              eb
                .selectFrom("dimo.vehicle_privilege as p")
                .select("p.vehicle_id")
                .whereRef("p.vehicle_id", "=", "v.id")
                .where("p.user", "=", privileged)
                .where("p.expires_at", ">", now),
            ),
          ]),
        );
      }
      return readWindow(ctx.db, base, "v.id", w, summary);
    },

    /** Vehicles seen minted and not burned, by vehicleId (decimal text); absent ids are left out. */
    async summaries(vehicleIds: readonly string[]): Promise<Map<string, VehicleSummary>> {
      if (vehicleIds.length === 0) return new Map();
      const rows = await ctx.db
        .selectFrom("dimo.vehicle as v")
        .select((eb) => [
          eb.cast<string>("v.id", "text").as("id"),
          "v.owner",
          eb.cast<string>("v.minted_at", "text").as("minted_at"),
        ])
        .where("v.id", "in", vehicleIds)
        .execute();
      return new Map(rows.map((r) => [r.id, summary(r)]));
    },

    /**
     * Every unexpired grant of each vehicle (decimal ids), with the times they were set: SACDs by
     * grantee, privileges by privilegeId then user. One statement per kind for the whole batch.
     */
    async datedGrants(
      vehicleIds: readonly string[],
    ): Promise<Map<string, { sacds: DatedSacdGrant[]; privileges: DatedPrivilegeGrant[] }>> {
      const out = new Map(
        vehicleIds.map((id) => [
          id,
          { sacds: [] as DatedSacdGrant[], privileges: [] as DatedPrivilegeGrant[] },
        ]),
      );
      if (vehicleIds.length === 0) return out;
      const now = unixSeconds(ctx.clock()).toString();
      const [sacds, privileges] = await Promise.all([
        ctx.db
          .selectFrom("dimo.vehicle_sacd as s")
          .select((e) => [
            e.cast<string>("s.vehicle_id", "text").as("vehicle_id"),
            "s.grantee",
            e.cast<string>("s.permissions", "text").as("permissions"),
            e.cast<string>("s.expires_at", "text").as("expires_at"),
            e.cast<string>("s.created_at", "text").as("created_at"),
            "s.source",
            "s.template_id",
          ])
          .where("s.vehicle_id", "in", vehicleIds)
          .where("s.expires_at", ">", now)
          .orderBy(
            (e) => e.ref("s.grantee").$castTo<string>(),
            (ob) => ob.collate("C"),
          )
          .execute(),
        ctx.db
          .selectFrom("dimo.vehicle_privilege as p")
          .select((e) => [
            e.cast<string>("p.vehicle_id", "text").as("vehicle_id"),
            "p.user",
            e.cast<string>("p.privilege_id", "text").as("privilege_id"),
            e.cast<string>("p.expires_at", "text").as("expires_at"),
            e.cast<string>("p.set_at", "text").as("set_at"),
          ])
          .where("p.vehicle_id", "in", vehicleIds)
          .where("p.expires_at", ">", now)
          .orderBy("p.privilege_id")
          .orderBy(
            (e) => e.ref("p.user").$castTo<string>(),
            (ob) => ob.collate("C"),
          )
          .execute(),
      ]);
      for (const r of sacds) {
        out.get(r.vehicle_id)?.sacds.push({ ...sacdGrant(r), createdAt: isoFromSeconds(r.created_at) });
      }
      for (const r of privileges) {
        out.get(r.vehicle_id)?.privileges.push({ ...privilegeGrant(r), setAt: isoFromSeconds(r.set_at) });
      }
      return out;
    },

    /**
     * Unexpired account-level SACDs each grantor (lowercase) has given, by grantee: what
     * identity-api's `account { sacds }` lists.
     */
    async accountGrants(grantors: readonly string[]): Promise<Map<string, DatedSacdGrant[]>> {
      const out = new Map(grantors.map((g) => [g, [] as DatedSacdGrant[]]));
      if (grantors.length === 0) return out;
      const now = unixSeconds(ctx.clock()).toString();
      const rows = await ctx.db
        .selectFrom("dimo.account_sacd as a")
        .select((e) => [
          "a.grantor",
          "a.grantee",
          e.cast<string>("a.permissions", "text").as("permissions"),
          e.cast<string>("a.expires_at", "text").as("expires_at"),
          e.cast<string>("a.created_at", "text").as("created_at"),
          "a.source",
          "a.template_id",
        ])
        .where("a.grantor", "in", grantors)
        .where("a.expires_at", ">", now)
        .orderBy(
          (e) => e.ref("a.grantee").$castTo<string>(),
          (ob) => ob.collate("C"),
        )
        .execute();
      for (const r of rows) {
        out.get(r.grantor)?.push({ ...sacdGrant(r), createdAt: isoFromSeconds(r.created_at) });
      }
      return out;
    },

    /** A vehicle seen minted and not burned, with every unexpired grant of every grantee. */
    async byId(vehicleId: string): Promise<Vehicle> {
      const now = unixSeconds(ctx.clock()).toString();
      const row = await ctx.db
        .selectFrom("dimo.vehicle as v")
        .select((eb) => [
          "v.owner",
          eb.cast<string>("v.minted_at", "text").as("minted_at"),
          jsonArrayFrom(
            eb
              .selectFrom("dimo.vehicle_sacd as s")
              .select((e) => [
                "s.grantee",
                e.cast<string>("s.permissions", "text").as("permissions"),
                e.cast<string>("s.expires_at", "text").as("expires_at"),
                "s.source",
                "s.template_id",
              ])
              .whereRef("s.vehicle_id", "=", "v.id")
              .where("s.expires_at", ">", now)
              .orderBy(
                (e) => e.ref("s.grantee").$castTo<string>(),
                (ob) => ob.collate("C"),
              ),
          ).as("sacds"),
          jsonArrayFrom(
            eb
              .selectFrom("dimo.vehicle_privilege as p")
              .select((e) => [
                "p.user",
                e.cast<string>("p.privilege_id", "text").as("privilege_id"),
                e.cast<string>("p.expires_at", "text").as("expires_at"),
              ])
              .whereRef("p.vehicle_id", "=", "v.id")
              .where("p.expires_at", ">", now)
              .orderBy("p.privilege_id")
              .orderBy(
                (e) => e.ref("p.user").$castTo<string>(),
                (ob) => ob.collate("C"),
              ),
          ).as("privileges"),
        ])
        .where("v.id", "=", vehicleId)
        .executeTakeFirst();
      if (!row) throw new NotFoundError(`No vehicle with id ${vehicleId} (never seen, or burned)`);
      return {
        vehicleId: toNumber(vehicleId),
        owner: checksumAddress(row.owner),
        mintedAt: isoFromSecondsOrNull(row.minted_at),
        grants: [...row.sacds.map(sacdGrant), ...row.privileges.map(privilegeGrant)],
      };
    },
  };
}

export type VehicleService = ReturnType<typeof vehicleService>;
