import { z } from "@hono/zod-openapi";
import { OPERATION_KINDS } from "../../services/console/operations/types";
import { PrivateSigner } from "./schemas";

// Shapes of the console's write routes: operations, API keys, redirect URIs, DCX and balances.

const Address = z.string().openapi({ example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" });
const Time = z.string().openapi({ example: "2025-01-01T00:00:00.000Z" });
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

export const OperationStatusEnum = z.enum(["prepared", "submitted", "mined", "indexed", "failed"]).openapi({
  description:
    "prepared: waiting for an external wallet to send `transaction`; submitted: sent, not mined; mined: in a " +
    "block; indexed: the API's reads (e.g. /v1/licenses/{tokenId}) show the change; failed: see `error`",
});

export const Operation = z
  .object({
    id: z.string().uuid(),
    kind: z.enum(OPERATION_KINDS),
    status: OperationStatusEnum,
    txHash: z.string().nullable(),
    error: z
      .object({ code: z.string(), message: z.string(), details: z.unknown().optional() })
      .nullable()
      .openapi({
        description: "Why it failed, e.g. code `conflict` with details.revert `AliasAlreadyInUse`",
      }),
    wallet: z.object({ address: Address, kind: z.enum(["managed", "external"]) }),
    tokenId: z.number().int().nullable(),
    params: z.record(z.string(), z.unknown()).openapi({ description: "What was asked (never a secret)" }),
    result: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: "create_license once mined: {tokenId, clientId} from the Issued event" }),
    transaction: z
      .object({
        chainId: z.number().int(),
        to: Address,
        data: z.string(),
        value: z.string().openapi({ description: "wei, decimal" }),
        nonce: z.number().int().nullable(),
      })
      .openapi({ description: "The exact transaction; an external wallet signs and sends this one" }),
    blockNumber: z.number().int().nullable(),
    createdAt: Time,
    updatedAt: Time,
    submittedAt: Time.nullable(),
    minedAt: Time.nullable(),
    indexedAt: Time.nullable(),
  })
  .openapi("Operation");

export const OperationAnswer = z
  .object({
    operation: Operation,
    warnings: z.array(z.string()).openapi({ description: "Things to know, e.g. exact-match redirect URIs" }),
  })
  .openapi("OperationAnswer");

export const GeneratedKeyAnswer = z
  .object({
    operation: Operation,
    apiKey: z.object({
      address: Address.openapi({ description: "The signer address enabled on chain (not a secret)" }),
      privateKey: z.string().openapi({
        description: "THE API KEY: shown in this answer only, never stored or logged; copy it now",
      }),
      label: z.string().nullable(),
    }),
    warnings: z.array(z.string()),
  })
  .openapi("GeneratedKey");

export const OperationList = z.object({ items: z.array(Operation) }).openapi("OperationList");

export const KeyList = z.object({ items: z.array(PrivateSigner) }).openapi("ApiKeyList");

const aliasField = z.string().max(256).openapi({
  description: "≤ 32 UTF-8 bytes, unique among active licenses, case-sensitive",
  example: "my-app",
});

const walletField = z
  .string()
  .regex(ADDRESS_RE, "wallet must be a 20-byte hex address")
  .optional()
  .openapi({ description: "One of my wallets; default: my managed wallet" });

export const CreateLicenseBody = z
  .object({
    alias: aliasField.nullable().optional(),
    pay: z
      .enum(["dcx", "dimo"])
      .optional()
      .openapi({ description: "How the license cost is paid: issueInDc (default) or issueInDimo" }),
    wallet: walletField,
  })
  .openapi("CreateLicense");

export const RenameBody = z.object({ alias: aliasField }).openapi("RenameLicense");

export const KeyBody = z
  .object({ label: z.string().max(256).nullable().optional().openapi({ example: "production server" }) })
  .openapi("GenerateKey");

export const RedirectUriBody = z
  .object({
    uri: z.string().max(4096).openapi({
      description: "Absolute http(s) URL, stored and matched EXACTLY as given",
      example: "https://app.example/callback",
    }),
  })
  .openapi("RedirectUriChange");

export const SubmittedBody = z
  .object({ txHash: z.string().openapi({ description: "Hash of the prepared transaction as sent" }) })
  .openapi("OperationSubmitted");

export const BuyDcxBody = z
  .object({
    dimoAmount: z
      .string()
      .optional()
      .openapi({ description: "DIMO to spend (decimal, 18 decimals)", example: "4" }),
    dcxAmount: z
      .string()
      .optional()
      .openapi({ description: "Or: the DCX wanted; the DIMO is quoted by getQuoteDc", example: "1000" }),
    wallet: walletField,
  })
  .openapi("BuyDcx");

const TokenBalance = z.object({
  symbol: z.enum(["DIMO", "DCX"]),
  token: Address,
  balance: z.string().openapi({ description: "Decimal, in whole tokens", example: "12.5" }),
  raw: z.string().openapi({ description: "Smallest unit (wei), decimal" }),
  decimals: z.literal(18),
});

export const Balances = z
  .object({
    items: z.array(
      z.object({ address: Address, kind: z.enum(["managed", "external"]), balances: z.array(TokenBalance) }),
    ),
  })
  .openapi("Balances");

export const WaitQuery = z.object({
  wait: z
    .enum(["submitted", "mined", "indexed"])
    .optional()
    .openapi({
      param: { name: "wait", in: "query" },
      description: "Hold the request until the operation reaches this status (or fails, or the timeout)",
    }),
  timeout: z
    .string()
    .regex(/^\d{1,2}$/, "timeout must be whole seconds, 1 to 30")
    .refine((v) => Number(v) >= 1 && Number(v) <= 30, "timeout must be whole seconds, 1 to 30")
    .transform(Number)
    .optional()
    .openapi({ param: { name: "timeout", in: "query" }, description: "Seconds to wait, 1..30 (default 20)" }),
});
