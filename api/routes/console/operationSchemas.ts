import { z } from "@hono/zod-openapi";
import { ADDRESS_RE } from "../../lib/shapes";
import { GeneratedKey, Operation, PrivateSigner, WalletBalances } from "../../services/console/schemas";

// Request bodies of the console's write routes (operations, API keys, redirect URIs, DCX) and the
// answers the routes assemble; operations themselves are declared in api/services/console/schemas.ts.

export const GeneratedKeyAnswer = GeneratedKey.extend({ warnings: z.array(z.string()) }).openapi(
  "GeneratedKey",
);

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

export const Balances = z.object({ items: z.array(WalletBalances) }).openapi("Balances");

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
