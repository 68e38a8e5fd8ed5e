import type { MiddlewareHandler } from "hono";
import type { ConsoleAuth } from "../../http/session";
import type { ApiApp } from "../../http/types";
import type { ConsoleServices } from "../../services/index";
import { registerAccountRoutes } from "./accounts";
import { registerLicenseViewRoutes } from "./licenses/views";
import { registerLicenseWriteRoutes } from "./licenses/writes";
import { registerOperationRoutes } from "./operations";
import { registerSettingsRoutes } from "./settings";
import { registerSignInRoutes } from "./signIn";
import { registerWalletRoutes } from "./wallets";

/** Console answers are per account: never stored by shared caches, refused to other sites' writes. */
const privateAnswers: MiddlewareHandler = async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
  c.header("Vary", "Cookie", { append: true });
};

/** Every /console route, behind the console middleware (no-store, Origin check), in one order. */
export function registerConsoleRoutes(app: ApiApp, s: ConsoleServices, auth: ConsoleAuth) {
  app.use("/console/*", privateAnswers, auth.checkOrigin);
  app.openAPIRegistry.registerComponent("securitySchemes", "session", {
    type: "apiKey",
    in: "cookie",
    name: "dimo_session",
    description:
      "Session cookie set by sign-in (`__Host-dimo_session` outside http://localhost). Writes also need X-CSRF-Token.",
  });
  registerSettingsRoutes(app, s);
  registerSignInRoutes(app, s, auth);
  registerAccountRoutes(app, s, auth);
  registerWalletRoutes(app, s, auth);
  registerLicenseViewRoutes(app, s, auth);
  registerLicenseWriteRoutes(app, s, auth);
  registerOperationRoutes(app, s, auth);
}
