import { jsonArrayFrom } from "kysely/helpers/postgres";
import { checksumAddress } from "../../../domain/eip55";
import { arraySlot, queryTemplate, slot } from "../../db/template";
import { NotFoundError } from "../../errors";
import { batchLoader } from "../../lib/batch";
import type { Page } from "../../lib/shapes";
import { isoFromSeconds, isoFromSecondsOrNull, unixSeconds } from "../../lib/time";
import { DEFAULT_LIMIT, readWindow, type ServiceContext, type Window, type WindowPage } from "./context";
import type { License } from "./schemas";
import { signer, toNumber } from "./shape";

export type LicenseFilters = {
  status: "active" | "revoked" | "all";
  owner: string | null;
  signer: string | null;
};

type LicenseQuery = ReturnType<typeof selectLicenses>;
type LicenseRow = Awaited<ReturnType<LicenseQuery["executeTakeFirstOrThrow"]>>;

/**
 * One license with its signers, redirect URIs and the contract's periodValidity in a single
 * statement (json_agg subqueries over the primary-key indexes): the hot path of the API. Text
 * sorts use byte order (COLLATE "C"), so every deployment answers in the same order whatever
 * the database's collation.
 */
function selectLicenses(ctx: ServiceContext) {
  return ctx.db.selectFrom("dimo.license as l").select((eb) => [
    "l.token_id",
    "l.client_id",
    "l.owner",
    "l.alias",
    "l.status",
    "l.minted_at",
    "l.minted_block",
    "l.minted_tx",
    "l.revoked_at",
    eb
      .selectFrom("dimo.license_contract as c")
      .select((e) => e.cast<string>("c.period_validity", "text").as("p"))
      .where("c.address", "=", ctx.devLicense)
      .as("period_validity"),
    jsonArrayFrom(
      eb
        .selectFrom("dimo.license_signer as s")
        .select((e) => ["s.signer", e.cast<string>("s.enabled_at", "text").as("enabled_at")])
        .whereRef("s.token_id", "=", "l.token_id")
        .orderBy("s.enabled_at")
        .orderBy(
          (e) => e.ref("s.signer").$castTo<string>(),
          (ob) => ob.collate("C"),
        ),
    ).as("signers"),
    jsonArrayFrom(
      eb
        .selectFrom("dimo.license_redirect_uri as r")
        .select((e) => ["r.uri", e.cast<string>("r.enabled_at", "text").as("enabled_at")])
        .whereRef("r.token_id", "=", "l.token_id")
        .orderBy("r.enabled_at")
        .orderBy(
          (e) => e.ref("r.uri").$castTo<string>(),
          (ob) => ob.collate("C"),
        ),
    ).as("redirect_uris"),
  ]);
}

function shapeLicense(row: LicenseRow, now: bigint): License {
  return {
    tokenId: toNumber(row.token_id),
    clientId: checksumAddress(row.client_id),
    owner: checksumAddress(row.owner),
    alias: row.alias === "" ? null : row.alias,
    status: row.status === "revoked" ? "revoked" : "active",
    mintedAt: isoFromSeconds(row.minted_at),
    mintedBlock: toNumber(row.minted_block),
    mintedTx: row.minted_tx.toLowerCase(),
    revokedAt: isoFromSecondsOrNull(row.revoked_at),
    redirectUris: row.redirect_uris.map((r) => ({ uri: r.uri, enabledAt: isoFromSeconds(r.enabled_at) })),
    signers: row.signers.map((s) => signer(s, row.period_validity, now)),
  };
}

