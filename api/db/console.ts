import type { AccountTables } from "./accountTables";
import type { LoginChallengeTable, LoginRateLimitTable, SigningKeyTable } from "./loginTables";
import type { OperationTables } from "./operationTables";
import type { SignInTables } from "./signInTables";

// Row types of the API's own `console` schema (api/db/migrations); each feature keeps its table
// types in its own file and lists them here.

export interface ConsoleDatabase extends AccountTables, SignInTables, OperationTables {
  "console.signing_key": SigningKeyTable;
  "console.login_challenge": LoginChallengeTable;
  "console.login_rate_limit": LoginRateLimitTable;
}
