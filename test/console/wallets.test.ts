import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { getAddress, type Hex, verifyMessage } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../../api/db/database";
import { loadWalletKey, WALLET_KEY_FILE } from "../../api/lib/walletKey";
import { startApi } from "../../api/server";
import { walletService } from "../../api/services/console/wallets/wallets";
import { loadConfig } from "../../config/env";
import { createTestDatabase, type TestDatabase } from "../support/database";
import {
  Client,
  type ConsoleApi,
  mailInMailbox,
  startConsoleApi,
  subjectsInMailbox,
  type TestClock,
  testClock,
} from "./harness";

// Managed wallets (key sealed at rest, a signer for the operations engineer) and external wallets
// linked by SIWE, through real HTTP.

let database: TestDatabase;
let api: ConsoleApi;
let clock: TestClock;

beforeAll(async () => {
  database = await createTestDatabase("console_wallets");
  clock = testClock();
  api = await startConsoleApi({ databaseUrl: database.url, clock });
});
afterAll(async () => {
  await api?.stop();
  await database?.drop();
});

let seq = 0;
const signedIn = async () => {
  const c = new Client(api.url);
  const me = await c.signIn(`wallets-${++seq}@example.com`, api.dataDir);
  return { c, me };
};

/** Asks the API for a nonce + message for `account`, signs it. */
async function signedLink(c: Client, account: ReturnType<typeof privateKeyToAccount>) {
  const challenge = await c.post("/console/wallets/siwe/nonce", { address: account.address });
  expect(challenge.status).toBe(201);
  const message: string = challenge.body.message;
  return { message, signature: await account.signMessage({ message }), challenge: challenge.body };
}

