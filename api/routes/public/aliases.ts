import { createRoute, z } from "@hono/zod-openapi";
import { commonErrors, json } from "../../http/openapi";
import { publicJson } from "../../http/publicJson";
import type { ApiApp } from "../../http/types";
import type { AliasService } from "../../services/public/aliases";
import { AliasAvailability } from "../../services/public/schemas";

const availability = createRoute({
  method: "get",
  path: "/v1/aliases/{alias}",
  tags: ["Aliases"],
  summary: "Whether an alias can be set: taken by an active license, too long (> 32 UTF-8 bytes), or empty",
  request: {
    params: z.object({
      alias: z.string().openapi({ param: { name: "alias", in: "path" }, example: "my-app" }),
    }),
  },
  responses: { 200: json(AliasAvailability, "The alias's availability"), ...commonErrors },
});

// The empty alias has no path segment for {alias} to match: answered here rather than 404.
const emptyAlias = createRoute({
  method: "get",
  path: "/v1/aliases/",
  tags: ["Aliases"],
  summary: "The empty alias's availability: never available (reason `empty`)",
  responses: { 200: json(AliasAvailability, "The empty alias's availability"), ...commonErrors },
});

export function registerAliasRoutes(app: ApiApp, s: { aliases: AliasService }) {
  app.openapi(availability, async (c) =>
    publicJson(c, await s.aliases.availability(c.req.valid("param").alias)),
  );
  app.openapi(emptyAlias, async (c) => publicJson(c, await s.aliases.availability("")));
}
