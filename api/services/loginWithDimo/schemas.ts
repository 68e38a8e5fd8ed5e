import { z } from "@hono/zod-openapi";

// What Login with DIMO answers (docs/login-with-dimo.md), once: the services' return types are
// inferred from these schemas and /openapi.json documents the same objects. Field names are DIMO's
// (snake_case where its OAuth-style endpoints use it).

export const Web3Challenge = z
  .object({
    state: z.string().openapi({ description: "Opaque, single-use; pass it to submit_challenge" }),
    challenge: z.string().openapi({ description: "EIP-4361 message to sign with personal_sign (EIP-191)" }),
  })
  .openapi("Web3Challenge");
export type Web3Challenge = z.infer<typeof Web3Challenge>;

export const OAuthToken = z
  .object({
    access_token: z.string(),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int(),
    id_token: z.string(),
  })
  .openapi("OAuthTokenResponse");
export type OAuthToken = z.infer<typeof OAuthToken>;

export const LoginChallenge = z
  .object({ challenge: z.string(), nonce: z.string(), expires_at: z.string() })
  // Not "SiweChallenge": that name is the console's wallet-link challenge, and one would hide the other.
  .openapi("LoginChallenge");
export type LoginChallenge = z.infer<typeof LoginChallenge>;

export const LoginToken = z
  .object({ token: z.string(), token_type: z.literal("Bearer"), expires_in: z.number().int() })
  .openapi("SiweToken");
export type LoginToken = z.infer<typeof LoginToken>;

export const VehicleToken = z.object({ token: z.string() }).openapi("VehicleToken");
export type VehicleToken = z.infer<typeof VehicleToken>;
