import type { Kysely } from "kysely";
import pino from "pino";
import {
  type Address,
  BaseError,
  encodeErrorResult,
  encodeEventTopics,
  getAddress,
  type Hex,
  keccak256,
  type PublicClient,
  type TransactionReceipt,
  toHex,
} from "viem";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { devLicenseAbi } from "../../abis/devLicense";
import { createDatabase, type Database } from "../../api/db/database";
import { migrateToLatest } from "../../api/db/migrate";
import * as calls from "../../api/services/console/operations/calls";
import type { OpsChain } from "../../api/services/console/operations/chain";
import { operationFollower } from "../../api/services/console/operations/follower";
import { KNOWN_ERRORS } from "../../api/services/console/operations/revert";
import { type OperationStore, operationStore } from "../../api/services/console/operations/store";
import { createIndexedSchema, indexedFixture } from "../../scripts/fixtures/indexedFixture";
import { createTestDatabase, type TestDatabase } from "../support/database";

// The follower against real Postgres and a scripted chain: every status move, reverts decoded,
// the indexed rule (checkpoint AND the transaction in the license history), reorgs, expiry, and
// two followers (replicas) on the same rows making each move exactly once.

const DEV_LICENSE = getAddress(`0x${"d1".repeat(20)}`);
const WALLET = `0x${"aa".repeat(20)}`;
const CLIENT_ID = getAddress(`0x${"c1".repeat(20)}`);

let database: TestDatabase;
let db: Kysely<Database>;
let accountId: string;
let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);

/** What the scripted chain answers. */
const fake = {
  head: 10n,
  receipts: new Map<string, TransactionReceipt>(),
  known: new Set<string>(),
  revertData: null as Hex | null,
};

const client = {
  getBlockNumber: async () => fake.head,
  getTransactionReceipt: async ({ hash }: { hash: Hex }) => {
    const r = fake.receipts.get(hash);
    if (!r) throw new Error("receipt not found");
    return r;
  },
  getTransaction: async ({ hash }: { hash: Hex }) => (fake.known.has(hash) ? { hash } : null),
  call: async () => {
    if (fake.revertData) throw Object.assign(new BaseError("execution reverted"), { data: fake.revertData });
    return { data: "0x" };
  },
  request: async () => {
    throw new Error("no tracer");
  },
} as unknown as PublicClient;

const chain: OpsChain = {
  chainId: 31337,
  network: "custom",
  client,
  devLicense: DEV_LICENSE,
  dimoToken: null,
  dimoCredit: null,
};

function receipt(
  hash: Hex,
  block: bigint,
  status: "success" | "reverted",
  tokenId?: bigint,
): TransactionReceipt {
  const logs = tokenId
    ? [
        {
          address: DEV_LICENSE.toLowerCase() as Address,
          topics: encodeEventTopics({
            abi: devLicenseAbi,
            eventName: "Issued",
            args: { tokenId, owner: WALLET as Address, clientId: CLIENT_ID },
          }),
          data: "0x",
          blockNumber: block,
          logIndex: 0,
          transactionHash: hash,
          transactionIndex: 0,
          blockHash: keccak256(toHex(block)),
          removed: false,
        },
      ]
    : [];
  return { transactionHash: hash, blockNumber: block, status, logs } as unknown as TransactionReceipt;
}

let seq = 0;
async function submitted(store: OperationStore, kind: "create_license" | "generate_key" = "generate_key") {
  const row = await store.insert({
    accountId,
    kind,
    wallet: { address: WALLET, kind: "managed" },
    chainId: 31337,
    tx: calls.setLicenseAlias(DEV_LICENSE, 1n, `a${++seq}`),
    params: {},
  });
  const hash = keccak256(toHex(`tx${seq}`));
  await store.markSubmitted(db, row.id, hash, seq);
  return { id: row.id, hash };
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const statusOf = async (id: string) =>
  (await db.selectFrom("console.operations").selectAll().where("id", "=", id).executeTakeFirstOrThrow()) as {
    status: string;
    error: { code: string; message: string; details?: { revert?: string } } | null;
    result: Record<string, unknown> | null;
    block_number: string | null;
    token_id: string | null;
  };

/** Two followers (two replicas) on one database; counts each successful move per operation. */
function replicas(n: number) {
  const moves = new Map<string, number>();
  const logger = pino({ level: "silent" });
  const store = operationStore(db, clock);
  const followers = Array.from({ length: n }, () =>
    operationFollower({
      db,
      chain,
      store,
      watch: { changed: (id: string) => void moves.set(id, (moves.get(id) ?? 0) + 1) },
      logger,
      clock,
      pollMs: 10,
      preparedTtlSeconds: 60,
    }),
  );
  for (const f of followers) f.start();
  return { store, moves, stop: () => Promise.all(followers.map((f) => f.stop())) };
}

beforeAll(async () => {
  database = await createTestDatabase("follower");
  db = createDatabase(database.url, { poolMax: 6, statementTimeoutMs: 5_000 });
  await migrateToLatest(db);
  await createIndexedSchema(db);
  const account = await db
    .insertInto("console.accounts")
    .values({ email: "follower@example.com", created_at: new Date() })
    .returning("id")
    .executeTakeFirstOrThrow();
  accountId = account.id;
});
afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});
beforeEach(() => {
  fake.receipts.clear();
  fake.known.clear();
  fake.revertData = null;
  offsetMs = 0;
});

