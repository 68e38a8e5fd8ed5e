import type { Migration } from "kysely/migration";
import * as m0001 from "./0001_console_schema";
import * as m0100 from "./0100_console_accounts";
import * as m0150 from "./0150_console_sign_in";
import * as m0200 from "./0200_login";
import * as m0300 from "./0300_console_operations";
import * as m0310 from "./0310_operation_signed_tx";
import * as m0320 from "./0320_login_challenge_unlogged";
import * as m0330 from "./0330_read_fence";

/**
 * Every migration, in order, listed statically (no folder globbing: bundlers and tsx alike see
 * them). Forward-only: a deployed migration is never edited or removed, only followed.
 */
export const MIGRATIONS: Record<string, Migration> = {
  "0001_console_schema": m0001,
  "0100_console_accounts": m0100,
  "0150_console_sign_in": m0150,
  "0200_login": m0200,
  "0300_console_operations": m0300,
  "0310_operation_signed_tx": m0310,
  "0320_login_challenge_unlogged": m0320,
  "0330_read_fence": m0330,
};
