import {
  type Address,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  keccak256,
  type PublicClient,
  toHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { DevLicenseDimoArtifact, HistoryGeneratorArtifact } from "../../devnet/contracts/artifacts";
import { cassetteChain, startPinnedAnvil } from "../../devnet/demoChain";
import { type Deployment, deployDimo, LOCAL_DEPLOYER_KEY, localChain } from "../../devnet/deploy";
import { type RecordResult, recordCassette } from "./recordCassette";

// Large synthetic histories for benchmarks, emitted by the real test contracts through
// devnet/contracts/HistoryGenerator.sol in batched transactions (thousands of events each, tiny
// calldata). The mix follows what the console's chain looks like — many signer, redirect-URI and
// grant events, fewer issues and mints, few transfers, burns and revokes — in rounds, so every
// kind is spread over the whole history rather than grouped by kind.

/** Share of all events per kind (sums to ~1; issuance emits 3-4 events per license). */
const MIX = {
  signerEnabled: 0.25,
  signerDisabled: 0.06,
  redirectEnabled: 0.14,
  redirectDisabled: 0.03,
  rename: 0.02,
  renameLegacy: 0.003,
  grant: 0.22,
  grantLegacy: 0.04,
  privilege: 0.08,
  privilegeRevoke: 0.008,
  renounce: 0.02,
  accountGrant: 0.01,
  vehicleMint: 0.05,
  licenseShare: 0.0135 * 3.7, // licenses that receive grants: Issued, Locked, Transfer, 70% with alias
  revocable: 0.003 * 4, // licenses that get revoked later (one more event each)
  revoke: 0.003,
  transfer: 0.005,
  burn: 0.003,
} as const;

const MAX_EVENTS_PER_TX = 2_000;
const MAX_ISSUES_PER_TX = 250; // each creates the license's account contract
const SINK: Address = "0x000000000000000000000000000000000000dEaD";
const REVOKER_ROLE: Hex = keccak256(toHex("REVOKER_ROLE"));

type Gen = {
  call(fn: string, args: readonly unknown[]): Promise<void>;
  admin(fn: "setPeriodValidity", args: readonly unknown[]): Promise<void>;
};

async function deployGenerator(rpcUrl: string, d: Deployment): Promise<Gen> {
  const chain = localChain(rpcUrl, d.chainId);
  const transport = http(rpcUrl);
  const account = privateKeyToAccount(LOCAL_DEPLOYER_KEY);
  const wallet = createWalletClient({ account, chain, transport });
  const client = createPublicClient({ chain, transport, cacheTime: 0, pollingInterval: 20 }) as PublicClient;
  const mined = async (hash: Hex) => {
    // Batches of 2,000 events take seconds each on a large history: wait as long as it takes.
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20, timeout: 900_000 });
    if (receipt.status !== "success") throw new Error(`generator transaction ${hash} reverted`);
    return receipt;
  };
  const deployed = await mined(
    await wallet.deployContract({
      abi: HistoryGeneratorArtifact.abi,
      bytecode: HistoryGeneratorArtifact.bytecode,
      args: [d.devLicense, d.vehicleId, d.sacd],
    }),
  );
  const address = deployed.contractAddress!;
  const license = { address: d.devLicense, abi: DevLicenseDimoArtifact.abi } as const;
  await mined(
    await wallet.writeContract({ ...license, functionName: "grantRole", args: [REVOKER_ROLE, address] }),
  );
  // Explicit gas skips estimation (a second execution of each huge batch); anvil runs with a big
  // block gas limit and without the per-transaction cap.
  const gas = 20_000_000_000n;
  return {
    call: async (functionName, args) => {
      await mined(
        await wallet.writeContract({
          address,
          abi: HistoryGeneratorArtifact.abi,
          functionName,
          args,
          gas,
        } as never),
      );
    },
    admin: async (functionName, args) => {
      await mined(await wallet.writeContract({ ...license, functionName, args } as never));
    },
  };
}

