import { z } from "@hono/zod-openapi";
import { errors } from "../../http/openapi";
import { ADDRESS_RE, Time } from "../../lib/shapes";
import { Wallet } from "../../services/console/schemas";

// Request bodies of the console routes (accounts, sessions, wallets) and the answers the routes
// assemble themselves; what a service answers is declared beside it (api/services/console/schemas.ts).

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
      .regex(ADDRESS_RE, "address must be a 20-byte hex address")
      .optional()
      .openapi({ description: "The wallet to link: the answer then holds the exact message to sign" }),
  })
  .openapi("SiweNonceRequest");

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

export const sessionErrors = errors({
  401: "No session, or it expired or was signed out (code `unauthenticated`)",
  403: "Missing/invalid X-CSRF-Token on a write, or a cross-origin write (code `forbidden`)",
});

export const SESSION_SECURITY = [{ session: [] }];
