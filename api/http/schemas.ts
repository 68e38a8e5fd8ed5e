import { z } from "@hono/zod-openapi";

// The public API's shapes (docs/public-api.md), once: the same definitions validate requests, type handlers and generate
// /openapi.json. Response schemas document; they are not re-validated on the way out.

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const POSITIVE_INT_RE = /^[1-9][0-9]{0,15}$/;

/** A decimal positive integer within JSON's exact range; kept as text for the numeric(78) columns. */
export const idParam = (name: string, description: string) =>
  z
    .string()
    .refine(
      (v) => POSITIVE_INT_RE.test(v) && Number(v) <= Number.MAX_SAFE_INTEGER,
      `${name} must be a positive decimal integer no greater than 2^53-1`,
    )
    .openapi({ param: { name, in: "path" }, description, example: "1", pattern: POSITIVE_INT_RE.source });

/** A 20-byte address in any letter case; normalized to the lowercase the indexer stores. */
export const addressSchema = (name: string, where: "path" | "query", description: string) =>
  z
    .string()
    .refine((v) => ADDRESS_RE.test(v), `${name} must be a 20-byte hex address (0x + 40 hex digits)`)
    .transform((v) => v.toLowerCase())
    .openapi({
      param: { name, in: where },
      description,
      example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      pattern: ADDRESS_RE.source,
    });

export const limitQuery = z
  .string()
  .refine(
    (v) => /^[0-9]{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= 100,
    "limit must be an integer from 1 to 100",
  )
  .transform(Number)
  .optional()
  .openapi({
    param: { name: "limit", in: "query" },
    description: "Page size, 1..100 (default 20).",
    example: "20",
  });

export const cursorQuery = z
  .string()
  .optional()
  .openapi({
    param: { name: "cursor", in: "query" },
    description: "The `nextCursor` of the previous page, as given (opaque).",
  });

export const PageQuery = z.object({ limit: limitQuery, cursor: cursorQuery });

const Address = z.string().openapi({
  description: "EIP-55 checksummed address",
  example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
});
const Time = z.string().openapi({
  description: "ISO-8601 UTC; times past year 9999 show as 9999-12-31T23:59:59.000Z",
  example: "2025-01-01T00:00:00.000Z",
});
const TxHash = z.string().openapi({ description: "lowercase hex", example: `0x${"ab".repeat(32)}` });

export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z.enum([
        "invalid_request",
        "unauthenticated",
        "forbidden",
        "not_found",
        "conflict",
        "rate_limited",
        "unavailable",
        "internal",
      ]),
      message: z.string(),
      details: z
        .unknown()
        .optional()
        .openapi({ description: "For invalid_request: [{path, message}] naming each bad input." }),
    }),
  })
  .openapi("Error");

export const RedirectUri = z.object({ uri: z.string(), enabledAt: Time }).openapi("RedirectUri");

export const Signer = z
  .object({
    address: Address,
    enabledAt: Time,
    expiresAt: Time.openapi({
      description: "enabledAt + the contract's latest periodValidity (365 days by default)",
    }),
    expired: z.boolean(),
  })
  .openapi("Signer");

export const License = z
  .object({
    tokenId: z.number().int(),
    clientId: Address,
    owner: Address,
    alias: z.string().nullable(),
    status: z.enum(["active", "revoked"]),
    mintedAt: Time,
    mintedBlock: z.number().int(),
    mintedTx: TxHash,
    revokedAt: Time.nullable(),
    redirectUris: z
      .array(RedirectUri)
      .openapi({ description: "Ordered by enabledAt, then uri (byte order)." }),
    signers: z.array(Signer).openapi({ description: "Ordered by enabledAt, then address." }),
  })
  .openapi("License");

