import { and, eq, index, onchainTable, onchainView, primaryKey, sql } from "ponder";

// The indexed state, with exactly the meaning docs/indexing.md gives each table. Times are unix seconds and amounts are
// uint256, both as bigint (numeric(78) in Postgres) so nothing the chain can emit overflows.
// Addresses are lowercase hex in the database; the API checksums them.

/** One row per developer license (DevLicenseDimo token). Soulbound: the owner never changes. */
export const license = onchainTable(
  "license",
  (t) => ({
    tokenId: t.bigint().primaryKey(),
    clientId: t.hex().notNull(),
    owner: t.hex().notNull(),
    /** Current alias; null when unset, set to "" or freed by a revoke. */
    alias: t.text(),
    /** "active" | "revoked" */
    status: t.text().notNull(),
    mintedAt: t.bigint().notNull(),
    mintedBlock: t.bigint().notNull(),
    mintedTx: t.hex().notNull(),
    revokedAt: t.bigint(),
    revokedBlock: t.bigint(),
    revokedTx: t.hex(),
  }),
  (table) => ({
    clientIdIdx: index().on(table.clientId),
    ownerIdx: index().on(table.owner, table.tokenId),
    aliasIdx: index().on(table.alias),
  }),
);

// Rows that disappear (a disabled signer, a removed URI, a renounced or dropped grant, a burned
// vehicle) are kept in a `*_state` table with a flag, and the public table of the same name is a
// view that leaves them out. Ponder's Store API sends every delete straight to Postgres (one round
// trip per event, even for rows still in its write cache); flag updates stay in the cache and are
// written in bulk, so a backfill runs several times faster with exactly the same public rows.
// A vehicle transfer drops all its grants at once by bumping the vehicle's `epoch`: grants carry
// the epoch they were set in, and the views only show grants of the vehicle's current epoch.

/** Every signer ever enabled; `enabled` false once disabled. Public view: `license_signer`. */
export const licenseSignerState = onchainTable(
  "license_signer_state",
  (t) => ({
    tokenId: t.bigint().notNull(),
    signer: t.hex().notNull(),
    /** Time of the latest SignerEnabled: re-enabling refreshes it, as the contract does. */
    enabledAt: t.bigint().notNull(),
    enabledBlock: t.bigint().notNull(),
    enabledTx: t.hex().notNull(),
    enabled: t.boolean().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.tokenId, table.signer] }),
    signerIdx: index().on(table.signer),
  }),
);

/** Enabled signers (API keys). expiresAt = enabledAt + the contract's current periodValidity. */
export const licenseSigner = onchainView("license_signer").as((qb) =>
  qb
    .select({
      tokenId: licenseSignerState.tokenId,
      signer: licenseSignerState.signer,
      enabledAt: licenseSignerState.enabledAt,
      enabledBlock: licenseSignerState.enabledBlock,
      enabledTx: licenseSignerState.enabledTx,
    })
    .from(licenseSignerState)
    .where(eq(licenseSignerState.enabled, true)),
);

/** Every redirect URI ever enabled; `enabled` false once disabled. Public view: `license_redirect_uri`. */
export const licenseRedirectUriState = onchainTable(
  "license_redirect_uri_state",
  (t) => ({
    tokenId: t.bigint().notNull(),
    uri: t.text().notNull(),
    /** Start of the current enabled period: enabling an enabled URI changes nothing. */
    enabledAt: t.bigint().notNull(),
    enabledBlock: t.bigint().notNull(),
    enabledTx: t.hex().notNull(),
    enabled: t.boolean().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.tokenId, table.uri] }),
  }),
);

/** Enabled redirect URIs, stored exactly as emitted (matching is exact). */
export const licenseRedirectUri = onchainView("license_redirect_uri").as((qb) =>
  qb
    .select({
      tokenId: licenseRedirectUriState.tokenId,
      uri: licenseRedirectUriState.uri,
      enabledAt: licenseRedirectUriState.enabledAt,
      enabledBlock: licenseRedirectUriState.enabledBlock,
      enabledTx: licenseRedirectUriState.enabledTx,
    })
    .from(licenseRedirectUriState)
    .where(eq(licenseRedirectUriState.enabled, true)),
);

