import type { Logger } from "pino";

/**
 * pino `redact` paths for every logger of the API: the places a secret could end up if someone
 * logs a request, a header bag or a credential object. Error codes (`err.code`) stay readable.
 */
const REDACT_PATHS = [
  "req.headers.cookie",
  "req.headers.authorization",
  'req.headers["x-csrf-token"]',
  "headers.cookie",
  "headers.authorization",
  'headers["x-csrf-token"]',
  'headers["set-cookie"]',
  "cookie",
  "authorization",
  "token",
  "*.token",
  "sessionToken",
  "*.sessionToken",
  "csrfToken",
  "*.csrfToken",
  "emailCode",
  "*.emailCode",
  "privateKey",
  "*.privateKey",
  // A generated API key's answer ({operation, apiKey: {privateKey}}), wherever it is nested.
  "*.*.privateKey",
  "*.*.*.privateKey",
  "walletKey",
  "*.walletKey",
  "password",
  "*.password",
];

/** The logger every part of the app logs through: `logger` with REDACT_PATHS censored. */
export function redactingLogger(logger: Logger): Logger {
  return logger.child({}, { redact: { paths: REDACT_PATHS, censor: "[redacted]" } });
}
