import type { Context } from "hono";
import type { z } from "zod";
import { InvalidRequestError, type IssueDetail } from "../errors";

/**
 * Parameters as DIMO's SDKs send them: in the query string, a form body (urlencoded or multipart)
 * or a JSON object body; body fields win over query fields of the same name.
 */
export async function readParams(c: Context): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = { ...c.req.query() };
  const type = (c.req.header("content-type") ?? "").toLowerCase();
  if (type.startsWith("application/json")) {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new InvalidRequestError("body is not valid JSON");
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new InvalidRequestError("body must be a JSON object");
    }
    Object.assign(params, body);
  } else if (type.startsWith("application/x-www-form-urlencoded")) {
    // What the SDKs send: parsed as URLSearchParams (the last value of a repeated field wins),
    // without building a FormData.
    for (const [key, value] of new URLSearchParams(await c.req.text())) params[key] = value;
  } else if (type.startsWith("multipart/form-data")) {
    let form: Record<string, unknown>;
    try {
      form = await c.req.parseBody();
    } catch {
      // undici's FormData parser throws a TypeError on a malformed multipart body: the client's fault.
      throw new InvalidRequestError("body is not a valid form (urlencoded or multipart)");
    }
    Object.assign(params, form);
  }
  return params;
}

/** A JSON object body, or a 400 saying what is wrong with it. */
export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new InvalidRequestError("body must be a JSON object (Content-Type: application/json)");
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new InvalidRequestError("body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

/** Parses with zod; a failure is a 400 naming every bad field (first one in the message). */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details: IssueDetail[] = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));
  const first = details[0]!;
  throw new InvalidRequestError(
    first.path === "(body)" ? first.message : `${first.path}: ${first.message}`,
    details,
  );
}
