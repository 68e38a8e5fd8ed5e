import { index, onchainTable, primaryKey } from "ponder";

// The indexed state, with exactly the meaning of SPEC §3. Times are unix seconds and amounts are
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

/** Enabled signers (API keys). expiresAt = enabledAt + the contract's current periodValidity. */
export const licenseSigner = onchainTable(
  "license_signer",
  (t) => ({
    tokenId: t.bigint().notNull(),
    signer: t.hex().notNull(),
    /** Time of the latest SignerEnabled: re-enabling refreshes it, as the contract does. */
    enabledAt: t.bigint().notNull(),
    enabledBlock: t.bigint().notNull(),
    enabledTx: t.hex().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.tokenId, table.signer] }),
    signerIdx: index().on(table.signer),
  }),
);

/** Enabled redirect URIs, stored exactly as emitted (matching is exact). */
export const licenseRedirectUri = onchainTable(
  "license_redirect_uri",
  (t) => ({
    tokenId: t.bigint().notNull(),
    uri: t.text().notNull(),
    /** Start of the current enabled period: enabling an enabled URI changes nothing. */
    enabledAt: t.bigint().notNull(),
    enabledBlock: t.bigint().notNull(),
    enabledTx: t.hex().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.tokenId, table.uri] }),
  }),
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

/** VehicleId NFTs seen minted (or transferred, when indexing starts after the mint); burned ones are deleted. */
export const vehicle = onchainTable(
  "vehicle",
  (t) => ({
    id: t.bigint().primaryKey(),
    owner: t.hex().notNull(),
    /** Null when the mint happened before START_BLOCK. */
    mintedAt: t.bigint(),
    mintedBlock: t.bigint(),
    /** Times the vehicle changed hands since it was seen; every transfer drops all its grants. */
    transfers: t.integer().notNull(),
  }),
  (table) => ({
    ownerIdx: index().on(table.owner),
  }),
);

/** SACD grants on a vehicle (asset == VehicleId, tokenId != 0), one per grantee, overwritten on re-set. */
export const vehicleSacd = onchainTable(
  "vehicle_sacd",
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
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.vehicleId, table.grantee] }),
    granteeIdx: index().on(table.grantee, table.vehicleId),
  }),
);

/** Legacy VehicleId privileges (EIP-5496 style). expires == 0 revokes, so such rows are deleted. */
export const vehiclePrivilege = onchainTable(
  "vehicle_privilege",
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
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.vehicleId, table.privilegeId, table.user] }),
    userIdx: index().on(table.user, table.vehicleId),
  }),
);

/** Account-level SACD grants (tokenId == 0, asset = the grantor account); never vehicle grants. */
export const accountSacd = onchainTable(
  "account_sacd",
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
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.grantor, table.grantee] }),
    granteeIdx: index().on(table.grantee),
  }),
);

/**
 * Bookkeeping: the primary keys of every live grant on a vehicle, so a transfer or burn can drop
 * them through the Store API (keyed writes stay in Ponder's in-memory cache; a bulk raw-SQL delete
 * would flush it on every transfer). Not part of the public meaning.
 */
export const vehicleGrantKeys = onchainTable("vehicle_grant_keys", (t) => ({
  vehicleId: t.bigint().primaryKey(),
  sacdGrantees: t.hex().array().notNull(),
  /** "privilegeId:user" */
  privileges: t.text().array().notNull(),
}));
