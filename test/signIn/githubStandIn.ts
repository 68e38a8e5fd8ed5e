import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import { freePort } from "../../scripts/runtime/ports";

type GithubEmail = { email: string; primary: boolean; verified: boolean; visibility?: string | null };
export type GithubUser = { id: number; login: string; emails: GithubEmail[] };

export type GithubStandIn = {
  /** http://127.0.0.1:PORT — GITHUB_AUTHORIZE_URL etc. are under it. */
  url: string;
  env: Record<string, string>;
  /** Whoever approves the next authorization. */
  loginAs(user: GithubUser): void;
  /** Token requests received (form fields), newest last. */
  tokenRequests: Record<string, string>[];
  close(): Promise<void>;
};

/**
 * A local stand-in for GitHub's OAuth app endpoints, behaving as GitHub does: the authorize page
 * approves at once as `loginAs`; the token endpoint checks client secret, code (single use),
 * redirect URI and PKCE (S256), answering JSON errors with status 200 as GitHub does; the REST
 * API serves /user and /user/emails for the issued token and refuses calls without User-Agent.
 */
export async function startGithubStandIn(client: {
  clientId: string;
  clientSecret: string;
}): Promise<GithubStandIn> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let current: GithubUser | null = null;
  const codes = new Map<string, { user: GithubUser; challenge: string | null; redirectUri: string }>();
  const tokens = new Map<string, GithubUser>();
  const tokenRequests: Record<string, string>[] = [];

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url ?? "/", url);
    if (req.method === "GET" && u.pathname === "/login/oauth/authorize") {
      const q = u.searchParams;
      if (q.get("client_id") !== client.clientId || !current) return json(res, 404, { error: "not found" });
      const code = randomBytes(10).toString("hex");
      const method = q.get("code_challenge_method");
      codes.set(code, {
        user: current,
        challenge: method === "S256" ? q.get("code_challenge") : null,
        redirectUri: q.get("redirect_uri") ?? "",
      });
      const back = new URL(q.get("redirect_uri")!);
      back.searchParams.set("code", code);
      if (q.get("state")) back.searchParams.set("state", q.get("state")!);
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (req.method === "POST" && u.pathname === "/login/oauth/access_token") {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
      tokenRequests.push(form);
      if (form.client_id !== client.clientId || form.client_secret !== client.clientSecret) {
        return json(res, 200, { error: "incorrect_client_credentials" });
      }
      const grant = codes.get(form.code ?? "");
      codes.delete(form.code ?? "");
      if (!grant || grant.redirectUri !== form.redirect_uri) {
        return json(res, 200, {
          error: "bad_verification_code",
          error_description: "The code passed is incorrect or expired.",
        });
      }
      const verifier = form.code_verifier ?? "";
      const computed = createHash("sha256").update(verifier).digest("base64url");
      if (grant.challenge && computed !== grant.challenge) {
        return json(res, 200, {
          error: "invalid_grant",
          error_description: "The code_verifier does not match.",
        });
      }
      const token = `gho_${randomBytes(16).toString("hex")}`;
      tokens.set(token, grant.user);
      return json(res, 200, { access_token: token, token_type: "bearer", scope: "read:user,user:email" });
    }
    if (req.method === "GET" && (u.pathname === "/api/user" || u.pathname === "/api/user/emails")) {
      if (!req.headers["user-agent"])
        return json(res, 403, { message: "Request forbidden by administrative rules." });
      const user = tokens.get((req.headers.authorization ?? "").replace(/^Bearer /i, ""));
      if (!user) return json(res, 401, { message: "Bad credentials" });
      if (u.pathname === "/api/user") return json(res, 200, { id: user.id, login: user.login, email: null });
      return json(res, 200, user.emails);
    }
    json(res, 404, { message: "Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url,
    env: {
      GITHUB_CLIENT_ID: client.clientId,
      GITHUB_CLIENT_SECRET: client.clientSecret,
      GITHUB_AUTHORIZE_URL: `${url}/login/oauth/authorize`,
      GITHUB_TOKEN_URL: `${url}/login/oauth/access_token`,
      GITHUB_API_URL: `${url}/api`,
    },
    loginAs: (user) => {
      current = user;
    },
    tokenRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
