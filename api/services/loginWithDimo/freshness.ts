import { UnavailableError } from "../../errors";
import type { IndexerStatus } from "../system/indexerStatus";

/** Throws 503 while the indexed state is too stale to decide a login or an exchange on. */
export type IndexFreshness = { check(): Promise<void> };

/**
 * Logins and token exchanges decide from the indexed tables (signers, license status, grants): a
 * revocation counts from the indexer commit that records it. While the indexer lags the chain by
 * more than `maxLagBlocks` (or is backfilling, or the lag cannot be measured), they are refused
 * with 503 instead of trusting grants the chain may already have withdrawn. The verdict is shared
 * for `cacheMs` (one status read per second, however many logins), and never kept on failure.
 */
export function indexFreshness(deps: {
  status(): Promise<IndexerStatus>;
  /** null: no check (benchmarks without a chain). */
  maxLagBlocks: number | null;
  cacheMs?: number;
}): IndexFreshness {
  const cacheMs = deps.cacheMs ?? 1_000;
  let verdict: { problem: string | null; at: number } | null = null;
  let inflight: Promise<string | null> | null = null;

  const judge = async (): Promise<string | null> => {
    const st = await deps.status();
    const max = deps.maxLagBlocks!;
    if (st.indexedBlock === null) return st.reason ?? "The indexer has not indexed this chain yet";
    if (st.lagBlocks === null) return "The indexer's lag cannot be measured: the chain RPC does not answer";
    if (st.lagBlocks > max)
      return `The indexer is ${st.lagBlocks} blocks behind the chain head (at most ${max} allowed)`;
    // Backfilling (not ready) with a measured lag within bounds is fine: the bound is what counts.
    return null;
  };

  return {
    async check() {
      if (deps.maxLagBlocks === null) return;
      let problem: string | null;
      if (verdict && Date.now() - verdict.at < cacheMs) problem = verdict.problem;
      else {
        inflight ??= judge().finally(() => {
          inflight = null;
        });
        problem = await inflight;
        verdict = { problem, at: Date.now() };
      }
      if (problem !== null) {
        throw new UnavailableError(`${problem}; logins and token exchanges wait until it catches up`);
      }
    },
  };
}