export function licenseService(ctx: ServiceContext) {
  // The single-license lookups are the hot path: compiled once, bound per request. By tokenId,
  // concurrent requests share one statement (`token_id = any($ids)`, see lib/batch.ts).
  const byTokenIds = queryTemplate(
    ctx.db,
    selectLicenses(ctx).where((eb) => eb("l.token_id", "=", eb.fn.any(eb.val(arraySlot("ids"))))),
  );
  const loadByTokenId = batchLoader(
    async (ids) => {
      const rows = await byTokenIds({ ids });
      return new Map(rows.map((r) => [r.token_id, r]));
    },
    // Leaves most of the pool to other queries; under load the batches grow instead.
    { maxInFlight: 4 },
  );
  const byClientId = queryTemplate(ctx.db, selectLicenses(ctx).where("l.client_id", "=", slot("v")).limit(1));
  // Only an active license holds an alias (a revoke frees it); exact, case-sensitive match.
  const byAlias = queryTemplate(
    ctx.db,
    selectLicenses(ctx)
      .where("l.alias", "=", slot("v"))
      .where("l.status", "=", "active")
      .orderBy("l.token_id")
      .limit(1),
  );
  const one = async (query: typeof byClientId, value: string, what: string): Promise<License> => {
    const [row] = await query({ v: value });
    if (!row) throw new NotFoundError(`No license ${what}`);
    return shapeLicense(row, unixSeconds(ctx.clock()));
  };

  function filtered(filters: LicenseFilters) {
    let query = selectLicenses(ctx);
    if (filters.status !== "all") query = query.where("l.status", "=", filters.status);
    if (filters.owner) query = query.where("l.owner", "=", filters.owner);
    const signerAddress = filters.signer;
    if (signerAddress) {
      query = query.where(({ exists, selectFrom }) =>
        exists(
          selectFrom("dimo.license_signer as fs")
            .select("fs.token_id")
            .whereRef("fs.token_id", "=", "l.token_id")
            .where("fs.signer", "=", signerAddress),
        ),
      );
    }
    return query;
  }

  /** One keyset page, tokenId descending: a row past `limit` means there is a next page. */
  async function keysetPage(query: LicenseQuery, limit: number, cursorAfter: (tokenId: string) => string) {
    const rows = await query
      .orderBy("l.token_id", "desc")
      .limit(limit + 1)
      .execute();
    const now = unixSeconds(ctx.clock());
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return {
      items: rows.slice(0, limit).map((row) => shapeLicense(row, now)),
      nextCursor: last ? cursorAfter(last.token_id) : null,
    };
  }

  return {
    async byTokenId(tokenId: string): Promise<License> {
      // Keys are canonical decimal text (validated), the same text Postgres gives numeric back as.
      const row = await loadByTokenId(tokenId);
      if (!row) throw new NotFoundError(`No license with tokenId ${tokenId}`);
      return shapeLicense(row, unixSeconds(ctx.clock()));
    },

    /** Any status: a revoked license keeps its clientId. */
    byClientId: (clientId: string) => one(byClientId, clientId.toLowerCase(), `with clientId ${clientId}`),

    byAlias: (alias: string) =>
      // Postgres text cannot hold NUL: no license has such an alias (and the query would fail).
      alias.includes("\u0000")
        ? Promise.reject(new NotFoundError(`No license with alias ${JSON.stringify(alias)}`))
        : one(byAlias, alias, `with alias ${JSON.stringify(alias)}`),

    /**
     * Licenses by tokenId descending. Keyset on tokenId: licenses indexed while a client pages
     * get higher tokenIds, so they land before its position and never shift later pages.
     */
    async list(filters: LicenseFilters, page: { limit?: number; cursor?: string }): Promise<Page<License>> {
      const limit = page.limit ?? DEFAULT_LIMIT;
      const cursorFilters = { status: filters.status, owner: filters.owner, signer: filters.signer };
      let query = filtered(filters);
      if (page.cursor !== undefined) {
        const [after] = ctx.cursors.decode(page.cursor, "licenses", cursorFilters, 1);
        query = query.where("l.token_id", "<", after!);
      }
      return keysetPage(query, limit, (last) => ctx.cursors.encode("licenses", cursorFilters, [last]));
    },

    /**
     * The same list as `list` (tokenId descending) as a window of identity-api's connections
     * (GraphQL `developerLicenses`): keyset on tokenId both ways, `fromEnd` for `last`, and the
     * count of every license the filters match.
     */
    async window(filters: LicenseFilters, w: Window): Promise<WindowPage<License>> {
      const now = unixSeconds(ctx.clock());
      return readWindow(ctx.db, filtered(filters), "l.token_id", w, (row) => shapeLicense(row, now));
    },

    /**
     * Licenses owned by any of `owners` (lowercase addresses), any status, tokenId descending,
     * keyset on tokenId like `list`: the console's "my licenses" across an account's wallets.
     */
    async ownedBy(
      owners: readonly string[],
      page: { limit?: number; cursor?: string },
    ): Promise<Page<License>> {
      const limit = page.limit ?? DEFAULT_LIMIT;
      if (owners.length === 0) return { items: [], nextCursor: null };
      const cursorFilters = { owners: [...owners].sort().join(",") };
      let query = selectLicenses(ctx).where("l.owner", "in", owners);
      if (page.cursor !== undefined) {
        const [after] = ctx.cursors.decode(page.cursor, "ownedLicenses", cursorFilters, 1);
        query = query.where("l.token_id", "<", after!);
      }
      return keysetPage(query, limit, (last) => ctx.cursors.encode("ownedLicenses", cursorFilters, [last]));
    },

    /** Whether any of `owners` (lowercase) owns an active license: the console's viewing rule. */
    async anyActiveOwnedBy(owners: readonly string[]): Promise<boolean> {
      if (owners.length === 0) return false;
      const row = await ctx.db
        .selectFrom("dimo.license")
        .select("token_id")
        .where("owner", "in", owners)
        .where("status", "=", "active")
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    /** The clientId of a license, or 404: the key of its shared vehicles. */
    async clientIdOf(tokenId: string): Promise<string> {
      // Through the batch loader: concurrent requests share one statement with license details.
      const row = await loadByTokenId(tokenId);
      if (!row) throw new NotFoundError(`No license with tokenId ${tokenId}`);
      return row.client_id;
    },
  };
}

export type LicenseService = ReturnType<typeof licenseService>;
