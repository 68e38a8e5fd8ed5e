import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import type { Kysely } from "kysely";
import type { Database } from "../../../db/database";
import {
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  NotFoundError,
  UnauthenticatedError,
} from "../../../errors";
import type { Account } from "../accounts/accounts";
import type { Session } from "../accounts/sessions";
import type { NoticeService } from "../notices";
import type { Passkey } from "../schemas";
import type { WebAuthnChallengeStore } from "./webauthnChallenges";

export type PasskeyServiceDeps = {
  db: Kysely<Database>;
  clock: () => Date;
  challenges: WebAuthnChallengeStore;
  rpId: string;
  rpName: string;
  origins: string[];
  notices: NoticeService;
};

/** Adding a passkey needs a sign-in at most this old (a stolen session cookie alone cannot). */
export const RECENT_SIGN_IN_SECONDS = 300;

const MAX_PASSKEYS = 20;
const UNIQUE_VIOLATION = "23505";

/** The challenge inside clientDataJSON, to find its server-side row before verifying. */
function challengeOf(clientDataJSON: string): string {
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, "base64url").toString("utf8")) as {
      challenge?: unknown;
    };
    if (typeof data.challenge === "string" && data.challenge.length > 0) return data.challenge;
  } catch {
    // reported below
  }
  throw new InvalidRequestError("body.response.response.clientDataJSON: not WebAuthn client data", [
    { path: "body.response.response.clientDataJSON", message: "not WebAuthn client data" },
  ]);
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 300);

/**
 * Passkeys (WebAuthn) as a way to sign in: registered by a signed-in account, then used alone
 * (discoverable credentials: no email first, so nothing to enumerate). User verification is
 * required: the passkey replaces both password and second factor.
 */
