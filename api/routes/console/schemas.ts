import { z } from "@hono/zod-openapi";
import {
  ErrorEnvelope,
  HistoryItem,
  License,
  page,
  RedirectUri,
  SharedVehicle,
  Signer,
} from "../../http/schemas";

// Shapes of the console routes (accounts, sessions, wallets, console license views).

const Address = z.string().openapi({ example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" });
const Time = z.string().openapi({ example: "2025-01-01T00:00:00.000Z" });

export const EmailBody = z
  .object({ email: z.string().min(3).max(320).openapi({ example: "dev@example.com" }) })
  .openapi("EmailStart");

export const VerifyBody = z
  .object({
    email: z.string().min(3).max(320).openapi({ example: "dev@example.com" }),
    code: z
      .string()
      .regex(/^\d{6}$/, "code must be the 6 digits from the email")
      .openapi({ example: "123456" }),
  })
  .openapi("EmailVerify");

export const CodeSent = z
  .object({ status: z.literal("sent"), message: z.string() })
  .openapi("CodeSent", { description: "The same answer for every address, with or without an account." });

export const Wallet = z
  .object({
    address: Address,
    kind: z.enum(["managed", "external"]).openapi({
      description:
        "managed: key held (encrypted) by the API, which signs its writes; external: linked by SIWE",
    }),
    createdAt: Time,
  })
  .openapi("Wallet");

export const Me = z
  .object({
    id: z.string().uuid(),
    email: z.string(),
    createdAt: Time,
    wallets: z.array(Wallet),
    csrfToken: z
      .string()
      .openapi({ description: "Send as X-CSRF-Token with every cookie-authenticated write" }),
    session: z.object({
      createdAt: Time,
      expiresAt: Time.openapi({ description: "Absolute expiry (SESSION_MAX_SECONDS after sign-in)" }),
      idleExpiresAt: Time.openapi({ description: "Ends earlier without requests (SESSION_IDLE_SECONDS)" }),
    }),
  })
  .openapi("Me");

export const CsrfToken = z.object({ csrfToken: z.string() }).openapi("CsrfToken");
export const SignedOutAll = z.object({ revoked: z.number().int() }).openapi("SignedOutAll");

export const NonceBody = z
  .object({
    address: z
      .string()
      .regex(/^0x[0-9a-fA-F]{40}$/, "address must be a 20-byte hex address")
      .optional()
      .openapi({ description: "The wallet to link: the answer then holds the exact message to sign" }),
  })
  .openapi("SiweNonceRequest");

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

export const LinkBody = z
  .object({
    message: z.string().min(1).max(4_000),
    signature: z
      .string()
      .regex(/^0x[0-9a-fA-F]{130}$/, "signature must be a 65-byte hex signature")
      .transform((v) => v as `0x${string}`),
  })
  .openapi("WalletLink");

export const WalletList = z.object({ items: z.array(Wallet) }).openapi("WalletList");

export const MyLicense = License.extend({
  vehicleCount: z.number().int().openapi({ description: "Vehicles shared with it now (unexpired grants)" }),
  manageable: z.enum(["managed", "external"]).openapi({
    description:
      "managed: the API signs writes with your managed wallet; external: you sign prepared transactions",
  }),
}).openapi("MyLicense");

export const PrivateSigner = Signer.extend({
  label: z.string().nullable(),
  expiresSoon: z
    .boolean()
    .openapi({ description: "Unexpired, but expiring within SIGNER_EXPIRY_WARNING_DAYS" }),
}).openapi("PrivateSigner");

export const PrivateLicense = z
  .object({
    license: License,
    manageable: z.enum(["managed", "external"]),
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

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorEnvelope } },
});

export const sessionErrors = {
  401: errorResponse("No session, or it expired or was signed out (code `unauthenticated`)"),
  403: errorResponse("Missing/invalid X-CSRF-Token on a write, or a cross-origin write (code `forbidden`)"),
} as const;

export const rateLimitedError = {
  429: errorResponse("Too many requests or wrong codes (code `rate_limited`); see Retry-After"),
} as const;

export const errorAt = <S extends 400 | 401 | 403 | 404 | 409>(status: S, description: string) =>
  ({ [status]: errorResponse(description) }) as { [K in S]: ReturnType<typeof errorResponse> };

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const SESSION_SECURITY = [{ session: [] }];