/** `per` items each on `count` tokens, ≈ `target` events, with count ≤ available. */
function spread(target: number, available: number): { per: number; count: number } {
  if (target <= 0 || available <= 0) return { per: 0, count: 0 };
  const per = Math.max(1, Math.ceil(target / available));
  return { per, count: Math.min(available, Math.max(1, Math.round(target / per))) };
}

type Range = { from: number; count: number };

export type SyntheticStats = { transactions: number; rounds: number; licenses: number; vehicles: number };

/**
 * Drives the generator on a chain with a fresh DIMO deployment (licenses and vehicles start at 1).
 * `events` is the approximate total of indexed events.
 */
export async function generateHistory(
  rpcUrl: string,
  deployment: Deployment,
  events: number,
  log: (line: string) => void = () => {},
): Promise<SyntheticStats> {
  const gen = await deployGenerator(rpcUrl, deployment);
  const rounds = Math.max(1, Math.min(20, Math.round(events / 10_000)));
  const perRound = (share: number) => (events * share) / rounds;
  const mainPerRound = Math.max(8, Math.round(perRound(MIX.licenseShare) / 3.7));
  const extraPerRound = Math.max(1, Math.round(perRound(MIX.revocable) / 4));
  const vehiclesPerRound = Math.max(4, Math.round(perRound(MIX.vehicleMint)));
  let transactions = 2;

  /** Calls `fn` over `range` in chunks of at most `max` tokens. */
  const chunked = async (
    fn: string,
    range: Range,
    max: number,
    args: (r: Range) => readonly unknown[],
  ): Promise<void> => {
    for (let from = range.from; from < range.from + range.count; from += max) {
      const count = Math.min(max, range.from + range.count - from);
      await gen.call(fn, args({ from, count }));
      transactions++;
    }
  };
  const perTx = (per: number) => Math.max(1, Math.floor(MAX_EVENTS_PER_TX / Math.max(1, per)));
  const big = (n: number) => BigInt(n);

  let nextLicense = 1;
  let nextVehicle = 1;
  let previous: {
    main: Range;
    extra: Range;
    vehicles: Range;
    plan: Record<string, { per: number; count: number }>;
  } | null = null;

  for (let r = 0; r <= rounds; r++) {
    const last = r === rounds; // a final pass only finishes the previous round's follow-ups
    const main: Range = { from: nextLicense, count: last ? 0 : mainPerRound };
    const extra: Range = { from: main.from + main.count, count: last ? 0 : extraPerRound };
    const vehicles: Range = { from: nextVehicle, count: last ? 0 : vehiclesPerRound };
    const all: Range = { from: main.from, count: main.count + extra.count };
    const salt = big(r + 1);
    const plan = {
      signers: spread(perRound(MIX.signerEnabled), all.count),
      redirects: spread(perRound(MIX.redirectEnabled), all.count),
      rename: spread(perRound(MIX.rename), main.count),
      grant: spread(perRound(MIX.grant), vehicles.count),
      grantLegacy: spread(perRound(MIX.grantLegacy), vehicles.count),
      privilege: spread(perRound(MIX.privilege), vehicles.count),
      account: spread(perRound(MIX.accountGrant), main.count),
    };
    plan.grant.per = Math.min(plan.grant.per, main.count - 1);
    plan.grantLegacy.per = Math.min(plan.grantLegacy.per, main.count - 1);
    plan.privilege.per = Math.min(plan.privilege.per, main.count - 1);

    if (!last) {
      const withAlias = Math.round(main.count * 0.7);
      await chunked("issue", { from: main.from, count: withAlias }, MAX_ISSUES_PER_TX, (x) => [
        big(x.from),
        big(x.count),
        true,
      ]);
      await chunked(
        "issue",
        { from: main.from + withAlias, count: main.count - withAlias },
        MAX_ISSUES_PER_TX,
        (x) => [big(x.from), big(x.count), false],
      );
      await chunked("issue", extra, MAX_ISSUES_PER_TX, (x) => [big(x.from), big(x.count), true]);
      await chunked("mintVehicles", { from: 0, count: vehicles.count }, MAX_EVENTS_PER_TX, (x) => [
        big(x.count),
      ]);
      const lic = (p: { per: number; count: number }): Range => ({ from: all.from, count: p.count });
      await chunked("setSigners", lic(plan.signers), perTx(plan.signers.per), (x) => [
        big(x.from),
        big(x.count),
        big(plan.signers.per),
        salt,
        true,
      ]);
      await chunked("setRedirects", lic(plan.redirects), perTx(plan.redirects.per), (x) => [
        big(x.from),
        big(x.count),
        big(plan.redirects.per),
        salt,
        true,
      ]);
      const veh = (p: { count: number }): Range => ({ from: vehicles.from, count: p.count });
      const pool = [big(main.from), big(main.count)] as const;
      await chunked("grant", veh(plan.grant), perTx(plan.grant.per), (x) => [
        big(x.from),
        big(x.count),
        big(plan.grant.per),
        ...pool,
        salt,
        false,
      ]);
      await chunked("grant", veh(plan.grantLegacy), perTx(plan.grantLegacy.per), (x) => [
        big(x.from),
        big(x.count),
        big(plan.grantLegacy.per),
        ...pool,
        salt + 500n,
        true,
      ]);
      await chunked("privileges", veh(plan.privilege), perTx(plan.privilege.per), (x) => [
        big(x.from),
        big(x.count),
        big(plan.privilege.per),
        ...pool,
        salt,
        false,
      ]);
      await chunked(
        "accountGrants",
        { from: main.from, count: plan.account.count },
        MAX_EVENTS_PER_TX,
        (x) => [big(x.from), big(x.count), salt],
      );
      await chunked("rename", { from: main.from, count: plan.rename.count }, MAX_EVENTS_PER_TX, (x) => [
        big(x.from),
        big(x.count),
        salt,
        false,
      ]);
      if (r === Math.floor(rounds / 3) || r === Math.floor((2 * rounds) / 3)) {
        await gen.admin("setPeriodValidity", [big((180 + 90 * r) * 86_400)]);
        transactions++;
      }
    }

    if (previous) {
      // Follow-ups on the previous round: some keys and URIs removed, grants renounced or
      // revoked, a few vehicles sold or scrapped, a few licenses revoked, legacy renames.
      const p = previous;
      const prevSalt = big(r);
      const allPrev: Range = { from: p.main.from, count: p.main.count + p.extra.count };
      const disable = spread(perRound(MIX.signerDisabled), Math.min(allPrev.count, p.plan.signers!.count));
      disable.per = Math.min(disable.per, p.plan.signers!.per);
      await chunked("setSigners", { from: allPrev.from, count: disable.count }, perTx(disable.per), (x) => [
        big(x.from),
        big(x.count),
        big(disable.per),
        prevSalt,
        false,
      ]);
      const unlink = spread(perRound(MIX.redirectDisabled), Math.min(allPrev.count, p.plan.redirects!.count));
      unlink.per = Math.min(unlink.per, p.plan.redirects!.per);
      await chunked("setRedirects", { from: allPrev.from, count: unlink.count }, perTx(unlink.per), (x) => [
        big(x.from),
        big(x.count),
        big(unlink.per),
        prevSalt,
        false,
      ]);
      const legacy = Math.min(p.main.count, Math.max(1, Math.round(perRound(MIX.renameLegacy))));
      await chunked("rename", { from: p.main.from, count: legacy }, MAX_EVENTS_PER_TX, (x) => [
        big(x.from),
        big(x.count),
        1000n + prevSalt,
        true,
      ]);
      await chunked("revoke", p.extra, MAX_EVENTS_PER_TX, (x) => [big(x.from), big(x.count)]);
      const pool = [big(p.main.from), big(p.main.count)] as const;
      const renounce = spread(perRound(MIX.renounce), Math.min(p.vehicles.count, p.plan.grant!.count));
      renounce.per = Math.min(renounce.per, p.plan.grant!.per);
      await chunked(
        "renounce",
        { from: p.vehicles.from, count: renounce.count },
        perTx(renounce.per),
        (x) => [big(x.from), big(x.count), big(renounce.per), ...pool, prevSalt],
      );
      const transfers = Math.min(
        Math.max(1, Math.round(perRound(MIX.transfer))),
        Math.floor(p.vehicles.count / 4),
      );
      const burns = Math.min(Math.max(1, Math.round(perRound(MIX.burn))), Math.floor(p.vehicles.count / 4));
      const kept = p.vehicles.count - transfers - burns;
      const revokes = spread(perRound(MIX.privilegeRevoke), Math.min(kept, p.plan.privilege!.count));
      revokes.per = Math.min(revokes.per, p.plan.privilege!.per);
      await chunked(
        "privileges",
        { from: p.vehicles.from, count: revokes.count },
        perTx(revokes.per),
        (x) => [big(x.from), big(x.count), big(revokes.per), ...pool, prevSalt, true],
      );
      await chunked(
        "transferVehicles",
        { from: p.vehicles.from + kept, count: transfers },
        MAX_EVENTS_PER_TX,
        (x) => [big(x.from), big(x.count), SINK],
      );
      await chunked(
        "burnVehicles",
        { from: p.vehicles.from + kept + transfers, count: burns },
        MAX_EVENTS_PER_TX,
        (x) => [big(x.from), big(x.count)],
      );
    }

    nextLicense = extra.from + extra.count;
    nextVehicle = vehicles.from + vehicles.count;
    previous = { main, extra, vehicles, plan };
    if (!last)
      log(
        `round ${r + 1}/${rounds}: ${nextLicense - 1} licenses, ${nextVehicle - 1} vehicles, ${transactions} txs`,
      );
  }
  return { transactions, rounds, licenses: nextLicense - 1, vehicles: nextVehicle - 1 };
}