export const SacdGrant = z
  .object({
    kind: z.literal("sacd"),
    grantee: Address,
    permissions: z
      .string()
      .openapi({ description: "SACD bitmask, lowercase minimal hex", example: "0x3fffc" }),
    expiresAt: Time,
    source: z.string().nullable(),
    templateId: z.string().nullable().openapi({ description: "0x + 64 hex digits; null when 0 or absent" }),
  })
  .openapi("SacdGrant");

export const PrivilegeGrant = z
  .object({
    kind: z.literal("privilege"),
    grantee: Address,
    privilegeId: z.number().int(),
    expiresAt: Time,
  })
  .openapi("PrivilegeGrant");

export const Grant = z.discriminatedUnion("kind", [SacdGrant, PrivilegeGrant]).openapi("Grant");

export const SharedVehicle = z
  .object({
    vehicleId: z.number().int(),
    owner: Address.nullable().openapi({
      description: "null when the vehicle was minted before indexing started",
    }),
    permissions: z.array(z.string()).openapi({ example: ["GetNonLocationHistory", "GetLiveData"] }),
    expiresAt: Time.openapi({ description: "The latest expiry among the grants" }),
    grants: z
      .array(Grant)
      .openapi({ description: "This license's unexpired grants: SACD first, then privileges by id." }),
  })
  .openapi("SharedVehicle");

export const Vehicle = z
  .object({
    vehicleId: z.number().int(),
    owner: Address,
    mintedAt: Time.nullable().openapi({ description: "null when minted before indexing started" }),
    grants: z.array(Grant).openapi({
      description: "Every unexpired grant: SACD by grantee, then privileges by privilegeId and user.",
    }),
  })
  .openapi("Vehicle");

export const HistoryItem = z
  .object({
    type: z.string().openapi({ example: "SignerEnabled" }),
    blockNumber: z.number().int(),
    txHash: TxHash,
    logIndex: z.number().int(),
    timestamp: Time,
    args: z.record(z.string(), z.union([z.string(), z.boolean(), z.null()])).openapi({
      description: "Event arguments by ABI name: addresses checksummed, integers as decimal strings.",
    }),
  })
  .openapi("HistoryItem");

export const AliasAvailability = z
  .object({
    alias: z.string(),
    available: z.boolean(),
    tokenId: z.number().int().nullable(),
    reason: z.enum(["taken", "too_long", "empty"]).nullable(),
  })
  .openapi("AliasAvailability");

export const Stats = z
  .object({
    licenses: z.object({ active: z.number().int(), revoked: z.number().int() }),
    signers: z.number().int(),
    redirectUris: z.number().int(),
    vehicles: z.number().int(),
    activeGrants: z.number().int(),
  })
  .openapi("Stats");

export const Health = z.object({ status: z.literal("ok") }).openapi("Health");

export const Ready = z
  .object({
    status: z.literal("ready"),
    indexedBlock: z.number().int(),
    headBlock: z.number().int(),
    lagBlocks: z.number().int(),
  })
  .openapi("Ready");

export const Status = z
  .object({
    chainId: z.number().int(),
    indexedBlock: z.number().int().nullable(),
    headBlock: z.number().int().nullable(),
    lagBlocks: z.number().int().nullable(),
    ready: z.boolean(),
  })
  .openapi("Status");

export const page = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      items: z.array(item),
      nextCursor: z
        .string()
        .nullable()
        .openapi({ description: "Pass as `cursor` for the next page; null on the last." }),
    })
    .openapi(name);

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorEnvelope } },
});

/** The error answers every route can give. */
export const commonErrors = {
  400: errorResponse("Invalid input: `details` lists each bad parameter"),
  500: errorResponse("Unexpected error (code `internal`)"),
  503: errorResponse("Database unreachable or the indexer's views not created yet (code `unavailable`)"),
} as const;

export const notFoundError = { 404: errorResponse("Not found (code `not_found`)") } as const;

export const jsonOk = <T extends z.ZodType>(schema: T, description: string) => ({
  200: { description, content: { "application/json": { schema } } },
});
