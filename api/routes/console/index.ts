import type { MiddlewareHandler } from "hono";
import type { ApiApp } from "../../http/types";
import type { ConsoleServices } from "../../services/console";
import { registerConsoleAuthRoutes } from "./auth";
import { registerConsoleLicenseRoutes } from "./licenses";
import { registerConsoleMeRoutes } from "./me";
import { registerConsoleWalletRoutes } from "./wallets";

/** Console answers are per account: never stored by shared caches, refused to other sites' writes. */
const privateAnswers: MiddlewareHandler = async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
  c.header("Vary", "Cookie", { append: true });
};

export function registerConsoleRoutes(app: ApiApp, s: ConsoleServices) {
  app.use("/console/*", privateAnswers, s.auth.checkOrigin);
  app.openAPIRegistry.registerComponent("securitySchemes", "session", {
    type: "apiKey",
    in: "cookie",
    name: "dimo_session",
    description:
      "Session cookie set by sign-in (`__Host-dimo_session` outside http://localhost). Writes also need X-CSRF-Token.",
  });
  registerConsoleAuthRoutes(app, s);
  registerConsoleMeRoutes(app, s);
  registerConsoleWalletRoutes(app, s);
  registerConsoleLicenseRoutes(app, s);
}
