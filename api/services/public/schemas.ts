import { z } from "@hono/zod-openapi";
import { Address, ChainTime, TxHash } from "../../lib/shapes";

// What the public services answer (docs/public-api.md), once: the services' return types are
// inferred from these schemas and /openapi.json documents the same objects, so the two cannot
// drift. Answers are not re-validated on the way out.

export const RedirectUri = z.object({ uri: z.string(), enabledAt: ChainTime }).openapi("RedirectUri");
export type RedirectUri = z.infer<typeof RedirectUri>;

export const Signer = z
  .object({
    address: Address,
    enabledAt: ChainTime,
    expiresAt: ChainTime.openapi({
      description: "enabledAt + the contract's latest periodValidity (365 days by default)",
    }),
    expired: z.boolean(),
  })
  .openapi("Signer");
export type Signer = z.infer<typeof Signer>;

export const License = z
  .object({
    tokenId: z.number().int(),
    clientId: Address,
    owner: Address,
    alias: z.string().nullable(),
    status: z.enum(["active", "revoked"]),
    mintedAt: ChainTime,
    mintedBlock: z.number().int(),
    mintedTx: TxHash,
    revokedAt: ChainTime.nullable(),
    redirectUris: z
      .array(RedirectUri)
      .openapi({ description: "Ordered by enabledAt, then uri (byte order)." }),
    signers: z.array(Signer).openapi({ description: "Ordered by enabledAt, then address." }),
  })
  .openapi("License");
export type License = z.infer<typeof License>;

export const SacdGrant = z
  .object({
    kind: z.literal("sacd"),
    grantee: Address,
    permissions: z
      .string()
      .openapi({ description: "SACD bitmask, lowercase minimal hex", example: "0x3fffc" }),
    expiresAt: ChainTime,
    source: z.string().nullable(),
    templateId: z.string().nullable().openapi({ description: "0x + 64 hex digits; null when 0 or absent" }),
  })
  .openapi("SacdGrant");
export type SacdGrant = z.infer<typeof SacdGrant>;

export const PrivilegeGrant = z
  .object({
    kind: z.literal("privilege"),
    grantee: Address,
    privilegeId: z.number().int(),
    expiresAt: ChainTime,
  })
  .openapi("PrivilegeGrant");
export type PrivilegeGrant = z.infer<typeof PrivilegeGrant>;

const Grant = z.discriminatedUnion("kind", [SacdGrant, PrivilegeGrant]).openapi("Grant");

export const SharedVehicle = z
  .object({
    vehicleId: z.number().int(),
    owner: Address.nullable().openapi({
      description: "null when the vehicle was minted before indexing started",
    }),
    permissions: z.array(z.string()).openapi({ example: ["GetNonLocationHistory", "GetLiveData"] }),
    expiresAt: ChainTime.openapi({ description: "The latest expiry among the grants" }),
    grants: z
      .array(Grant)
      .openapi({ description: "This license's unexpired grants: SACD first, then privileges by id." }),
  })
  .openapi("SharedVehicle");
export type SharedVehicle = z.infer<typeof SharedVehicle>;

export const Vehicle = z
  .object({
    vehicleId: z.number().int(),
    owner: Address,
    mintedAt: ChainTime.nullable().openapi({ description: "null when minted before indexing started" }),
    grants: z.array(Grant).openapi({
      description: "Every unexpired grant: SACD by grantee, then privileges by privilegeId and user.",
    }),
  })
  .openapi("Vehicle");
export type Vehicle = z.infer<typeof Vehicle>;

export const HistoryItem = z
  .object({
    type: z.string().openapi({ example: "SignerEnabled" }),
    blockNumber: z.number().int(),
    txHash: TxHash,
    logIndex: z.number().int(),
    timestamp: ChainTime,
    args: z.record(z.string(), z.union([z.string(), z.boolean(), z.null()])).openapi({
      description: "Event arguments by ABI name: addresses checksummed, integers as decimal strings.",
    }),
  })
  .openapi("HistoryItem");
export type HistoryItem = z.infer<typeof HistoryItem>;

export const AliasAvailability = z
  .object({
    alias: z.string(),
    available: z.boolean(),
    tokenId: z.number().int().nullable(),
    reason: z.enum(["taken", "too_long", "empty"]).nullable(),
  })
  .openapi("AliasAvailability");
export type AliasAvailability = z.infer<typeof AliasAvailability>;

export const Stats = z
  .object({
    licenses: z.object({ active: z.number().int(), revoked: z.number().int() }),
    signers: z.number().int(),
    redirectUris: z.number().int(),
    vehicles: z.number().int(),
    activeGrants: z.number().int(),
  })
  .openapi("Stats");
export type Stats = z.infer<typeof Stats>;
