import { z } from "zod";
import type { NetworkName } from "./networks";

// Console operations (docs/operations.md): how fast the follower polls, how
// long a prepared transaction waits for its external wallet, and the devnet-only wallet funding.

const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const withDefault = <T extends z.ZodType>(schema: T, value: z.output<T>) =>
  z.preprocess(blank, schema.optional()).transform((v): z.output<T> => v ?? value);

export const operationsEnv = {
  OPERATIONS_POLL_MS: withDefault(z.coerce.number().int().min(10).max(10_000), 100),
  OPERATIONS_PREPARED_TTL_SECONDS: withDefault(
    z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 86_400),
    1_800,
  ),
  OPERATIONS_MAX_PREPARED: withDefault(z.coerce.number().int().min(1).max(1_000), 5),
  OPERATIONS_MAX_WAITERS_PER_SESSION: withDefault(z.coerce.number().int().min(1).max(100), 4),
  OPERATIONS_MAX_WAITERS: withDefault(z.coerce.number().int().min(1).max(100_000), 1_000),
  DEVNET_FUND_WALLETS: z.preprocess(blank, z.enum(["true", "false", "1", "0"]).optional()),
};

export type OperationsConfig = {
  /** Pause between the follower's passes while operations are open. */
  pollMs: number;
  /** A prepared (external-wallet) operation not submitted within this time fails. */
  preparedTtlSeconds: number;
  /**
   * Prepared operations an account may leave unsent over 24 hours (waiting, expired or cancelled;
   * sent ones do not count): bounds how many aliases it holds at once and how long it can park one.
   */
  maxPrepared: number;
  /** Long-polls and event streams one session may hold open at once (per API process). */
  maxWaitersPerSession: number;
  /** Long-polls and event streams one API process holds open at once, all sessions together. */
  maxWaiters: number;
  /** DEVNET ONLY: give managed wallets ETH (anvil_setBalance) and DIMO (faucet) before their first write. */
  devnetFunding: boolean;
};

type OperationsEnv = {
  OPERATIONS_POLL_MS: number;
  OPERATIONS_PREPARED_TTL_SECONDS: number;
  OPERATIONS_MAX_PREPARED: number;
  OPERATIONS_MAX_WAITERS_PER_SESSION: number;
  OPERATIONS_MAX_WAITERS: number;
  DEVNET_FUND_WALLETS?: "true" | "false" | "1" | "0" | undefined;
};

/**
 * Devnet funding defaults to on for DIMO_NETWORK=local only. It may be turned on for a custom
 * network on chain 31337 (a test stack's anvil), never for polygon or amoy.
 */
export function operationsConfig(
  env: OperationsEnv,
  chain: { network: NetworkName; chainId: number },
  fail: (variable: string, detail: string) => never,
): OperationsConfig {
  const asked =
    env.DEVNET_FUND_WALLETS === undefined ? null : ["true", "1"].includes(env.DEVNET_FUND_WALLETS);
  const devnet = chain.network === "local" || (chain.network === "custom" && chain.chainId === 31337);
  if (asked && !devnet) {
    fail(
      "DEVNET_FUND_WALLETS",
      `is for the local devnet only (chain 31337), not ${chain.network} (${chain.chainId})`,
    );
  }
  return {
    pollMs: env.OPERATIONS_POLL_MS,
    preparedTtlSeconds: env.OPERATIONS_PREPARED_TTL_SECONDS,
    maxPrepared: env.OPERATIONS_MAX_PREPARED,
    maxWaitersPerSession: env.OPERATIONS_MAX_WAITERS_PER_SESSION,
    maxWaiters: env.OPERATIONS_MAX_WAITERS,
    devnetFunding: asked ?? chain.network === "local",
  };
}
