/**
 * A minimal browser for HTTP-level sign-in tests: a cookie jar per host:port (paths and expiry
 * beyond deletion ignored — every test uses a fresh one) and manual redirects, so each hop can be
 * inspected or tampered with.
 */
export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  cookie(url: string, name: string): string | undefined {
    return this.jar.get(new URL(url).host)?.get(name);
  }

  /** Forgets every cookie of a site (signing out of the provider, say). */
  clearCookies(url: string) {
    this.jar.delete(new URL(url).host);
  }

  setCookie(url: string, name: string, value: string) {
    const host = new URL(url).host;
    if (!this.jar.has(host)) this.jar.set(host, new Map());
    this.jar.get(host)!.set(name, value);
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const host = new URL(url).host;
    const cookies = [...(this.jar.get(host) ?? new Map<string, string>())]
      .map(([k, v]) => `${k}=${v}`)
      .join("; ");
    const headers = new Headers(init.headers);
    if (cookies) headers.set("cookie", cookies);
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "";
      if (!this.jar.has(host)) this.jar.set(host, new Map());
      if (gone) this.jar.get(host)!.delete(name);
      else this.jar.get(host)!.set(name, value);
    }
    return res;
  }

  get(url: string, headers: Record<string, string> = {}) {
    return this.fetch(url, { headers });
  }

  post(url: string, body: unknown, headers: Record<string, string> = {}) {
    return this.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  }

  /** POSTs an HTML form's fields (what a browser does with an auto-submitting form_post page). */
  postForm(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return this.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields),
    });
  }

  /** Follows redirects from `url` until `stop(location)` says a hop is ours to handle; returns that URL. */
  async followUntil(url: string, stop: (location: string) => boolean, max = 10): Promise<string | Response> {
    let next = url;
    for (let i = 0; i < max; i++) {
      const res = await this.get(next);
      const location = res.headers.get("location");
      if (!location) return res;
      next = new URL(location, next).href;
      if (stop(next)) return next;
    }
    throw new Error(`more than ${max} redirects from ${url}`);
  }
}

/** The fields and action of the first <form> of an HTML page (oidc-provider's form_post page). */
export function parseForm(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]+)"/i.exec(html)?.[1];
  if (!action) throw new Error(`no form in ${html.slice(0, 200)}`);
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/gi)) {
    fields[m[1]!] = decodeHtml(m[2]!);
  }
  return { action: decodeHtml(action), fields };
}

const decodeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&#x2F;/g, "/")
    .replace(/&amp;/g, "&");
