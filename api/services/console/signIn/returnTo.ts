import { InvalidRequestError } from "../../../errors";

const MAX_LENGTH = 2_048;

/**
 * Where to send the browser after a provider sign-in: a path on PUBLIC_URL (kept relative), or an
 * absolute URL on PUBLIC_URL's origin or a CORS origin (a console front end elsewhere). Anything
 * else is refused up front, before the provider is involved: no open redirect.
 */
export function safeReturnTo(raw: string | undefined, publicUrl: string, allowedOrigins: string[]): string {
  if (raw === undefined || raw === "") return "/";
  const refuse = () =>
    new InvalidRequestError(
      "query.returnTo: must be a path on this console (like /app) or a URL on one of its allowed origins",
      [{ path: "query.returnTo", message: "must be a same-origin path or an allowed origin's URL" }],
    );
  // Browsers read "\" as "/" ("/\evil.com" is "//evil.com") and drop tabs and newlines.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (raw.length > MAX_LENGTH || /[\\\u0000-\u001f\u007f]/.test(raw)) throw refuse();
  const own = new URL(publicUrl).origin;
  if (raw.startsWith("/")) {
    if (raw.startsWith("//")) throw refuse();
    const url = new URL(raw, own);
    if (url.origin !== own) throw refuse();
    return `${url.pathname}${url.search}${url.hash}`;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse();
  }
  if (url.username || url.password) throw refuse();
  if (url.origin !== own && !allowedOrigins.includes(url.origin)) throw refuse();
  return url.href;
}
