import { type Kysely, sql } from "kysely";
import type { Database } from "../../api/db/database";

// Look-alike of the indexer's views schema `dimo` for tests and the bench: TABLES with exactly the
// names, columns and types of Ponder's (indexer/ponder.schema.ts: bigint → numeric(78), hex → text,
// json → json) and its indexes, so the API's queries and plans are the production ones. The typed
// inserters take the camelCase shape of the Ponder schema.

type Num = bigint | number | string;
const n = (v: Num) => BigInt(v).toString();
const nOrNull = (v: Num | null | undefined) => (v === null || v === undefined ? null : n(v));
const lower = (v: string) => v.toLowerCase();

/** Creates schema `dimo` with every table the API reads; idempotent per database. */
export async function createIndexedSchema(db: Kysely<Database>): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS dimo`.execute(db);
  for (const statement of DDL) await sql.raw(statement).execute(db);
}

export async function dropIndexedSchema(db: Kysely<Database>): Promise<void> {
  await sql`DROP SCHEMA IF EXISTS dimo CASCADE`.execute(db);
}

const DDL = [
  `CREATE TABLE dimo.license (
    token_id numeric(78) PRIMARY KEY, client_id text NOT NULL, owner text NOT NULL, alias text,
    status text NOT NULL, minted_at numeric(78) NOT NULL, minted_block numeric(78) NOT NULL,
    minted_tx text NOT NULL, revoked_at numeric(78), revoked_block numeric(78), revoked_tx text)`,
  "CREATE INDEX ON dimo.license (client_id)",
  "CREATE INDEX ON dimo.license (owner, token_id)",
  "CREATE INDEX ON dimo.license (alias)",
  `CREATE TABLE dimo.license_signer (
    token_id numeric(78) NOT NULL, signer text NOT NULL, enabled_at numeric(78) NOT NULL,
    enabled_block numeric(78) NOT NULL, enabled_tx text NOT NULL, PRIMARY KEY (token_id, signer))`,
  "CREATE INDEX ON dimo.license_signer (signer)",
  `CREATE TABLE dimo.license_redirect_uri (
    token_id numeric(78) NOT NULL, uri text NOT NULL, enabled_at numeric(78) NOT NULL,
    enabled_block numeric(78) NOT NULL, enabled_tx text NOT NULL, PRIMARY KEY (token_id, uri))`,
  `CREATE TABLE dimo.license_event (
    block_number numeric(78) NOT NULL, log_index integer NOT NULL, token_id numeric(78) NOT NULL,
    type text NOT NULL, args json NOT NULL, tx_hash text NOT NULL, timestamp numeric(78) NOT NULL,
    PRIMARY KEY (block_number, log_index))`,
  "CREATE INDEX ON dimo.license_event (token_id, block_number, log_index)",
  `CREATE TABLE dimo.license_contract (
    address text PRIMARY KEY, period_validity numeric(78), license_cost numeric(78))`,
  `CREATE TABLE dimo.vehicle (
    id numeric(78) PRIMARY KEY, owner text NOT NULL, minted_at numeric(78), minted_block numeric(78),
    transfers integer NOT NULL)`,
  "CREATE INDEX ON dimo.vehicle (owner)",
  `CREATE TABLE dimo.vehicle_sacd (
    vehicle_id numeric(78) NOT NULL, grantee text NOT NULL, permissions numeric(78) NOT NULL,
    expires_at numeric(78) NOT NULL, source text, template_id text, created_at numeric(78) NOT NULL,
    block_number numeric(78) NOT NULL, tx_hash text NOT NULL, PRIMARY KEY (vehicle_id, grantee))`,
  "CREATE INDEX ON dimo.vehicle_sacd (grantee, vehicle_id)",
  `CREATE TABLE dimo.vehicle_privilege (
    vehicle_id numeric(78) NOT NULL, privilege_id numeric(78) NOT NULL, "user" text NOT NULL,
    expires_at numeric(78) NOT NULL, version numeric(78) NOT NULL, set_at numeric(78) NOT NULL,
    block_number numeric(78) NOT NULL, tx_hash text NOT NULL, PRIMARY KEY (vehicle_id, privilege_id, "user"))`,
  `CREATE INDEX ON dimo.vehicle_privilege ("user", vehicle_id)`,
  `CREATE TABLE dimo.account_sacd (
    grantor text NOT NULL, grantee text NOT NULL, permissions numeric(78) NOT NULL,
    expires_at numeric(78) NOT NULL, source text, template_id text, created_at numeric(78) NOT NULL,
    block_number numeric(78) NOT NULL, tx_hash text NOT NULL, PRIMARY KEY (grantor, grantee))`,
  `CREATE TABLE dimo._ponder_meta (key text PRIMARY KEY, value jsonb NOT NULL)`,
  `CREATE TABLE dimo._ponder_checkpoint (
    chain_name text PRIMARY KEY, chain_id bigint NOT NULL, safe_checkpoint varchar(75) NOT NULL,
    latest_checkpoint varchar(75) NOT NULL, finalized_checkpoint varchar(75) NOT NULL)`,
];

const hash = (seed: Num) => `0x${n(seed).padStart(64, "0")}`;

export type LicenseInput = {
  tokenId: Num;
  clientId: string;
  owner: string;
  alias?: string | null;
  status?: "active" | "revoked";
  mintedAt?: Num;
  mintedBlock?: Num;
  mintedTx?: string;
  revokedAt?: Num | null;
  revokedBlock?: Num | null;
  revokedTx?: string | null;
};

/** Typed inserters into the look-alike tables; every write is one INSERT (or upsert for Ponder's state). */
export function indexedFixture(db: Kysely<Database>) {
  return {
    async license(l: LicenseInput) {
      await db
        .insertInto("dimo.license")
        .values({
          token_id: n(l.tokenId),
          client_id: lower(l.clientId),
          owner: lower(l.owner),
          alias: l.alias ?? null,
          status: l.status ?? "active",
          minted_at: n(l.mintedAt ?? 1_700_000_000),
          minted_block: n(l.mintedBlock ?? 100),
          minted_tx: lower(l.mintedTx ?? hash(l.tokenId)),
          revoked_at: nOrNull(l.revokedAt),
          revoked_block: nOrNull(l.revokedBlock),
          revoked_tx: l.revokedTx ? lower(l.revokedTx) : null,
        })
        .execute();
    },

    async signer(s: {
      tokenId: Num;
      signer: string;
      enabledAt: Num;
      enabledBlock?: Num;
      enabledTx?: string;
    }) {
      await db
        .insertInto("dimo.license_signer")
        .values({
          token_id: n(s.tokenId),
          signer: lower(s.signer),
          enabled_at: n(s.enabledAt),
          enabled_block: n(s.enabledBlock ?? 1),
          enabled_tx: lower(s.enabledTx ?? hash(1)),
        })
        .execute();
    },

    async redirectUri(r: {
      tokenId: Num;
      uri: string;
      enabledAt: Num;
      enabledBlock?: Num;
      enabledTx?: string;
    }) {
      await db
        .insertInto("dimo.license_redirect_uri")
        .values({
          token_id: n(r.tokenId),
          uri: r.uri,
          enabled_at: n(r.enabledAt),
          enabled_block: n(r.enabledBlock ?? 1),
          enabled_tx: lower(r.enabledTx ?? hash(1)),
        })
        .execute();
    },

    async event(e: {
      tokenId: Num;
      blockNumber: Num;
      logIndex: number;
      type: string;
      args: Record<string, string | boolean | null>;
      txHash?: string;
      timestamp: Num;
    }) {
      await db
        .insertInto("dimo.license_event")
        .values({
          token_id: n(e.tokenId),
          block_number: n(e.blockNumber),
          log_index: e.logIndex,
          type: e.type,
          args: JSON.stringify(e.args),
          tx_hash: lower(e.txHash ?? hash(e.blockNumber)),
          timestamp: n(e.timestamp),
        })
        .execute();
    },

    async licenseContract(c: { address: string; periodValidity: Num | null; licenseCost?: Num | null }) {
      await db
        .insertInto("dimo.license_contract")
        .values({
          address: lower(c.address),
          period_validity: nOrNull(c.periodValidity),
          license_cost: nOrNull(c.licenseCost),
        })
        .onConflict((oc) =>
          oc.column("address").doUpdateSet({
            period_validity: nOrNull(c.periodValidity),
            license_cost: nOrNull(c.licenseCost),
          }),
        )
        .execute();
    },

    async vehicle(v: {
      id: Num;
      owner: string;
      mintedAt?: Num | null;
      mintedBlock?: Num | null;
      transfers?: number;
    }) {
      await db
        .insertInto("dimo.vehicle")
        .values({
          id: n(v.id),
          owner: lower(v.owner),
          minted_at: v.mintedAt === undefined ? n(1_700_000_000) : nOrNull(v.mintedAt),
          minted_block: v.mintedBlock === undefined ? n(10) : nOrNull(v.mintedBlock),
          transfers: v.transfers ?? 0,
        })
        .execute();
    },

    async sacd(g: {
      vehicleId: Num;
      grantee: string;
      permissions: Num;
      expiresAt: Num;
      source?: string | null;
      templateId?: string | null;
      createdAt?: Num;
      blockNumber?: Num;
      txHash?: string;
    }) {
      await db
        .insertInto("dimo.vehicle_sacd")
        .values({
          vehicle_id: n(g.vehicleId),
          grantee: lower(g.grantee),
          permissions: n(g.permissions),
          expires_at: n(g.expiresAt),
          source: g.source ?? null,
          template_id: g.templateId ?? null,
          created_at: n(g.createdAt ?? 1_700_000_000),
          block_number: n(g.blockNumber ?? 1),
          tx_hash: lower(g.txHash ?? hash(1)),
        })
        .execute();
    },

    async privilege(p: {
      vehicleId: Num;
      privilegeId: Num;
      user: string;
      expiresAt: Num;
      version?: Num;
      setAt?: Num;
      blockNumber?: Num;
      txHash?: string;
    }) {
      await db
        .insertInto("dimo.vehicle_privilege")
        .values({
          vehicle_id: n(p.vehicleId),
          privilege_id: n(p.privilegeId),
          user: lower(p.user),
          expires_at: n(p.expiresAt),
          version: n(p.version ?? 0),
          set_at: n(p.setAt ?? 1_700_000_000),
          block_number: n(p.blockNumber ?? 1),
          tx_hash: lower(p.txHash ?? hash(1)),
        })
        .execute();
    },

    /** Ponder's readiness flag and checkpoint for one chain, as `ponder start` writes them. */
    async ponderState(s: {
      isReady: boolean;
      chainId: number;
      block: Num;
      chainName?: string;
      timestamp?: Num;
    }) {
      await db
        .insertInto("dimo._ponder_meta")
        .values({
          key: "app",
          value: JSON.stringify({ version: "6", is_ready: s.isReady ? 1 : 0, is_locked: 1 }),
        })
        .onConflict((oc) => oc.column("key").doUpdateSet((eb) => ({ value: eb.ref("excluded.value") })))
        .execute();
      const checkpoint = encodeCheckpoint(s.timestamp ?? 1_700_000_000, s.chainId, s.block);
      await db
        .insertInto("dimo._ponder_checkpoint")
        .values({
          chain_name: s.chainName ?? "local",
          chain_id: s.chainId,
          safe_checkpoint: checkpoint,
          latest_checkpoint: checkpoint,
          finalized_checkpoint: checkpoint,
        })
        .onConflict((oc) =>
          oc.column("chain_name").doUpdateSet({
            chain_id: s.chainId,
            safe_checkpoint: checkpoint,
            latest_checkpoint: checkpoint,
            finalized_checkpoint: checkpoint,
          }),
        )
        .execute();
    },
  };
}

export type IndexedFixture = ReturnType<typeof indexedFixture>;

/** Ponder's 75-digit checkpoint: timestamp(10) chainId(16) block(16) txIndex(16) eventType(1) eventIndex(16). */
export function encodeCheckpoint(timestamp: Num, chainId: Num, block: Num): string {
  const pad = (v: Num, w: number) => n(v).padStart(w, "0");
  return `${pad(timestamp, 10)}${pad(chainId, 16)}${pad(block, 16)}${"9".repeat(16)}9${"9".repeat(16)}`;
}
