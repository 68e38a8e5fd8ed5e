import fs from "node:fs";
import path from "node:path";
import { MAILBOX_DIR } from "../../api/services/console/mailer";

// A scripted console user over real HTTP, as a browser would be one: cookies kept per name, the
// CSRF token sent with writes, sign-in codes read from the dev mailbox in DATA_DIR. The bench and
// the end-to-end tests drive the console with it.

/** The newest code mailed to `email` in a DATA_DIR's dev mailbox (waits briefly for the file). */
export async function codeFromMailbox(dataDir: string, email: string): Promise<string> {
  const dir = path.join(dataDir, MAILBOX_DIR);
  const to = email.trim().toLowerCase();
  for (let i = 0; i < 50; i++) {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).sort().reverse() : [];
    for (const f of files) {
      const eml = fs.readFileSync(path.join(dir, f), "utf8");
      if (!new RegExp(`^To: ${to.replace(/[.+]/g, "\\$&")}$`, "mi").test(eml)) continue;
      const m = /^Subject: (\d{6}) is your/m.exec(eml);
      if (m) return m[1]!;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no code mailed to ${email} in ${dir}`);
}

/** A browser-like client: keeps cookies per name, sends the CSRF token it was given. */
export class Client {
  cookies = new Map<string, string>();
  csrf: string | null = null;
  constructor(
    public base: string,
    readonly headers: Record<string, string> = {},
  ) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { ...this.headers, ...headers };
    if (this.cookies.size > 0) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (body !== undefined) h["content-type"] = "application/json";
    if (this.csrf && method !== "GET" && !("x-csrf-token" in headers)) h["x-csrf-token"] = this.csrf;
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: h,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back.
    const json: any = text ? JSON.parse(text) : null;
    return { status: res.status, body: json, res };
  }

  get = (path: string, headers?: Record<string, string>) => this.request("GET", path, undefined, headers);
  post = (path: string, body?: unknown, headers?: Record<string, string>) =>
    this.request("POST", path, body, headers);
  delete = (path: string, headers?: Record<string, string>) =>
    this.request("DELETE", path, undefined, headers);

  /** Email sign-in end to end: request a code, read it from the dev mailbox, verify. */
  async signIn(email: string, dataDir: string) {
    const started = await this.post("/console/auth/email/start", { email });
    if (started.status !== 202) throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
    const code = await codeFromMailbox(dataDir, email);
    const verified = await this.post("/console/auth/email/verify", { email, code });
    if (verified.status !== 200)
      throw new Error(`verify: ${verified.status} ${JSON.stringify(verified.body)}`);
    this.csrf = verified.body.csrfToken;
    return verified.body as {
      id: string;
      email: string;
      csrfToken: string;
      wallets: { address: string; kind: string }[];
    };
  }
}
