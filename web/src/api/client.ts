import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

// The only way the app talks to the server: the documented HTTP API, same origin, with the session
// cookie and, on writes, the session's CSRF token. Paths, bodies and answers are typed from the
// API's own OpenAPI document (schema.d.ts), so a route change that breaks a page fails `tsc`.

export type Schemas = components["schemas"];
export type Operation = Schemas["Operation"];
export type Me = Schemas["Me"];
export type ApiPath = keyof paths;

let csrfToken: string | null = null;
/** Remembered from GET /console/me and sign-in answers; sent as X-CSRF-Token with every write. */
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (csrfToken && !["GET", "HEAD"].includes(request.method))
      request.headers.set("X-CSRF-Token", csrfToken);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: "same-origin" });
api.use(csrf);

export type IssueDetail = { path: string; message: string };

/** An API refusal: the error envelope's code and message, and the field paths it names. */
export class ApiProblem extends Error {
  override name = "ApiProblem";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** The message for one input (`alias`, `uri`…): a validation issue naming it, else null. */
  about(field: string): string | null {
    const issues = Array.isArray(this.details) ? (this.details as IssueDetail[]) : [];
    const hit = issues.find((i) => typeof i?.path === "string" && i.path.split(".").at(-1) === field);
    return hit ? hit.message : null;
  }
}

type Envelope = { error?: { code?: string; message?: string; details?: unknown } };

/** Throws the error envelope as an ApiProblem; returns the typed answer otherwise. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: Awaited<typeof call>;
  try {
    result = await call;
  } catch {
    throw new ApiProblem(0, "network", "The console could not reach the server. Check that it is running.");
  }
  const { data, error, response } = result;
  if (response.ok) return data as T;
  const e = (error as Envelope | undefined)?.error;
  throw new ApiProblem(
    response.status,
    e?.code ?? "internal",
    e?.message ?? `The server answered ${response.status}`,
    e?.details,
  );
}

/** Words for any error a page can meet. */
export function describe(error: unknown): string {
  if (error instanceof ApiProblem) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The form-encoded calls of Login with DIMO (what DIMO's SDKs send), typed by their documented answers. */
export async function postForm<P extends "/auth/web3/generate_challenge" | "/auth/web3/submit_challenge">(
  path: P,
  fields: Record<string, string>,
): Promise<paths[P]["post"]["responses"][200]["content"]["application/json"]> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    });
  } catch {
    throw new ApiProblem(0, "network", "The console could not reach the server.");
  }
  const body = (await res.json().catch(() => ({}))) as Envelope;
  if (!res.ok) {
    const e = body.error;
    throw new ApiProblem(res.status, e?.code ?? "internal", e?.message ?? `HTTP ${res.status}`, e?.details);
  }
  return body as never;
}
