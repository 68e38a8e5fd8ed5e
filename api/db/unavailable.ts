import pg from "pg";

// SQLSTATE classes and codes that mean "cannot answer now" rather than "bug": connection
// failures (08), operator intervention (57: admin shutdown, crash shutdown, cannot connect now,
// statement timeout = query_canceled 57014), insufficient resources (53), and the views schema
// not existing yet while the indexer backfills (42P01 undefined_table, 3F000 invalid_schema_name).
const UNAVAILABLE_CODES = new Set(["42P01", "3F000", "3D000"]);
const UNAVAILABLE_CLASSES = ["08", "53", "57"];
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
]);
const DRIVER_MESSAGES = [
  "timeout exceeded when trying to connect",
  "Connection terminated",
  "Query read timeout",
  "Client has encountered a connection error",
  "Cannot use a pool after calling end",
  "Client was closed",
];

export type UnavailableReason = "views_missing" | "database";

/**
 * Whether a database error means the data cannot be served right now (→ 503 `unavailable`), and
 * why; null for anything else (→ 500: a bug to fix, not to hide).
 */
export function unavailableReason(error: unknown): UnavailableReason | null {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const err = e as { code?: unknown; message?: unknown };
    const code = typeof err.code === "string" ? err.code : "";
    if (e instanceof pg.DatabaseError) {
      if (code === "42P01" || code === "3F000") return "views_missing";
      if (UNAVAILABLE_CODES.has(code) || UNAVAILABLE_CLASSES.includes(code.slice(0, 2))) return "database";
    }
    if (NETWORK_CODES.has(code)) return "database";
    if (typeof err.message === "string" && DRIVER_MESSAGES.some((m) => (err.message as string).includes(m))) {
      return "database";
    }
    if (e instanceof AggregateError && e.errors.some((inner) => unavailableReason(inner) !== null)) {
      return "database";
    }
  }
  return null;
}