describe("operation follower", () => {
  it("moves submitted → mined → indexed once, across two replicas, only when the indexer shows it", async () => {
    const fx = indexedFixture(db);
    await fx.ponderState({ isReady: true, chainId: 31337, block: 4 });
    const r = replicas(2);
    try {
      const op = await submitted(r.store, "create_license");
      fake.head = 5n;
      fake.receipts.set(op.hash, receipt(op.hash, 5n, "success", 7n));
      const mined = await until(
        () => statusOf(op.id),
        (s) => s.status === "mined",
      );
      expect(mined).toMatchObject({ status: "mined", block_number: "5", token_id: "7" });
      expect(mined.result).toEqual({ tokenId: 7, clientId: CLIENT_ID });

      // The indexer has not passed block 5, then has but without the transaction: still mined.
      await fx.event({
        tokenId: 7,
        blockNumber: 5,
        logIndex: 0,
        type: "Issued",
        args: {},
        txHash: op.hash,
        timestamp: 1,
      });
      expect(
        (
          await until(
            () => statusOf(op.id),
            (s) => s.status !== "mined",
            300,
          )
        ).status,
      ).toBe("mined");
      await fx.ponderState({ isReady: true, chainId: 31337, block: 5 });
      expect(
        (
          await until(
            () => statusOf(op.id),
            (s) => s.status === "indexed",
          )
        ).status,
      ).toBe("indexed");
      expect(r.moves.get(op.id)).toBe(2); // mined once, indexed once, whichever replica made each move
    } finally {
      await r.stop();
    }
  });

  it("fails a reverted transaction with its decoded reason", async () => {
    const r = replicas(1);
    try {
      const op = await submitted(r.store);
      fake.revertData = encodeErrorResult({
        abi: KNOWN_ERRORS,
        errorName: "AliasAlreadyInUse",
        args: ["taken"],
      });
      fake.head = 6n;
      fake.receipts.set(op.hash, receipt(op.hash, 6n, "reverted"));
      const failed = await until(
        () => statusOf(op.id),
        (s) => s.status === "failed",
      );
      expect(failed.error).toMatchObject({
        code: "reverted",
        message: 'The alias "taken" is already in use by another license',
        details: { revert: "AliasAlreadyInUse" },
      });
      expect(failed.block_number).toBe("6");
    } finally {
      await r.stop();
    }
  });

  it("follows a reorg that moved a mined transaction to another block", async () => {
    const fx = indexedFixture(db);
    const r = replicas(1);
    try {
      const op = await submitted(r.store);
      fake.head = 20n;
      fake.receipts.set(op.hash, receipt(op.hash, 20n, "success"));
      await until(
        () => statusOf(op.id),
        (s) => s.status === "mined",
      );
      fake.receipts.set(op.hash, receipt(op.hash, 21n, "success"));
      offsetMs = 60_000; // the mined row is now stale: its receipt is read again
      const moved = await until(
        () => statusOf(op.id),
        (s) => s.block_number === "21",
      );
      expect(moved).toMatchObject({ status: "mined", block_number: "21" });
      await fx.event({
        tokenId: 1,
        blockNumber: 21,
        logIndex: 3,
        type: "SignerEnabled",
        args: {},
        txHash: op.hash,
        timestamp: 1,
      });
      await fx.ponderState({ isReady: true, chainId: 31337, block: 21 });
      expect(
        (
          await until(
            () => statusOf(op.id),
            (s) => s.status === "indexed",
          )
        ).status,
      ).toBe("indexed");

      // Reorged out entirely: back to submitted, waiting to be mined again.
      const gone = await submitted(r.store);
      fake.receipts.set(gone.hash, receipt(gone.hash, 22n, "success"));
      fake.head = 22n;
      offsetMs = 0;
      await until(
        () => statusOf(gone.id),
        (s) => s.status === "mined",
      );
      fake.receipts.delete(gone.hash);
      offsetMs = 60_000;
      expect(
        (
          await until(
            () => statusOf(gone.id),
            (s) => s.status === "submitted",
          )
        ).block_number,
      ).toBeNull();
    } finally {
      await r.stop();
    }
  });

  it("expires prepared operations and drops transactions the node forgot", async () => {
    const r = replicas(1);
    try {
      const prepared = await r.store.insert({
        accountId,
        kind: "rename_license",
        wallet: { address: WALLET, kind: "external" },
        chainId: 31337,
        tx: calls.setLicenseAlias(DEV_LICENSE, 1n, "held"),
        params: {},
        alias: "held",
      });
      const lost = await submitted(r.store);
      offsetMs = 11 * 60_000;
      expect(
        (
          await until(
            () => statusOf(prepared.id),
            (s) => s.status === "failed",
          )
        ).error?.code,
      ).toBe("expired");
      fake.head += 1n; // a new block: receipts are asked for again
      expect(
        (
          await until(
            () => statusOf(lost.id),
            (s) => s.status === "failed",
          )
        ).error?.code,
      ).toBe("dropped");
    } finally {
      await r.stop();
    }
  });
});
