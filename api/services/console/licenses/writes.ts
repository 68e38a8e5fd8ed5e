import type { Kysely } from "kysely";
import { type Address, getAddress, isAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { aliasProblem } from "../../../../domain/alias";
import type { Database } from "../../../db/database";
import { ConflictError, ForbiddenError, InvalidRequestError, NotFoundError } from "../../../errors";
import type { NoticeService } from "../notices";
import * as calls from "../operations/calls";
import type { OperationEngine } from "../operations/engine";
import { ChainRevertError } from "../operations/revert";
import type { GeneratedKey, Operation, OperationAnswer } from "../schemas";
import type { WalletService } from "../wallets/wallets";
import { checkRedirectUri, nearMatches } from "./redirectUri";

export type LicenseOpsDeps = {
  db: Kysely<Database>;
  clock: () => Date;
  engine: OperationEngine;
  wallets: Pick<WalletService, "kindOf" | "list">;
  notices: NoticeService;
};

export type OwnedLicense = {
  tokenId: bigint;
  owner: Address;
  wallet: { address: string; kind: "managed" | "external" };
  alias: string | null;
};

const MAX_LABEL = 100;

/**
 * The console's license writes: create, rename, API keys (generate, renew, revoke) and redirect
 * URIs (add, remove). Each checks what the indexed state can already tell (ownership, alias
 * availability, existing keys and URIs) and hands the contract call to the operation engine,
 * which also lets the chain itself refuse (estimateGas) before anything is sent.
 */
export function licenseOperations(deps: LicenseOpsDeps) {
  const { db, engine } = deps;
  const devLicense = engine.chain.devLicense;

  /** A license one of my wallets owns (managed → sent by the API, external → prepared). */
  async function ownedLicense(accountId: string, tokenId: string): Promise<OwnedLicense> {
    const row = await db
      .selectFrom("dimo.license")
      .select(["owner", "status", "alias"])
      .where("token_id", "=", tokenId)
      .executeTakeFirst();
    if (!row) throw new NotFoundError(`No license with tokenId ${tokenId}`);
    const kind = await deps.wallets.kindOf(accountId, row.owner);
    if (!kind) {
      throw new ForbiddenError(
        `License ${tokenId} is owned by ${getAddress(row.owner)}, which is not one of your wallets`,
      );
    }
    if (row.status !== "active") throw new ConflictError(`License ${tokenId} is revoked`);
    return {
      tokenId: BigInt(tokenId),
      owner: getAddress(row.owner),
      wallet: { address: row.owner, kind },
      alias: row.alias,
    };
  }

  /** Shape (≤ 32 UTF-8 bytes, non-empty), then not held by an active license. Pending is the insert's job. */
  async function checkAlias(alias: string): Promise<void> {
    const problem = aliasProblem(alias);
    if (problem === "empty") throw new InvalidRequestError("alias must not be empty");
    if (problem === "too_long") throw new InvalidRequestError("alias is longer than 32 bytes (UTF-8)");
    const holder = await db
      .selectFrom("dimo.license")
      .select("token_id")
      .where("alias", "=", alias)
      .where("status", "=", "active")
      .limit(1)
      .executeTakeFirst();
    if (holder) {
      throw new ConflictError(
        `The alias ${JSON.stringify(alias)} is already used by license ${holder.token_id}`,
        {
          reason: "alias_taken",
          tokenId: Number(holder.token_id),
        },
      );
    }
  }

  /** The wallet a new license is minted to: the given one if it is mine, else my managed wallet. */
  async function walletFor(accountId: string, address?: string) {
    const wallets = await deps.wallets.list(accountId);
    if (address === undefined) {
      const managed = wallets.find((w) => w.kind === "managed");
      if (!managed) throw new ConflictError("This account has no managed wallet; pass `wallet`");
      return { address: managed.address, kind: managed.kind };
    }
    const mine = wallets.find((w) => w.address.toLowerCase() === address.toLowerCase());
    if (!mine) throw new ForbiddenError(`${address} is not one of your wallets`);
    return { address: mine.address, kind: mine.kind };
  }

  function parseSigner(address: string): Address {
    if (!isAddress(address, { strict: false })) throw new InvalidRequestError("signer must be an address");
    return getAddress(address);
  }

  async function currentSigner(tokenId: bigint, signer: Address): Promise<boolean> {
    const row = await db
      .selectFrom("dimo.license_signer")
      .select("signer")
      .where("token_id", "=", tokenId.toString())
      .where("signer", "=", signer.toLowerCase())
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Renew or revoke: only a key that is currently a signer of the caller's license. */
  async function keyOperation(
    accountId: string,
    tokenId: string,
    address: string,
    kind: "renew_key" | "revoke_key",
    call: (devLicense: Address, tokenId: bigint, signer: Address) => calls.TxRequest,
  ): Promise<Operation> {
    const license = await ownedLicense(accountId, tokenId);
    const signer = parseSigner(address);
    if (!(await currentSigner(license.tokenId, signer))) {
      throw new NotFoundError(`${signer} is not an API key of license ${tokenId}`);
    }
    return engine.submit({
      accountId,
      kind,
      wallet: license.wallet,
      tx: call(devLicense, license.tokenId, signer),
      params: { tokenId: Number(license.tokenId), signer },
      tokenId: license.tokenId,
    });
  }

  async function enabledUris(tokenId: bigint): Promise<string[]> {
    const rows = await db
      .selectFrom("dimo.license_redirect_uri")
      .select("uri")
      .where("token_id", "=", tokenId.toString())
      .execute();
    return rows.map((r) => r.uri);
  }

  return {
    ownedLicense,

    async createLicense(
      accountId: string,
      input: { alias?: string | null; pay?: "dcx" | "dimo"; wallet?: string },
    ): Promise<Operation> {
      const alias = input.alias ?? null;
      if (alias !== null) await checkAlias(alias);
      const pay = input.pay ?? "dcx";
      const wallet = await walletFor(accountId, input.wallet);
      const submission = {
        accountId,
        kind: "create_license" as const,
        wallet,
        tx: calls.issueLicense(devLicense, alias ?? "", pay),
        params: { alias, pay },
        alias,
      };
      try {
        return await engine.submit(submission);
      } catch (error) {
        // Paying in DIMO needs an allowance to the license contract: a managed wallet grants
        // exactly what the revert says is needed, once, then issues.
        const needed = allowanceShortfall(error);
        if (needed === null || wallet.kind !== "managed" || !engine.chain.dimoToken) throw error;
        await engine.submitAndWaitMined({
          accountId,
          kind: "approve_dimo",
          wallet,
          tx: calls.approve(engine.chain.dimoToken, devLicense, needed),
          params: { spender: devLicense, amount: needed.toString(), for: "create_license" },
        });
        return engine.submit(submission);
      }
    },

    async rename(accountId: string, tokenId: string, alias: string): Promise<Operation> {
      const license = await ownedLicense(accountId, tokenId);
      // The contract refuses re-setting a license's own alias too (AliasAlreadyInUse): say it plainly.
      if (license.alias === alias)
        throw new ConflictError(`License ${tokenId} is already called ${JSON.stringify(alias)}`);
      await checkAlias(alias);
      return engine.submit({
        accountId,
        kind: "rename_license",
        wallet: license.wallet,
        tx: calls.setLicenseAlias(devLicense, license.tokenId, alias),
        params: { tokenId: Number(license.tokenId), alias, previousAlias: license.alias },
        tokenId: license.tokenId,
        alias,
      });
    },

    /**
     * A new API key: a fresh secp256k1 key made here, its address enabled as a signer. The
     * private key goes back in this answer only — it is not stored, logged or put in the
     * operation (whose params hold the address and label).
     */
    async generateKey(accountId: string, tokenId: string, label?: string | null): Promise<GeneratedKey> {
      const license = await ownedLicense(accountId, tokenId);
      const cleanLabel = label?.trim() ? label.trim() : null;
      if (cleanLabel && cleanLabel.length > MAX_LABEL) {
        throw new InvalidRequestError(`label is too long (${MAX_LABEL} characters at most)`);
      }
      const privateKey = generatePrivateKey();
      const signer = privateKeyToAccount(privateKey).address;
      const operation = await engine.submit({
        accountId,
        kind: "generate_key",
        wallet: license.wallet,
        tx: calls.enableSigner(devLicense, license.tokenId, signer),
        params: { tokenId: Number(license.tokenId), signer, label: cleanLabel },
        tokenId: license.tokenId,
      });
      if (cleanLabel) {
        await db
          .insertInto("console.api_key_labels")
          .values({
            token_id: license.tokenId,
            signer: signer.toLowerCase(),
            label: cleanLabel,
            created_at: deps.clock(),
          })
          .onConflict((oc) => oc.columns(["token_id", "signer"]).doUpdateSet({ label: cleanLabel }))
          .execute();
      }
      deps.notices.send(accountId, {
        subject: "an API key was created for one of your licenses",
        what: `An API key (signer ${signer}${cleanLabel ? `, "${cleanLabel}"` : ""}) was created for license ${tokenId}; it can log in as the license`,
      });
      return { operation, apiKey: { address: signer, privateKey, label: cleanLabel } };
    },

    /** Re-enables a current key (expired or not): enableSigner again restarts its validity period. */
    renewKey: (accountId: string, tokenId: string, address: string): Promise<Operation> =>
      keyOperation(accountId, tokenId, address, "renew_key", calls.enableSigner),

    revokeKey: (accountId: string, tokenId: string, address: string): Promise<Operation> =>
      keyOperation(accountId, tokenId, address, "revoke_key", calls.disableSigner),

    /** Adds a redirect URI exactly as given; warns when it normalizes differently or nearly repeats one. */
    async addRedirectUri(accountId: string, tokenId: string, uri: string): Promise<OperationAnswer> {
      const license = await ownedLicense(accountId, tokenId);
      const check = checkRedirectUri(uri);
      if (!check.ok)
        throw new InvalidRequestError(check.message, [{ path: "body.uri", message: check.message }]);
      const enabled = await enabledUris(license.tokenId);
      if (enabled.includes(uri))
        throw new ConflictError(`${uri} is already a redirect URI of license ${tokenId}`);
      const warnings = [...check.warnings];
      for (const near of nearMatches(uri, enabled)) {
        warnings.push(
          `License ${tokenId} already has ${JSON.stringify(near)}; the two are different redirect URIs`,
        );
      }
      const operation = await engine.submit({
        accountId,
        kind: "add_redirect_uri",
        wallet: license.wallet,
        tx: calls.setRedirectUri(devLicense, license.tokenId, true, uri),
        params: { tokenId: Number(license.tokenId), uri },
        tokenId: license.tokenId,
      });
      return { operation, warnings };
    },

    /** Removes an enabled redirect URI, matched exactly (a near miss is named in the 404). */
    async removeRedirectUri(accountId: string, tokenId: string, uri: string): Promise<Operation> {
      const license = await ownedLicense(accountId, tokenId);
      const enabled = await enabledUris(license.tokenId);
      if (!enabled.includes(uri)) {
        const near = nearMatches(uri, enabled);
        const hint = near.length ? `; did you mean ${near.map((n) => JSON.stringify(n)).join(" or ")}?` : "";
        throw new NotFoundError(`${JSON.stringify(uri)} is not a redirect URI of license ${tokenId}${hint}`);
      }
      return engine.submit({
        accountId,
        kind: "remove_redirect_uri",
        wallet: license.wallet,
        tx: calls.setRedirectUri(devLicense, license.tokenId, false, uri),
        params: { tokenId: Number(license.tokenId), uri },
        tokenId: license.tokenId,
      });
    },
  };
}

/** The DIMO amount an ERC20InsufficientAllowance revert says is needed, or null for any other error. */
function allowanceShortfall(error: unknown): bigint | null {
  if (!(error instanceof ChainRevertError)) return null;
  const details = error.details as { revert?: string; args?: unknown[] } | undefined;
  if (details?.revert !== "ERC20InsufficientAllowance") return null;
  const needed = details.args?.[2];
  return typeof needed === "string" && /^\d+$/.test(needed) ? BigInt(needed) : null;
}

export type LicenseOperations = ReturnType<typeof licenseOperations>;
