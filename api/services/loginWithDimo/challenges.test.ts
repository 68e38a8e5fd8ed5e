import { describe, expect, it } from "vitest";
import { newSiweNonce, newWeb3State, parseSiweNonce, parseWeb3State } from "./challenges";
import { dexSubject, userIdOfDexSubject } from "./claims";
import { challengeMessage, requesterHost } from "./messages";

const t = { issuedAt: new Date("2026-01-02T03:04:05.678Z"), expiresAt: new Date("2026-01-02T03:09:05.678Z") };

describe("challenge keys", () => {
  it("web3 state carries the times and the SIWE nonce, and nothing else", () => {
    const { state, nonce } = newWeb3State(t);
    expect(state).toMatch(/^[A-Za-z0-9_-]{38}$/);
    expect(nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(parseWeb3State(state)).toEqual({ nonce, ...t });
    expect(newWeb3State(t).state).not.toBe(state);
    for (const bad of ["", "x".repeat(37), `${state}=`, state.replace(/^./, "*")])
      expect(parseWeb3State(bad)).toBeNull();
  });

  it("the JSON-flow nonce carries the times and the address, alphanumeric as SIWE wants", () => {
    const address = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    const nonce = newSiweNonce(address, t);
    expect(nonce).toMatch(/^[0-9a-f]{96}$/);
    expect(parseSiweNonce(nonce)).toEqual({ address, ...t });
    expect(parseSiweNonce(nonce.toUpperCase())).toBeNull();
    expect(parseSiweNonce(nonce.slice(2))).toBeNull();
  });
});

describe("challenge message", () => {
  it("is the EIP-4361 text Dex builds, with the requester's host in the statement", () => {
    const message = challengeMessage({
      issuer: "https://auth.example.org",
      address: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
      chainId: 137,
      nonce: "abcdef0123456789",
      ...t,
      requester: "https://app.example/cb?x=1",
    });
    expect(message).toBe(
      [
        "auth.example.org wants you to sign in with your Ethereum account:",
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        "",
        "app.example is asking you sign in.",
        "",
        "URI: https://auth.example.org",
        "Version: 1",
        "Chain ID: 137",
        "Nonce: abcdef0123456789",
        "Issued At: 2026-01-02T03:04:05.678Z",
        "Expiration Time: 2026-01-02T03:09:05.678Z",
      ].join("\n"),
    );
  });

  it("shows a redirect URI that is no URL as text, on one line", () => {
    expect(requesterHost("myapp://callback")).toBe("callback");
    expect(requesterHost("urn:example:cb")).toBe("urn:example:cb");
    expect(requesterHost("not a url\nsecond line")).toBe("not a url second line");
    expect(requesterHost("http://localhost:3000/cb")).toBe("localhost:3000");
  });
});

describe("Dex subject", () => {
  it("round-trips the checksummed clientId", () => {
    const sub = dexSubject("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    expect(sub).not.toContain("=");
    expect(userIdOfDexSubject(sub)).toBe("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    expect(Buffer.from(sub, "base64url").toString("latin1")).toContain("web3");
    expect(userIdOfDexSubject("bm9wZQ")).toBeNull();
  });
});
