import type { GithubConfig } from "../../../../config/signIn";
import { ForbiddenError, UnavailableError } from "../../../errors";
import type { ProviderProfile } from "./profile";

const TIMEOUT_MS = 10_000;
/** GitHub refuses API calls without a User-Agent. */
const HEADERS = {
  Accept: "application/vnd.github+json",
  "X-GitHub-Api-Version": "2022-11-28",
  "User-Agent": "dimo-console-backend",
};

type GithubUser = { id?: unknown };
type GithubEmail = { email?: unknown; primary?: unknown; verified?: unknown };

async function getJson(cfg: GithubConfig, path: string, accessToken: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${cfg.apiUrl}${path}`, {
      headers: { ...HEADERS, Authorization: `Bearer ${accessToken}` },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (cause) {
    throw new UnavailableError(`GitHub did not answer ${path}; try signing in again shortly`, undefined, {
      cause,
    });
  }
  if (!res.ok) {
    // 401/403 here mean the token lacks the scope we asked for, or GitHub throttles us.
    throw new UnavailableError(`GitHub answered ${res.status} to ${path}; try signing in again shortly`);
  }
  return res.json();
}

/**
 * GitHub is plain OAuth 2 (no ID token): the subject is the numeric user id (stable across
 * renames), the email the primary one from /user/emails, and only when GitHub marks it verified.
 */
export async function githubProfile(cfg: GithubConfig, accessToken: string): Promise<ProviderProfile> {
  const user = (await getJson(cfg, "/user", accessToken)) as GithubUser;
  if (typeof user?.id !== "number" && typeof user?.id !== "string") {
    throw new UnavailableError("GitHub's /user answer has no user id; try signing in again shortly");
  }
  const emails = await getJson(cfg, "/user/emails", accessToken);
  const list = Array.isArray(emails) ? (emails as GithubEmail[]) : [];
  const primary = list.find((e) => e?.primary === true && typeof e.email === "string");
  if (!primary) {
    throw new ForbiddenError(
      "Your GitHub account shares no primary email with the console; add one at https://github.com/settings/emails and try again",
      { reason: "email_missing" },
    );
  }
  return {
    subject: String(user.id),
    email: primary.email as string,
    emailVerified: primary.verified === true,
  };
}
