/** Longest redirect URI the console accepts (the on-chain string costs gas per byte). */
export const MAX_REDIRECT_URI_LENGTH = 1024;

export type RedirectUriCheck = { ok: true; uri: string; warnings: string[] } | { ok: false; message: string };

/**
 * A redirect URI as Login with DIMO will match it: byte for byte. It must be an absolute http(s)
 * URL (localhost and bare hosts allowed, as on DIMO's console), without a fragment (OAuth forbids
 * one) and without whitespace or control characters. It is kept EXACTLY as given; when the WHATWG
 * parser would write it differently (a trailing slash, an upper-case host, a default port), the
 * caller gets a warning, because the exact-match surprise is the complaint this prevents.
 */
export function checkRedirectUri(uri: string): RedirectUriCheck {
  if (uri.length === 0) return { ok: false, message: "uri is required" };
  if (uri.length > MAX_REDIRECT_URI_LENGTH) {
    return { ok: false, message: `uri is too long (${MAX_REDIRECT_URI_LENGTH} characters at most)` };
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
  if (/[\s\u0000-\u001f\u007f]/.test(uri)) {
    return { ok: false, message: "uri must not contain spaces or control characters" };
  }
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return { ok: false, message: "uri must be an absolute URL such as https://app.example/callback" };
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return { ok: false, message: "uri must use http or https" };
  }
  if (!/^https?:\/\//i.test(uri) || parsed.hostname === "") {
    return { ok: false, message: "uri must name a host, as in https://app.example/callback" };
  }
  if (parsed.hash !== "" || uri.includes("#")) {
    return { ok: false, message: "uri must not contain a fragment (#…)" };
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return { ok: false, message: "uri must not contain credentials" };
  }
  const warnings: string[] = [];
  if (parsed.href !== uri) {
    warnings.push(
      `Stored exactly as given. Login with DIMO matches redirect URIs byte for byte, and this one ` +
        `normalizes to ${JSON.stringify(parsed.href)}: apps must send ${JSON.stringify(uri)} exactly.`,
    );
  }
  return { ok: true, uri, warnings };
}

/** Enabled URIs that differ from `uri` only in normalization or a trailing slash: likely mix-ups. */
export function nearMatches(uri: string, enabled: readonly string[]): string[] {
  const key = (u: string) => {
    try {
      return new URL(u).href.replace(/\/+$/, "");
    } catch {
      return u.replace(/\/+$/, "");
    }
  };
  const mine = key(uri);
  return enabled.filter((e) => e !== uri && key(e) === mine);
}
