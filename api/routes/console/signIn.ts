import type { ApiApp } from "../../http/types";
import type { ConsoleServices } from "../../services/console";
import type { SignInServices } from "../../services/signIn";
import { registerPasskeyRoutes } from "./passkeys";
import { registerProviderRoutes } from "./providers";

/**
 * Google / Apple / GitHub sign-in and passkeys. Registered after registerConsoleRoutes, so the
 * /console/* middleware (no-store, Origin check) runs first.
 */
export function registerSignInRoutes(
  app: ApiApp,
  s: ConsoleServices,
  signIn: SignInServices,
  opts: { publicUrl: string; corsOrigins: string[] },
) {
  registerProviderRoutes(app, s, signIn, opts);
  registerPasskeyRoutes(app, s, signIn);
}
