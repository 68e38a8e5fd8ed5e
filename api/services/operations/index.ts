import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Config } from "../../../config/env";
import type { Database } from "../../db/database";
import { UnavailableError } from "../../errors";
import type { ConsoleLicenseService, PrivateSigner } from "../consoleLicenses";
import type { WalletService } from "../wallets";
import { createOpsChain } from "./chain";
import { type DcxService, dcxService } from "./dcx";
import { type OperationEngine, operationEngine } from "./engine";
import { type LicenseOperations, licenseOperations } from "./licenseOps";

export type OperationServices = {
  engine: OperationEngine;
  licenses: LicenseOperations;
  dcx: DcxService;
  /** My license's API keys (label, expiry, expiresSoon), from the console's private view. */
  keys(accountId: string, tokenId: string): Promise<PrivateSigner[]>;
};

export type OperationServiceDeps = {
  db: Kysely<Database>;
  clock: () => Date;
  logger: Logger;
  config: Config;
  /** Without one (tests of other parts) the write routes answer 503. */
  rpcUrl: string | undefined;
  /** For the indexer-commit listener (LISTEN needs its own connection); without it the follower polls. */
  databaseUrl: string | undefined;
  wallets: WalletService;
  consoleLicenses: ConsoleLicenseService;
};

/** The background work of an app: the operation follower (started by server.ts after listening). */
export type Background = { start(): void; stop(): Promise<void> };

/** Console writes, wired once per app; null services (and an idle background) without an RPC URL. */
export function createOperationServices(deps: OperationServiceDeps): {
  ops: OperationServices | null;
  background: Background;
} {
  if (!deps.rpcUrl) return { ops: null, background: { start() {}, stop: async () => {} } };
  const chain = createOpsChain(deps.rpcUrl, { ...deps.config.chain, rpcUrl: deps.rpcUrl });
  const engine = operationEngine({
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger.child({ module: "operations" }),
    chain,
    wallets: deps.wallets,
    options: deps.config.operations,
    ...(deps.databaseUrl ? { databaseUrl: deps.databaseUrl } : {}),
  });
  const ops: OperationServices = {
    engine,
    licenses: licenseOperations({ db: deps.db, clock: deps.clock, engine, wallets: deps.wallets }),
    dcx: dcxService({ engine, wallets: deps.wallets }),
    keys: async (accountId, tokenId) =>
      (await deps.consoleLicenses.privateView(accountId, tokenId, { limit: 1 })).signers,
  };
  return { ops, background: engine.background };
}

/** The operation services, or 503 when this API has no chain to write to. */
export function needOps(ops: OperationServices | null): OperationServices {
  if (!ops)
    throw new UnavailableError("Console writes are unavailable: this API has no chain RPC configured");
  return ops;
}
