import { z } from "@hono/zod-openapi";
import { Passkey } from "../../../services/console/schemas";

// Shapes of the Google / Apple / GitHub sign-in and passkey routes.

export const ProviderParams = z.object({
  provider: z
    .string()
    .max(32)
    .openapi({
      param: { name: "provider", in: "path" },
      description: "google, apple or github",
      example: "google",
    }),
});

export const StartQuery = z.object({
  returnTo: z
    .string()
    .max(2_048)
    .optional()
    .openapi({
      param: { name: "returnTo", in: "query" },
      description: "Where to go afterwards: a path on this console (default /) or a URL on an allowed origin",
      example: "/app",
    }),
});

/** The provider's authorization response; validated by the sign-in service, not here. */
export const CallbackQuery = z.object({
  code: z.string().optional(),
  state: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
  iss: z.string().optional(),
});

const b64url = z
  .string()
  .regex(/^[A-Za-z0-9_-]*$/, "must be base64url")
  .max(65_536);

/** PublicKeyCredential.toJSON() of navigator.credentials.create(), as @simplewebauthn/browser gives it. */
const RegistrationResponse = z
  .object({
    id: b64url.min(1).max(1_366),
    rawId: b64url.min(1).max(1_366),
    type: z.literal("public-key"),
    response: z
      .object({
        clientDataJSON: b64url.min(1),
        attestationObject: b64url.min(1),
        transports: z.array(z.string().max(32)).max(10).optional(),
      })
      .loose(),
    authenticatorAttachment: z.string().max(32).optional(),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  })
  .openapi("PasskeyRegistrationResponse");

/** PublicKeyCredential.toJSON() of navigator.credentials.get(). */
const AuthenticationResponse = z
  .object({
    id: b64url.min(1).max(1_366),
    rawId: b64url.min(1).max(1_366),
    type: z.literal("public-key"),
    response: z.object({
      clientDataJSON: b64url.min(1),
      authenticatorData: b64url.min(1),
      signature: b64url.min(1),
      userHandle: b64url.optional(),
    }),
    authenticatorAttachment: z.string().max(32).optional(),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  })
  .openapi("PasskeyAuthenticationResponse");

export const RegisterVerifyBody = z
  .object({
    response: RegistrationResponse,
    label: z.string().trim().min(1).max(64).optional().openapi({ example: "MacBook Touch ID" }),
  })
  .openapi("PasskeyRegistration");

export const AuthVerifyBody = z.object({ response: AuthenticationResponse }).openapi("PasskeySignIn");

export const CreationOptions = z
  .object({ challenge: z.string(), rp: z.object({ id: z.string().optional(), name: z.string() }) })
  .loose()
  .openapi("PasskeyCreationOptions", {
    description:
      "PublicKeyCredentialCreationOptionsJSON: give it to startRegistration() of @simplewebauthn/browser",
  });

export const RequestOptions = z
  .object({ challenge: z.string(), rpId: z.string().optional() })
  .loose()
  .openapi("PasskeyRequestOptions", {
    description:
      "PublicKeyCredentialRequestOptionsJSON: give it to startAuthentication() of @simplewebauthn/browser",
  });

export const PasskeyList = z.object({ items: z.array(Passkey) }).openapi("PasskeyList");

export const PasskeyIdParams = z.object({
  id: b64url
    .min(1)
    .max(1_366)
    .openapi({ param: { name: "id", in: "path" }, description: "The passkey's credential id" }),
});
