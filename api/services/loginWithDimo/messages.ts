import { getAddress } from "viem";
import { createSiweMessage } from "viem/siwe";

// The EIP-4361 challenges, shaped like DIMO's Dex fork builds them
// (siwe.InitMessage(issuerHost, address, issuerURL, nonce, {statement})): the issuer's host asks,
// the statement names who is asking, the nonce and times make each message unique and short-lived.

export type ChallengeMessageInput = {
  /** PUBLIC_URL: its host is the SIWE domain, the URL itself the SIWE uri. */
  issuer: string;
  /** The address the client asked to sign in as (the license's clientId). */
  address: string;
  chainId: number;
  nonce: string;
  issuedAt: Date;
  expiresAt: Date;
  /** Who is asking, for the statement: a redirect URI (its host is shown) or null for the issuer. */
  requester: string | null;
};

/** The host shown in the statement: the URI's host, else the text itself without line breaks. */
export function requesterHost(uri: string): string {
  try {
    const host = new URL(uri).host;
    if (host) return host;
  } catch {
    // Not a URL: redirect URIs are free text on chain; show it as given.
  }
  return uri.replace(/[\r\n]+/g, " ").trim() || "An application";
}

export function challengeMessage(input: ChallengeMessageInput): string {
  const issuer = new URL(input.issuer);
  const who = input.requester === null ? issuer.host : requesterHost(input.requester);
  return createSiweMessage({
    domain: issuer.host,
    address: getAddress(input.address),
    statement: `${who} is asking you sign in.`,
    uri: input.issuer,
    version: "1",
    chainId: input.chainId,
    nonce: input.nonce,
    issuedAt: input.issuedAt,
    expirationTime: input.expiresAt,
  });
}
