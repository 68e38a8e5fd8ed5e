import type { ApiApp } from "../../http/types";
import type { PublicServices } from "../../services/index";
import { registerAliasRoutes } from "./aliases";
import { registerLicenseRoutes } from "./licenses";
import { registerStatsRoutes } from "./stats";
import { registerVehicleRoutes } from "./vehicles";

/** Public data (no login): licenses, vehicles, aliases and stats from the indexed `dimo` views. */
export function registerPublicRoutes(app: ApiApp, s: PublicServices) {
  registerLicenseRoutes(app, s);
  registerVehicleRoutes(app, s);
  registerAliasRoutes(app, s);
  registerStatsRoutes(app, s);
}