/** Append-only history of every license event that names a tokenId. */
export const licenseEvent = onchainTable(
  "license_event",
  (t) => ({
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
    tokenId: t.bigint().notNull(),
    /** Event name, e.g. "SignerEnabled"; both LicenseAliasSet overloads are "LicenseAliasSet". */
    type: t.text().notNull(),
    /** Arguments by ABI name: addresses checksummed, integers as decimal strings, empty alias null. */
    args: t.json().$type<Record<string, string | boolean | null>>().notNull(),
    txHash: t.hex().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.blockNumber, table.logIndex] }),
    tokenIdx: index().on(table.tokenId, table.blockNumber, table.logIndex),
  }),
);

/** Contract-wide settings of a DevLicenseDimo deployment, from its Update* events. */
export const licenseContract = onchainTable("license_contract", (t) => ({
  address: t.hex().primaryKey(),
  /** Seconds a signer stays valid after SignerEnabled; null until UpdatePeriodValidity is seen (365 days). */
  periodValidity: t.bigint(),
  /** USD × 1e18; null until UpdateLicenseCost is seen. */
  licenseCost: t.bigint(),
}));

/** VehicleId NFTs seen (burned ones flagged). Public view: `vehicle`, without the burned. */
export const vehicleState = onchainTable(
  "vehicle_state",
  (t) => ({
    id: t.bigint().primaryKey(),
    owner: t.hex().notNull(),
    /** Null when the mint happened before START_BLOCK. */
    mintedAt: t.bigint(),
    mintedBlock: t.bigint(),
    /** Times the vehicle changed hands since it was seen; every transfer drops all its grants. */
    transfers: t.integer().notNull(),
    burned: t.boolean().notNull(),
    /** Bumped by every transfer, burn and re-mint: grants of an older epoch are dropped. */
    epoch: t.integer().notNull(),
  }),
  (table) => ({
    ownerIdx: index().on(table.owner),
  }),
);

/** VehicleId NFTs seen minted (or transferred, when indexing starts after the mint), not burned. */
export const vehicle = onchainView("vehicle").as((qb) =>
  qb
    .select({
      id: vehicleState.id,
      owner: vehicleState.owner,
      mintedAt: vehicleState.mintedAt,
      mintedBlock: vehicleState.mintedBlock,
      transfers: vehicleState.transfers,
    })
    .from(vehicleState)
    .where(eq(vehicleState.burned, false)),
);

/** Every SACD vehicle grant record (asset == VehicleId, tokenId != 0), one per grantee and vehicle. */
export const vehicleSacdState = onchainTable(
  "vehicle_sacd_state",
  (t) => ({
    vehicleId: t.bigint().notNull(),
    grantee: t.hex().notNull(),
    /** 2 bits per permission: permission i is granted iff (permissions >> 2i) & 3 == 3. */
    permissions: t.bigint().notNull(),
    expiresAt: t.bigint().notNull(),
    /** Null when the event's source was "". */
    source: t.text(),
    /** 0x + 64 hex digits; null for 0 and for the v1 event without templateId. */
    templateId: t.hex(),
    createdAt: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    /** False once renounced. */
    active: t.boolean().notNull(),
    /** The vehicle's epoch when set; the grant is live only while the vehicle is still in it. */
    epoch: t.integer().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.vehicleId, table.grantee] }),
    granteeIdx: index().on(table.grantee, table.vehicleId),
  }),
);

/** A grant's epoch matches its vehicle's (0 for a vehicle never seen: minted before START_BLOCK). */
const inCurrentEpoch = (epoch: typeof vehicleSacdState.epoch | typeof vehiclePrivilegeState.epoch) =>
  sql`${epoch} = coalesce(${vehicleState.epoch}, 0)`;

