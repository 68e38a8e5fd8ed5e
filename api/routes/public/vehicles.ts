import { createRoute, z } from "@hono/zod-openapi";
import { commonErrors, json, notFoundError } from "../../http/openapi";
import { publicJson } from "../../http/publicJson";
import { idParam } from "../../http/schemas";
import type { ApiApp } from "../../http/types";
import { Vehicle } from "../../services/public/schemas";
import type { VehicleService } from "../../services/public/vehicles";

const byId = createRoute({
  method: "get",
  path: "/v1/vehicles/{vehicleId}",
  tags: ["Vehicles"],
  summary: "One vehicle with every unexpired grant (404 when burned or never seen)",
  request: { params: z.object({ vehicleId: idParam("vehicleId", "The VehicleId token id") }) },
  responses: { 200: json(Vehicle, "The vehicle"), ...notFoundError, ...commonErrors },
});

export function registerVehicleRoutes(app: ApiApp, s: { vehicles: VehicleService }) {
  app.openapi(byId, async (c) => publicJson(c, await s.vehicles.byId(c.req.valid("param").vehicleId)));
}
