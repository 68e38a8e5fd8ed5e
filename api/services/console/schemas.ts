import { z } from "@hono/zod-openapi";
import { NETWORKS } from "../../../config/networks";
import { Address, page, Time } from "../../lib/shapes";
import { HistoryItem, License, RedirectUri, SharedVehicle, Signer } from "../public/schemas";
import { PROVIDER_NAMES } from "./signIn/providers";

// What the console services answer (docs/console.md, docs/operations.md), once: the services'
// return types are inferred from these schemas and /openapi.json documents the same objects.

export const WalletKind = z.enum(["managed", "external"]).openapi({
  description: "managed: key held (encrypted) by the API, which signs its writes; external: linked by SIWE",
});
export type WalletKind = z.infer<typeof WalletKind>;

export const Wallet = z.object({ address: Address, kind: WalletKind, createdAt: Time }).openapi("Wallet");
export type Wallet = z.infer<typeof Wallet>;

/** The SIWE (EIP-4361) challenge that links an external wallet to an account. */
export const SiweChallenge = z
  .object({
    nonce: z.string(),
    domain: z.string(),
    uri: z.string(),
    chainId: z.number().int(),
    issuedAt: Time,
    expirationTime: Time,
    statement: z.string(),
    message: z
      .string()
      .nullable()
      .openapi({ description: "EIP-4361 message to sign (when address was given)" }),
  })
  .openapi("SiweChallenge");
export type SiweChallenge = z.infer<typeof SiweChallenge>;

const OPERATION_KINDS = [
  "create_license",
  "rename_license",
  "generate_key",
  "renew_key",
  "revoke_key",
  "add_redirect_uri",
  "remove_redirect_uri",
  "approve_dimo",
  "buy_dcx",
  "devnet_faucet",
] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

/** A console write, followed from the transaction to the change visible in the API's reads. */
export const Operation = z
  .object({
    id: z.string().uuid(),
    kind: z.enum(OPERATION_KINDS),
    status: z.enum(["prepared", "submitted", "mined", "indexed", "failed"]).openapi({
      description:
        "prepared: waiting for an external wallet to send `transaction`; submitted: sent, not mined; mined: in a " +
        "block; indexed: the API's reads (e.g. /v1/licenses/{tokenId}) show the change; failed: see `error`",
    }),
    txHash: z.string().nullable(),
    error: z
      .object({ code: z.string(), message: z.string(), details: z.unknown().optional() })
      .nullable()
      .openapi({
        description: "Why it failed, e.g. code `conflict` with details.revert `AliasAlreadyInUse`",
      }),
    wallet: z.object({ address: Address, kind: WalletKind }),
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
export type Operation = z.infer<typeof Operation>;

/** A write's answer: the operation to follow, and what to know about it. */
export const OperationAnswer = z
  .object({
    operation: Operation,
    warnings: z.array(z.string()).openapi({ description: "Things to know, e.g. exact-match redirect URIs" }),
  })
  .openapi("OperationAnswer");
export type OperationAnswer = z.infer<typeof OperationAnswer>;

/** A freshly generated API key: the private key exists only in this answer. */
export const GeneratedKey = z.object({
  operation: Operation,
  apiKey: z.object({
    address: Address.openapi({ description: "The signer address enabled on chain (not a secret)" }),
    privateKey: z.string().openapi({
      description: "THE API KEY: shown in this answer only, never stored or logged; copy it now",
    }),
    label: z.string().nullable(),
  }),
});
export type GeneratedKey = z.infer<typeof GeneratedKey>;

export const TokenBalance = z.object({
  symbol: z.enum(["DIMO", "DCX"]),
  token: Address,
  balance: z.string().openapi({ description: "Decimal, in whole tokens", example: "12.5" }),
  raw: z.string().openapi({ description: "Smallest unit (wei), decimal" }),
  decimals: z.literal(18),
});
export type TokenBalance = z.infer<typeof TokenBalance>;

export const WalletBalances = z.object({
  address: Address,
  kind: WalletKind,
  balances: z.array(TokenBalance),
});
export type WalletBalances = z.infer<typeof WalletBalances>;

export const MyLicense = License.extend({
  vehicleCount: z.number().int().openapi({ description: "Vehicles shared with it now (unexpired grants)" }),
  manageable: WalletKind.openapi({
    description:
      "managed: the API signs writes with your managed wallet; external: you sign prepared transactions",
  }),
}).openapi("MyLicense");
export type MyLicense = z.infer<typeof MyLicense>;

export const PrivateSigner = Signer.extend({
  label: z
    .string()
    .nullable()
    .openapi({ description: "The console's label; null for signers enabled elsewhere" }),
  expiresSoon: z
    .boolean()
    .openapi({ description: "Unexpired, but expiring within SIGNER_EXPIRY_WARNING_DAYS" }),
}).openapi("PrivateSigner");
export type PrivateSigner = z.infer<typeof PrivateSigner>;

export const PrivateLicense = z
  .object({
    license: License,
    manageable: WalletKind,
    signers: z.array(PrivateSigner),
    redirectUris: z.array(RedirectUri),
    vehicles: page(SharedVehicle, "ConsoleVehiclePage").openapi({
      description: "First page; continue with GET /v1/licenses/{tokenId}/vehicles?cursor=nextCursor",
    }),
    history: page(HistoryItem, "ConsoleHistoryPage").openapi({
      description: "First page; continue with GET /v1/licenses/{tokenId}/events?cursor=nextCursor",
    }),
  })
  .openapi("PrivateLicense");
export type PrivateLicense = z.infer<typeof PrivateLicense>;

export const Passkey = z
  .object({
    id: z.string().openapi({ description: "Credential id (base64url)" }),
    label: z.string(),
    createdAt: Time,
    lastUsedAt: Time.nullable(),
    transports: z.array(z.string()),
    deviceType: z.enum(["singleDevice", "multiDevice"]).openapi({
      description:
        "multiDevice: synced (iCloud Keychain, Google Password Manager); singleDevice: bound to one authenticator",
    }),
    backedUp: z.boolean(),
  })
  .openapi("Passkey");
export type Passkey = z.infer<typeof Passkey>;

/** What a console front end needs to know before anyone signs in (GET /console/settings). */
export const ConsoleSettings = z
  .object({
    network: z.enum(NETWORKS),
    chainId: z.number().int(),
    contracts: z.object({
      devLicense: Address,
      vehicleId: Address.openapi({ description: "The vehicle NFT: token exchange assets name it" }),
      sacd: Address,
      dimoToken: Address.nullable(),
      dimoCredit: Address.nullable(),
    }),
    signIn: z.object({
      email: z.object({
        delivery: z.enum(["smtp", "devMailbox", "off"]).openapi({
          description:
            "`off`: no SMTP_URL on a deployment that is not local, so email sign-in answers 503 (offer the other methods)",
        }),
        devMailbox: z.string().nullable().openapi({
          description:
            "Without SMTP_URL on a local deployment: the folder of the API's machine where sign-in mails are written",
          example: ".data/mailbox/",
        }),
      }),
      providers: z
        .array(z.enum(PROVIDER_NAMES))
        .openapi({ description: "Configured providers: start them at /console/auth/{provider}/start" }),
      passkeys: z.literal(true),
    }),
    devnetFunding: z
      .boolean()
      .openapi({ description: "Managed wallets get devnet ETH and DIMO before their first write" }),
  })
  .openapi("ConsoleSettings");
export type ConsoleSettings = z.infer<typeof ConsoleSettings>;
