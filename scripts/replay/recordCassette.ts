import fs from "node:fs";
import { CASSETTE_VERSION, type CassetteChain, type CassetteHeader, writeCassette } from "./cassette";
import { stateDigest } from "./digest";
import { recorderHeader, startRecorder } from "./rpcRecorder";
import { freshDatabase, syncIndexer } from "./syncRun";

export type RecordResult = {
  header: CassetteHeader;
  entries: number;
  logs: number;
  blocks: number;
  bytes: number;
};

/**
 * Records a cassette: a real indexer sync of `chain` on a fresh database, through a recording proxy
 * in front of `upstream`, pinned at `head` (default: the upstream's latest block now), until Ponder
 * is ready and has indexed the head. The cassette's header keeps the sync's state digest.
 */
export async function recordCassette(opts: {
  upstream: string;
  chain: CassetteChain;
  out: string;
  head?: bigint;
  /** Postgres server to create the throwaway database on; default an embedded one. */
  databaseServerUrl?: string | null;
  concurrency?: number;
  notes?: string;
  log?: (line: string) => void;
}): Promise<RecordResult> {
  const log = opts.log ?? (() => {});
  const recorder = await startRecorder({
    upstream: opts.upstream,
    ...(opts.head === undefined ? {} : { head: opts.head }),
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
  });
  if (recorder.chainId !== opts.chain.chainId) {
    await recorder.stop();
    throw new Error(
      `the RPC serves chain ${recorder.chainId}, the configuration is for chain ${opts.chain.chainId}`,
    );
  }
  log(
    `recording chain ${recorder.chainId} blocks ${opts.chain.startBlock}..${recorder.head} through ${recorder.rpcUrl}`,
  );
  const db = await freshDatabase(opts.databaseServerUrl, "record");
  try {
    const s = recorder.stats;
    const synced = await syncIndexer({
      chain: opts.chain,
      rpcUrl: recorder.rpcUrl,
      databaseUrl: db.url,
      head: recorder.head,
      schema: "idx_record",
      onProgress: (block) =>
        log(
          `indexed ${block ?? "-"}/${recorder.head} · ${s.requests} requests (${s.forwarded} forwarded, ${s.errors} errors) · ${s.logs} logs · ${s.blocks} blocks`,
        ),
    });
    let digest: string;
    try {
      digest = (await stateDigest(synced.pool)).sha256;
    } finally {
      await synced.stop();
    }
    const header: CassetteHeader = {
      kind: "header",
      version: CASSETTE_VERSION,
      chain: opts.chain,
      ...recorderHeader(recorder, opts.upstream),
      digest,
      ...(opts.notes ? { notes: opts.notes } : {}),
    };
    const entries = recorder.entries();
    await writeCassette(opts.out, { header, entries });
    return {
      header,
      entries: entries.length,
      logs: s.logs,
      blocks: s.blocks,
      bytes: fs.statSync(opts.out).size,
    };
  } finally {
    await recorder.stop();
    await db.drop();
  }
}
