import type { Kysely } from "kysely";
import { getAddress, type Hex, isAddress, verifyMessage } from "viem";
import { createSiweMessage, generateSiweNonce, parseSiweMessage, validateSiweMessage } from "viem/siwe";
import type { Database } from "../../../db/database";
import { InvalidRequestError, RateLimitedError } from "../../../errors";
import type { NoticeService } from "../notices";
import type { SiweChallenge, Wallet } from "../schemas";
import type { WalletService } from "./wallets";

const SIWE_NONCE_TTL_SECONDS = 600;
const MAX_LIVE_NONCES = 20;
const STATEMENT = "Link this wallet to my DIMO Developer Console account.";

export type WalletLinkDeps = {
  db: Kysely<Database>;
  clock: () => Date;
  wallets: WalletService;
  /** PUBLIC_URL: its host is the SIWE domain, its origin the URI. */
  publicUrl: string;
  chainId: number;
  notices: NoticeService;
};

const bad = (message: string, path = "body.message") => new InvalidRequestError(message, [{ path, message }]);

/**
 * Links external wallets by EIP-4361 (SIWE): the API issues a single-use nonce bound to the
 * signed-in account; the wallet signs a message naming PUBLIC_URL's domain, the chain and that
 * nonce; the API checks every field, spends the nonce (first attempt wins, whatever its outcome)
 * and recovers the signer. EOA signatures only (ecrecover): a contract wallet could be controlled
 * by others, and checking ERC-1271 would make linking depend on an RPC round trip.
 */
export function walletLinkService(deps: WalletLinkDeps) {
  const { db, clock } = deps;
  const origin = new URL(deps.publicUrl);
  const domain = origin.host;
  const uri = origin.origin;

  return {
    async issueNonce(accountId: string, address?: string): Promise<SiweChallenge> {
      const now = clock();
      const expiresAt = new Date(now.getTime() + SIWE_NONCE_TTL_SECONDS * 1000);
      const nonce = generateSiweNonce();
      await db
        .deleteFrom("console.siwe_nonces")
        .where("account_id", "=", accountId)
        .where("expires_at", "<", now)
        .execute();
      const live = await db
        .selectFrom("console.siwe_nonces")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("account_id", "=", accountId)
        .where("consumed_at", "is", null)
        .executeTakeFirstOrThrow();
      if (Number(live.n) >= MAX_LIVE_NONCES) {
        throw new RateLimitedError(
          `At most ${MAX_LIVE_NONCES} unused nonces at a time; use one or wait 10 minutes`,
        );
      }
      await db
        .insertInto("console.siwe_nonces")
        .values({ nonce, account_id: accountId, created_at: now, expires_at: expiresAt })
        .execute();
      const message = address
        ? createSiweMessage({
            address: getAddress(address),
            chainId: deps.chainId,
            domain,
            nonce,
            uri,
            version: "1",
            issuedAt: now,
            expirationTime: expiresAt,
            statement: STATEMENT,
          })
        : null;
      return {
        nonce,
        domain,
        uri,
        chainId: deps.chainId,
        issuedAt: now.toISOString(),
        expirationTime: expiresAt.toISOString(),
        statement: STATEMENT,
        message,
      };
    },

    async link(accountId: string, message: string, signature: Hex): Promise<Wallet> {
      const parsed = parseSiweMessage(message);
      if (!parsed.nonce || !parsed.address || !isAddress(parsed.address, { strict: false })) {
        throw bad("message is not an EIP-4361 message with an address and a nonce");
      }
      const now = clock();
      // Spend the nonce first: a nonce serves exactly one attempt, on any replica.
      const spent = await db
        .updateTable("console.siwe_nonces")
        .set({ consumed_at: now })
        .where("nonce", "=", parsed.nonce)
        .where("account_id", "=", accountId)
        .where("consumed_at", "is", null)
        .where("expires_at", ">", now)
        .returning("nonce")
        .executeTakeFirst();
      if (!spent) throw bad("nonce is unknown, already used or expired; request a new one");
      if (parsed.domain !== domain) throw bad(`message domain must be ${domain}`);
      if (!parsed.uri || safeOrigin(parsed.uri) !== uri) throw bad(`message URI must be on ${uri}`);
      if (parsed.chainId !== deps.chainId) throw bad(`message chain id must be ${deps.chainId}`);
      if (!validateSiweMessage({ message: parsed, domain, nonce: spent.nonce, time: now })) {
        throw bad("message is not valid now (version, expiration time or not-before)");
      }
      const address = getAddress(parsed.address);
      const valid = await verifyMessage({ address, message, signature }).catch(() => false);
      if (!valid)
        throw bad(
          "signature was not made by the message's address (EOA signature expected)",
          "body.signature",
        );
      const already = (await deps.wallets.kindOf(accountId, address)) !== null;
      const wallet = await deps.wallets.addExternal(accountId, address);
      if (!already) {
        deps.notices.send(accountId, {
          subject: "a wallet was linked to your account",
          what: `The wallet ${address} was linked to your account; licenses it owns can now be managed from it`,
        });
      }
      return wallet;
    },
  };
}

function safeOrigin(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

export type WalletLinkService = ReturnType<typeof walletLinkService>;
