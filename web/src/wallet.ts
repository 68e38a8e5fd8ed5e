import type { Operation } from "./api/client";

// The browser wallet (EIP-1193 `window.ethereum`, e.g. MetaMask): linking it by SIWE and sending
// the transactions the API prepares for licenses it owns. Nothing here holds a key.

type Eip1193 = { request(args: { method: string; params?: unknown[] }): Promise<unknown> };

const provider = (): Eip1193 | null => (window as unknown as { ethereum?: Eip1193 }).ethereum ?? null;

export const walletAvailable = () => provider() !== null;

function need(): Eip1193 {
  const p = provider();
  if (!p) throw new Error("No browser wallet found: install one (it provides window.ethereum) and reload");
  return p;
}

/** Asks the wallet for its account (it may prompt the person). */
export async function requestAccount(): Promise<`0x${string}`> {
  const accounts = (await need().request({ method: "eth_requestAccounts" })) as string[];
  const first = accounts[0];
  if (!first) throw new Error("The wallet shared no account");
  return first as `0x${string}`;
}

const utf8Hex = (text: string) =>
  `0x${Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("")}`;

/** EIP-191 personal_sign of a text message by `address`. */
export async function personalSign(message: string, address: string): Promise<`0x${string}`> {
  return (await need().request({
    method: "personal_sign",
    params: [utf8Hex(message), address],
  })) as `0x${string}`;
}

/** Sends exactly the prepared transaction from the operation's wallet; returns its hash. */
export async function sendPrepared(op: Operation): Promise<`0x${string}`> {
  const p = need();
  const chainId = (await p.request({ method: "eth_chainId" })) as string;
  if (Number(chainId) !== op.transaction.chainId) {
    throw new Error(
      `Your wallet is on chain ${Number(chainId)}; switch it to chain ${op.transaction.chainId} and try again`,
    );
  }
  return (await p.request({
    method: "eth_sendTransaction",
    params: [
      {
        from: op.wallet.address,
        to: op.transaction.to,
        data: op.transaction.data,
        value: `0x${BigInt(op.transaction.value).toString(16)}`,
      },
    ],
  })) as `0x${string}`;
}