export function passkeyService(deps: PasskeyServiceDeps) {
  const { db, clock, challenges } = deps;

  /**
   * A passkey is a way in that outlives the session: only a session that signed in within the last
   * 5 minutes (a fresh email code, passkey or provider sign-in starts a new one) may add one.
   */
  const requireRecentSignIn = (session: Session) => {
    const age = (clock().getTime() - session.createdAt.getTime()) / 1000;
    if (age > RECENT_SIGN_IN_SECONDS) {
      throw new ForbiddenError(
        `Adding a passkey needs a recent sign-in (within ${RECENT_SIGN_IN_SECONDS / 60} minutes): sign in again ` +
          "with an email code or a passkey, then add it",
        { reason: "reauthenticate" },
      );
    }
  };

  const list = async (accountId: string): Promise<Passkey[]> => {
    const rows = await db
      .selectFrom("console.passkeys")
      .selectAll()
      .where("account_id", "=", accountId)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      label: r.label,
      createdAt: r.created_at.toISOString(),
      lastUsedAt: r.last_used_at?.toISOString() ?? null,
      transports: r.transports,
      deviceType: r.device_type,
      backedUp: r.backed_up,
    }));
  };

  return {
    list,

    async registrationOptions(
      account: Account,
      session: Session,
    ): Promise<PublicKeyCredentialCreationOptionsJSON> {
      requireRecentSignIn(session);
      const existing = await list(account.id);
      if (existing.length >= MAX_PASSKEYS) {
        throw new ConflictError(`This account has ${MAX_PASSKEYS} passkeys already; remove one first`);
      }
      const options = await generateRegistrationOptions({
        rpName: deps.rpName,
        rpID: deps.rpId,
        userName: account.email,
        userDisplayName: account.email,
        // The user handle comes back with every sign-in: checked against the credential's owner.
        userID: new TextEncoder().encode(account.id),
        timeout: challenges.ttlSeconds * 1000,
        attestationType: "none",
        excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
        authenticatorSelection: { residentKey: "required", userVerification: "required" },
      });
      await challenges.save(options.challenge, "register", account.id);
      return options;
    },

    async verifyRegistration(
      account: Account,
      session: Session,
      response: RegistrationResponseJSON,
      label?: string,
    ): Promise<Passkey> {
      requireRecentSignIn(session);
      const challenge = challengeOf(response.response.clientDataJSON);
      if (!(await challenges.consume(challenge, "register", account.id))) {
        throw new InvalidRequestError(
          "This passkey registration challenge is unknown, expired or already used; ask for new options",
        );
      }
      let info: Awaited<ReturnType<typeof verifyRegistrationResponse>>["registrationInfo"];
      try {
        const result = await verifyRegistrationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: deps.origins,
          expectedRPID: deps.rpId,
          requireUserVerification: true,
        });
        info = result.registrationInfo;
      } catch (error) {
        throw new InvalidRequestError(`The passkey could not be registered: ${reason(error)}`);
      }
      if (!info)
        throw new InvalidRequestError("The passkey could not be registered: its attestation did not verify");
      const now = clock();
      try {
        await db
          .insertInto("console.passkeys")
          .values({
            id: info.credential.id,
            account_id: account.id,
            public_key: Buffer.from(info.credential.publicKey),
            counter: info.credential.counter,
            transports: info.credential.transports ?? response.response.transports ?? [],
            device_type: info.credentialDeviceType,
            backed_up: info.credentialBackedUp,
            aaguid: info.aaguid,
            label: label ?? `Passkey added ${now.toISOString().slice(0, 10)}`,
            created_at: now,
          })
          .execute();
      } catch (error) {
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
          throw new ConflictError("This passkey is already registered");
        }
        throw error;
      }
      const created = (await list(account.id)).find((p) => p.id === info.credential.id)!;
      deps.notices.send(account.id, {
        subject: "a passkey was added to your account",
        what: `A passkey ("${created.label}") was added to your account; it can sign in without an email code`,
      });
      return created;
    },

    async authenticationOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const options = await generateAuthenticationOptions({
        rpID: deps.rpId,
        // Empty: the authenticator offers whichever discoverable passkey it holds for this RP.
        allowCredentials: [],
        userVerification: "required",
        timeout: challenges.ttlSeconds * 1000,
      });
      await challenges.save(options.challenge, "authenticate", null);
      return options;
    },

    /** The account a passkey assertion proves, or a 401 that says why not. */
    async verifyAuthentication(response: AuthenticationResponseJSON): Promise<string> {
      const challenge = challengeOf(response.response.clientDataJSON);
      if (!(await challenges.consume(challenge, "authenticate", null))) {
        throw new UnauthenticatedError(
          "This passkey sign-in challenge is unknown, expired or already used; start the passkey sign-in again",
        );
      }
      const row = await db
        .selectFrom("console.passkeys")
        .selectAll()
        .where("id", "=", response.id)
        .executeTakeFirst();
      if (!row) {
        throw new UnauthenticatedError(
          "This passkey is not registered with the console (it may have been removed); sign in another way",
        );
      }
      const counter = Number(row.counter);
      let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
      try {
        verified = await verifyAuthenticationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: deps.origins,
          expectedRPID: deps.rpId,
          credential: {
            id: row.id,
            publicKey: new Uint8Array(row.public_key),
            counter,
            transports: row.transports,
          },
          requireUserVerification: true,
        });
      } catch (error) {
        throw new UnauthenticatedError(`Passkey sign-in failed: ${reason(error)}`);
      }
      if (!verified.verified)
        throw new UnauthenticatedError("Passkey sign-in failed: the signature did not verify");
      const handle = response.response.userHandle;
      if (handle && Buffer.from(handle, "base64url").toString("utf8") !== row.account_id) {
        throw new UnauthenticatedError(
          "Passkey sign-in failed: the passkey's user handle is not its account's",
        );
      }
      // Compare-and-set: two concurrent uses of one assertion counter cannot both win.
      const updated = await db
        .updateTable("console.passkeys")
        .set({ counter: verified.authenticationInfo.newCounter, last_used_at: clock() })
        .where("id", "=", row.id)
        .where("counter", "=", row.counter)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) {
        throw new UnauthenticatedError(
          "Passkey sign-in failed: the passkey was used concurrently; try again",
        );
      }
      return row.account_id;
    },

    async remove(accountId: string, id: string): Promise<void> {
      const result = await db
        .deleteFrom("console.passkeys")
        .where("id", "=", id)
        .where("account_id", "=", accountId)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0)
        throw new NotFoundError("No passkey with this id on your account");
    },
  };
}

export type PasskeyService = ReturnType<typeof passkeyService>;