/** Live SACD grants on a vehicle, overwritten on re-set; dropped by renounce, transfer and burn. */
export const vehicleSacd = onchainView("vehicle_sacd").as((qb) =>
  qb
    .select({
      vehicleId: vehicleSacdState.vehicleId,
      grantee: vehicleSacdState.grantee,
      permissions: vehicleSacdState.permissions,
      expiresAt: vehicleSacdState.expiresAt,
      source: vehicleSacdState.source,
      templateId: vehicleSacdState.templateId,
      createdAt: vehicleSacdState.createdAt,
      blockNumber: vehicleSacdState.blockNumber,
      txHash: vehicleSacdState.txHash,
    })
    .from(vehicleSacdState)
    .leftJoin(vehicleState, eq(vehicleState.id, vehicleSacdState.vehicleId))
    .where(and(eq(vehicleSacdState.active, true), inCurrentEpoch(vehicleSacdState.epoch))),
);

/** Every legacy VehicleId privilege record (EIP-5496 style); `active` false once revoked (expires 0). */
export const vehiclePrivilegeState = onchainTable(
  "vehicle_privilege_state",
  (t) => ({
    vehicleId: t.bigint().notNull(),
    privilegeId: t.bigint().notNull(),
    user: t.hex().notNull(),
    expiresAt: t.bigint().notNull(),
    /** The token's privilege version when set (bumped by the contract on every transfer). */
    version: t.bigint().notNull(),
    setAt: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    active: t.boolean().notNull(),
    epoch: t.integer().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.vehicleId, table.privilegeId, table.user] }),
    userIdx: index().on(table.user, table.vehicleId),
  }),
);

/** Live legacy privileges. expires == 0 revokes; transfers and burns drop them. */
export const vehiclePrivilege = onchainView("vehicle_privilege").as((qb) =>
  qb
    .select({
      vehicleId: vehiclePrivilegeState.vehicleId,
      privilegeId: vehiclePrivilegeState.privilegeId,
      user: vehiclePrivilegeState.user,
      expiresAt: vehiclePrivilegeState.expiresAt,
      version: vehiclePrivilegeState.version,
      setAt: vehiclePrivilegeState.setAt,
      blockNumber: vehiclePrivilegeState.blockNumber,
      txHash: vehiclePrivilegeState.txHash,
    })
    .from(vehiclePrivilegeState)
    .leftJoin(vehicleState, eq(vehicleState.id, vehiclePrivilegeState.vehicleId))
    .where(and(eq(vehiclePrivilegeState.active, true), inCurrentEpoch(vehiclePrivilegeState.epoch))),
);

/** Every account-level SACD grant record (tokenId == 0, asset = the grantor account). */
export const accountSacdState = onchainTable(
  "account_sacd_state",
  (t) => ({
    grantor: t.hex().notNull(),
    grantee: t.hex().notNull(),
    permissions: t.bigint().notNull(),
    expiresAt: t.bigint().notNull(),
    source: t.text(),
    templateId: t.hex(),
    createdAt: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    active: t.boolean().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.grantor, table.grantee] }),
    granteeIdx: index().on(table.grantee),
  }),
);

/** Live account-level SACD grants; never vehicle grants. */
export const accountSacd = onchainView("account_sacd").as((qb) =>
  qb
    .select({
      grantor: accountSacdState.grantor,
      grantee: accountSacdState.grantee,
      permissions: accountSacdState.permissions,
      expiresAt: accountSacdState.expiresAt,
      source: accountSacdState.source,
      templateId: accountSacdState.templateId,
      createdAt: accountSacdState.createdAt,
      blockNumber: accountSacdState.blockNumber,
      txHash: accountSacdState.txHash,
    })
    .from(accountSacdState)
    .where(eq(accountSacdState.active, true)),
);