describe("managed wallet", () => {
  it("is created at sign-up and signs for its account without ever showing its key", async () => {
    const { me } = await signedIn();
    const db = createDatabase(database.url, { poolMax: 2, statementTimeoutMs: 5_000 });
    try {
      // What the app builds: the wallet key of DATA_DIR, loaded on first use.
      const wallets = walletService({
        db,
        clock: clock.now,
        walletKey: () => loadWalletKey({ fromEnv: null, fromFile: null, dataDir: api.dataDir }),
      });
      const signer = await wallets.signerFor(me.id);
      expect(signer.address).toBe(me.wallets[0]!.address);
      expect(Object.keys(signer)).not.toContain("privateKey");
      const signature = await signer.signMessage({ message: "hello" });
      expect(await verifyMessage({ address: signer.address, message: "hello", signature })).toBe(true);
      const row = await db
        .selectFrom("console.wallets")
        .selectAll()
        .where("account_id", "=", me.id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ kind: "managed", address: signer.address.toLowerCase() });
      expect(row.key_ciphertext).toHaveLength(32);
      expect(row.key_iv).toHaveLength(12);
      expect(row.key_tag).toHaveLength(16);
      await expect(wallets.signerFor("00000000-0000-0000-0000-000000000000")).rejects.toThrow(
        "This account has no managed wallet",
      );
    } finally {
      await db.destroy();
    }
  });

  it("stops the API from starting with a malformed key file", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bad-key-"));
    fs.writeFileSync(path.join(dataDir, WALLET_KEY_FILE), "oops\n", { mode: 0o600 });
    try {
      await expect(
        startApi({
          config: loadConfig({ DATA_DIR: dataDir }),
          databaseUrl: database.url,
          rpcUrl: "http://127.0.0.1:9",
          port: 0,
          logger: pino({ level: "silent" }),
          chain: { headBlock: async () => 1n },
        }),
      ).rejects.toThrow(/wallet-encryption\.key: malformed/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("external wallets (SIWE)", () => {
  it("issues a single-use nonce with the exact EIP-4361 message for PUBLIC_URL and the chain", async () => {
    const { c } = await signedIn();
    const account = privateKeyToAccount(generatePrivateKey());
    const { challenge } = await signedLink(c, account);
    expect(challenge).toMatchObject({
      domain: "localhost:3000",
      uri: "http://localhost:3000",
      chainId: api.config.chain.chainId,
      nonce: expect.stringMatching(/^[a-zA-Z0-9]{8,}$/),
    });
    expect(challenge.message).toContain(
      `localhost:3000 wants you to sign in with your Ethereum account:\n${account.address}`,
    );
    expect(challenge.message).toContain(`Nonce: ${challenge.nonce}`);
    const bare = await c.post("/console/wallets/siwe/nonce");
    expect(bare.status).toBe(201);
    expect(bare.body.message).toBeNull();
  });

  it("links a wallet by its signature, lists it, and unlinks it", async () => {
    const { c, me } = await signedIn();
    const account = privateKeyToAccount(generatePrivateKey());
    const { message, signature } = await signedLink(c, account);
    const linked = await c.post("/console/wallets/link", { message, signature });
    expect(linked.status).toBe(200);
    expect(linked.body).toMatchObject({ address: account.address, kind: "external" });
    const list = await c.get("/console/wallets");
    expect(list.body.items.map((w: { address: string; kind: string }) => [w.address, w.kind])).toEqual([
      [me.wallets[0]!.address, "managed"],
      [account.address, "external"],
    ]);
    const mine = await c.get("/console/me");
    expect(mine.body.wallets).toHaveLength(2);
    expect((await c.delete(`/console/wallets/${account.address.toLowerCase()}`)).status).toBe(204);
    expect((await c.get("/console/wallets")).body.items).toHaveLength(1);
  });

  it("mails the account a notice when a wallet is newly linked, not when it is linked again", async () => {
    const { c, me } = await signedIn();
    const account = privateKeyToAccount(generatePrivateKey());
    const first = await signedLink(c, account);
    expect((await c.post("/console/wallets/link", first)).status).toBe(200);
    const subject = "DIMO Developer Console: a wallet was linked to your account";
    expect(await mailInMailbox(api.dataDir, me.email, /wallet was linked/)).toBe(subject);
    const again = await signedLink(c, account);
    expect((await c.post("/console/wallets/link", again)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(subjectsInMailbox(api.dataDir, me.email).filter((s) => s === subject)).toHaveLength(1);
  });

  it("spends a nonce on its first use: a replayed link is refused", async () => {
    const { c } = await signedIn();
    const account = privateKeyToAccount(generatePrivateKey());
    const { message, signature } = await signedLink(c, account);
    expect((await c.post("/console/wallets/link", { message, signature })).status).toBe(200);
    const replay = await c.post("/console/wallets/link", { message, signature });
    expect(replay.status).toBe(400);
    expect(replay.body.error.message).toBe("nonce is unknown, already used or expired; request a new one");
  });

  it("refuses another account's nonce, an expired nonce, a foreign domain, URI or chain, and a wrong signer", async () => {
    const { c } = await signedIn();
    const { c: other } = await signedIn();
    const account = privateKeyToAccount(generatePrivateKey());
    const link = (message: string, signature: Hex) => c.post("/console/wallets/link", { message, signature });
    const reason = async (message: string, signature: Hex) =>
      (await link(message, signature)).body.error.message;

    const theirs = await signedLink(other, account);
    expect(await reason(theirs.message, theirs.signature)).toBe(
      "nonce is unknown, already used or expired; request a new one",
    );

    const late = await signedLink(c, account);
    clock.advance(601);
    expect(await reason(late.message, late.signature)).toBe(
      "nonce is unknown, already used or expired; request a new one",
    );

    const forged = async (fields: Partial<Parameters<typeof createSiweMessage>[0]>) => {
      const { challenge } = await signedLink(c, account);
      const message = createSiweMessage({
        address: account.address,
        chainId: challenge.chainId,
        domain: challenge.domain,
        nonce: challenge.nonce,
        uri: challenge.uri,
        version: "1",
        issuedAt: new Date(challenge.issuedAt),
        ...fields,
      });
      return reason(message, await account.signMessage({ message }));
    };
    expect(await forged({ domain: "evil.example" })).toBe("message domain must be localhost:3000");
    expect(await forged({ uri: "https://evil.example/login" })).toBe(
      "message URI must be on http://localhost:3000",
    );
    expect(await forged({ chainId: 1 })).toBe(`message chain id must be ${api.config.chain.chainId}`);
    expect(await forged({ expirationTime: new Date(clock.now().getTime() - 1000) })).toBe(
      "message is not valid now (version, expiration time or not-before)",
    );

    const { message } = await signedLink(c, account);
    const impostor = privateKeyToAccount(generatePrivateKey());
    const wrong = await link(message, await impostor.signMessage({ message }));
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toBe(
      "signature was not made by the message's address (EOA signature expected)",
    );
    expect((await c.get("/console/wallets")).body.items).toHaveLength(1);
  });

  it("refuses an address linked to another account (409) and keeps it there", async () => {
    const { c: alice } = await signedIn();
    const { c: bob } = await signedIn();
    const account = privateKeyToAccount(generatePrivateKey());
    const first = await signedLink(alice, account);
    expect((await alice.post("/console/wallets/link", first)).status).toBe(200);
    const second = await signedLink(bob, account);
    const taken = await bob.post("/console/wallets/link", {
      message: second.message,
      signature: second.signature,
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toEqual({
      code: "conflict",
      message: "This wallet is already linked to another account",
    });
    // Bob cannot unlink it either: not his wallet.
    expect((await bob.delete(`/console/wallets/${account.address}`)).status).toBe(404);
    expect((await alice.get("/console/wallets")).body.items).toHaveLength(2);
  });

  it("keeps the managed wallet, and 404s an address that is not mine", async () => {
    const { c, me } = await signedIn();
    const managed = await c.delete(`/console/wallets/${me.wallets[0]!.address}`);
    expect(managed.status).toBe(400);
    expect(managed.body.error.message).toBe("The managed wallet cannot be removed");
    expect((await c.delete(`/console/wallets/${getAddress(`0x${"12".repeat(20)}`)}`)).status).toBe(404);
    expect((await c.delete("/console/wallets/not-an-address")).status).toBe(400);
  });

  it("bounds unused nonces and external wallets per account", async () => {
    const { c, me } = await signedIn();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await c.post("/console/wallets/siwe/nonce", {})).status);
    expect(statuses.slice(0, 20).every((s) => s === 201)).toBe(true);
    expect(statuses[20]).toBe(429);
    clock.advance(601); // expired nonces are cleared on the next request
    const account = privateKeyToAccount(generatePrivateKey());
    const link = await signedLink(c, account);
    const db = createDatabase(database.url, { poolMax: 1, statementTimeoutMs: 5_000 });
    try {
      await db
        .insertInto("console.wallets")
        .values(
          Array.from({ length: 20 }, (_, i) => ({
            address: `0x${(i + 1).toString(16).padStart(40, "a")}`,
            account_id: me.id,
            kind: "external" as const,
            created_at: new Date(),
          })),
        )
        .execute();
    } finally {
      await db.destroy();
    }
    const full = await c.post("/console/wallets/link", { message: link.message, signature: link.signature });
    expect(full.status).toBe(409);
    expect(full.body.error.message).toBe("An account links at most 20 external wallets; unlink one first");
  });

  it("needs a session and a CSRF token", async () => {
    const anonymous = new Client(api.url);
    expect((await anonymous.post("/console/wallets/siwe/nonce", {})).status).toBe(401);
    expect((await anonymous.get("/console/wallets")).status).toBe(401);
    const { c } = await signedIn();
    c.csrf = null;
    expect((await c.post("/console/wallets/siwe/nonce", {})).status).toBe(403);
    expect((await c.delete(`/console/wallets/0x${"12".repeat(20)}`)).status).toBe(403);
  });
});
