/** The last instant an ISO-8601 year of four digits can show: 9999-12-31T23:59:59Z. */
export const MAX_ISO_SECONDS = 253_402_300_799n;
const MAX_ISO = "9999-12-31T23:59:59.000Z";

/**
 * Unix seconds (as Postgres numeric text, bigint or number) → ISO-8601 UTC. Chain times can be any
 * uint256 (an "expires never" grant is 2^256-1), which Date cannot show: those clamp to the last
 * representable second rather than failing.
 */
export function isoFromSeconds(seconds: string | bigint | number): string {
  const s = typeof seconds === "bigint" ? seconds : BigInt(seconds);
  if (s >= MAX_ISO_SECONDS) return MAX_ISO;
  if (s < 0n) return new Date(0).toISOString();
  return new Date(Number(s) * 1000).toISOString();
}

export function isoFromSecondsOrNull(seconds: string | bigint | number | null): string | null {
  return seconds === null ? null : isoFromSeconds(seconds);
}

/** Whole unix seconds of a clock reading; what every "unexpired" comparison uses. */
export function unixSeconds(date: Date): bigint {
  return BigInt(Math.floor(date.getTime() / 1000));
}
