import type { Kysely } from "kysely";
import { getAddress, type LocalAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { Database } from "../../../db/database";
import { ConflictError, InvalidRequestError, NotFoundError, UnavailableError } from "../../../errors";
import { openPrivateKey, sealPrivateKey, type WalletKey, WalletKeyError } from "../../../lib/walletKey";
import type { Wallet, WalletKind } from "../schemas";

/** Keeps GET /console/wallets a short, unpaginated list. */
const MAX_EXTERNAL_WALLETS = 20;

export type WalletServiceDeps = {
  db: Kysely<Database>;
  clock: () => Date;
  /** Loaded on first use when the app was built without one (see createApp). */
  walletKey: () => WalletKey;
};

/**
 * The account's wallets. A managed wallet's key is made here, sealed with AES-256-GCM under the
 * wallet encryption key (AAD = its address) and only ever leaves this module as a viem
 * LocalAccount that signs: never logged, never returned, never written in clear.
 */
export function walletService(deps: WalletServiceDeps) {
  const { db, clock } = deps;

  const key = (): WalletKey => {
    try {
      return deps.walletKey();
    } catch (error) {
      throw new UnavailableError(
        "Managed wallets are unavailable: the wallet encryption key cannot be loaded",
        undefined,
        {
          cause: error,
        },
      );
    }
  };

  const kindOf = async (accountId: string, address: string): Promise<WalletKind | null> => {
    const row = await db
      .selectFrom("console.wallets")
      .select("kind")
      .where("account_id", "=", accountId)
      .where("address", "=", address.toLowerCase())
      .executeTakeFirst();
    return row?.kind ?? null;
  };

  return {
    /** Creates the account's managed wallet inside the caller's transaction (account provisioning). */
    async createManaged(trx: Kysely<Database>, accountId: string): Promise<string> {
      const privateKey = generatePrivateKey();
      const address = privateKeyToAccount(privateKey).address.toLowerCase();
      const sealed = sealPrivateKey(key(), Buffer.from(privateKey.slice(2), "hex"), address);
      await trx
        .insertInto("console.wallets")
        .values({
          address,
          account_id: accountId,
          kind: "managed",
          key_ciphertext: sealed.ciphertext,
          key_iv: sealed.iv,
          key_tag: sealed.tag,
          key_version: sealed.version,
          created_at: clock(),
        })
        .execute();
      return getAddress(address);
    },

    /** Every wallet of an account: the managed one first, then external ones by link time. */
    async list(accountId: string): Promise<Wallet[]> {
      const rows = await db
        .selectFrom("console.wallets")
        .select(["address", "kind", "created_at"])
        .where("account_id", "=", accountId)
        .orderBy((eb) => eb.case().when("kind", "=", "managed").then(0).else(1).end())
        .orderBy("created_at")
        .orderBy("address")
        .execute();
      return rows.map((r) => ({
        address: getAddress(r.address),
        kind: r.kind,
        createdAt: r.created_at.toISOString(),
      }));
    },

    /** Whether `address` is a wallet of this account, and which kind (null: not its wallet). */
    kindOf,

    /**
     * A signer for the account's managed wallet (transactions, messages, typed data). The key is
     * decrypted for this call only and held inside the returned account's closure.
     */
    async signerFor(accountId: string): Promise<LocalAccount> {
      const row = await db
        .selectFrom("console.wallets")
        .select(["address", "key_ciphertext", "key_iv", "key_tag", "key_version"])
        .where("account_id", "=", accountId)
        .where("kind", "=", "managed")
        .executeTakeFirst();
      if (!row?.key_ciphertext || !row.key_iv || !row.key_tag || !row.key_version) {
        throw new NotFoundError("This account has no managed wallet");
      }
      let privateKey: Buffer;
      try {
        privateKey = openPrivateKey(
          key(),
          { ciphertext: row.key_ciphertext, iv: row.key_iv, tag: row.key_tag, version: row.key_version },
          row.address,
        );
      } catch (error) {
        if (error instanceof WalletKeyError) {
          throw new UnavailableError(
            "The managed wallet cannot be opened with the configured encryption key",
            undefined,
            {
              cause: error,
            },
          );
        }
        throw error;
      }
      const account = privateKeyToAccount(`0x${privateKey.toString("hex")}`);
      privateKey.fill(0);
      if (account.address.toLowerCase() !== row.address) {
        throw new UnavailableError("The managed wallet's key does not match its address");
      }
      return account;
    },

    /**
     * Links an external wallet whose control was just proven (walletLinks.ts). Idempotent for the
     * same account; 409 when the address is already a wallet of another account.
     */
    async addExternal(accountId: string, address: string): Promise<Wallet> {
      const lower = address.toLowerCase();
      const external = await db
        .selectFrom("console.wallets")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("account_id", "=", accountId)
        .where("kind", "=", "external")
        .where("address", "<>", lower)
        .executeTakeFirstOrThrow();
      if (Number(external.n) >= MAX_EXTERNAL_WALLETS) {
        throw new ConflictError(
          `An account links at most ${MAX_EXTERNAL_WALLETS} external wallets; unlink one first`,
        );
      }
      const inserted = await db
        .insertInto("console.wallets")
        .values({ address: lower, account_id: accountId, kind: "external", created_at: clock() })
        .onConflict((oc) => oc.column("address").doNothing())
        .returning(["address", "kind", "created_at"])
        .executeTakeFirst();
      if (inserted)
        return {
          address: getAddress(inserted.address),
          kind: inserted.kind,
          createdAt: inserted.created_at.toISOString(),
        };
      const row = await db
        .selectFrom("console.wallets")
        .select(["address", "kind", "created_at", "account_id"])
        .where("address", "=", lower)
        .executeTakeFirstOrThrow();
      if (row.account_id !== accountId)
        throw new ConflictError("This wallet is already linked to another account");
      return { address: getAddress(row.address), kind: row.kind, createdAt: row.created_at.toISOString() };
    },

    /** Unlinks an external wallet of this account; the managed wallet cannot be removed. */
    async removeExternal(accountId: string, address: string): Promise<void> {
      const kind = await kindOf(accountId, address);
      if (kind === null) throw new NotFoundError("No such wallet on this account");
      if (kind === "managed") throw new InvalidRequestError("The managed wallet cannot be removed");
      await db
        .deleteFrom("console.wallets")
        .where("account_id", "=", accountId)
        .where("address", "=", address.toLowerCase())
        .where("kind", "=", "external")
        .execute();
    },
  };
}

export type WalletService = ReturnType<typeof walletService>;
