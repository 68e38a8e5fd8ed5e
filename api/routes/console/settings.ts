import { createRoute } from "@hono/zod-openapi";
import { json } from "../../http/openapi";
import type { ApiApp } from "../../http/types";
import { ConsoleSettings } from "../../services/console/schemas";
import type { ConsoleServices } from "../../services/index";

/** GET /console/settings: what a sign-in page shows before anyone is signed in. */
export function registerSettingsRoutes(app: ApiApp, s: ConsoleServices) {
  const settings = createRoute({
    method: "get",
    path: "/console/settings",
    tags: ["Console accounts"],
    summary: "Sign-in methods on offer (email delivery, providers, passkeys), network and contract addresses",
    responses: { 200: json(ConsoleSettings, "Public facts about this console; no session needed") },
  });
  app.openapi(settings, (c) => c.json(s.settings, 200));
}
