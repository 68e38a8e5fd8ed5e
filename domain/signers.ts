// Signer (API key) expiry, the DevLicenseDimo rule the public API, the console and Login with DIMO
// all apply: a signer stays valid for the contract's *latest* periodValidity after its latest
// SignerEnabled (re-enabling renews it; a later UpdatePeriodValidity moves every expiry at once).
// The indexer stores both inputs (license_signer.enabled_at, license_contract.period_validity);
// expiry is computed at read time against the wall clock, never stored.

/** Seconds a signer stays valid when no UpdatePeriodValidity was seen: the contract's initial 365 days. */
export const DEFAULT_PERIOD_VALIDITY = 31_536_000n;

/** Unix seconds at which a signer enabled at `enabledAt` expires; null periodValidity = the default. */
export function signerExpiresAt(enabledAt: bigint | string, periodValidity: bigint | string | null): bigint {
  return BigInt(enabledAt) + (periodValidity === null ? DEFAULT_PERIOD_VALIDITY : BigInt(periodValidity));
}

/** Expired once its expiry time is reached (`now` in unix seconds). */
export function signerExpired(expiresAt: bigint, now: bigint): boolean {
  return expiresAt <= now;
}

/** Unexpired but expiring within `warningSeconds`: the console's "expires soon" warning. */
export function signerExpiresSoon(expiresAt: bigint, now: bigint, warningSeconds: bigint): boolean {
  return !signerExpired(expiresAt, now) && expiresAt - now <= warningSeconds;
}
