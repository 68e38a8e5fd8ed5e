import type { ConsoleAuth } from "../../../http/session";
import type { ApiApp } from "../../../http/types";
import type { ConsoleServices } from "../../../services/index";
import { registerEmailCodeRoutes } from "./emailCode";
import { registerPasskeyRoutes } from "./passkeys";
import { registerProviderRoutes } from "./providers";

/** Email code, Google / Apple / GitHub, passkeys; email first, so /console/auth/email/* is never a provider. */
export function registerSignInRoutes(app: ApiApp, s: ConsoleServices, auth: ConsoleAuth) {
  registerEmailCodeRoutes(app, s, auth);
  registerProviderRoutes(app, s, auth);
  registerPasskeyRoutes(app, s, auth);
}