/** Seconds between blocks of a synthetic chain: a few hundred blocks then span weeks. */
export const SYNTHETIC_SECONDS_PER_BLOCK = 4 * 3600;

/**
 * A fresh pinned anvil + DIMO deployment + a synthetic history of ≈ `events` events + 31 empty
 * blocks (so Ponder treats all of it as final and backfills it), recorded into a cassette.
 */
export async function generateSyntheticCassette(opts: {
  events: number;
  out: string;
  databaseServerUrl?: string | null;
  log?: (line: string) => void;
}): Promise<RecordResult & SyntheticStats> {
  const log = opts.log ?? (() => {});
  const chain = await startPinnedAnvil({
    secondsPerBlock: SYNTHETIC_SECONDS_PER_BLOCK,
    // No past states kept: nothing reads them, and copying a growing state at every block made
    // generating a 1M-event history slow down round after round.
    extraArgs: ["--gas-limit", "100000000000", "--prune-history"],
  });
  try {
    const deployment = await deployDimo(chain.rpcUrl);
    const stats = await generateHistory(chain.rpcUrl, deployment, opts.events, log);
    await fetch(chain.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "anvil_mine", params: ["0x1f"] }),
    });
    log(`generated ${stats.transactions} transactions; recording the sync…`);
    const recorded = await recordCassette({
      upstream: chain.rpcUrl,
      chain: cassetteChain(deployment),
      out: opts.out,
      databaseServerUrl: opts.databaseServerUrl ?? null,
      notes: `synthetic history (scripts/replay/syntheticHistory.ts), ~${opts.events} events in ${stats.rounds} rounds: ${stats.licenses} licenses, ${stats.vehicles} vehicles`,
      log,
    });
    return { ...recorded, ...stats };
  } finally {
    await chain.stop();
  }
}
