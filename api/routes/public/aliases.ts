import { createRoute, z } from "@hono/zod-openapi";
import { publicJson } from "../../http/publicJson";
import { AliasAvailability, commonErrors, jsonOk } from "../../http/schemas";
import type { ApiApp } from "../../http/types";
import type { AliasService } from "../../services/public/aliases";

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
  responses: { ...jsonOk(AliasAvailability, "The alias's availability"), ...commonErrors },
});

export function registerAliasRoutes(app: ApiApp, s: { aliases: AliasService }) {
  app.openapi(availability, async (c) =>
    publicJson(c, await s.aliases.availability(c.req.valid("param").alias)),
  );
  // The empty alias has no path segment to match; answer it rather than 404.
  app.get("/v1/aliases/", async (c) => publicJson(c, await s.aliases.availability("")));
}
