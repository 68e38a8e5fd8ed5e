/**
 * The API's error hierarchy: each class fixes the error code and HTTP status (docs/public-api.md, "Errors"), so a route only
 * throws and `app.onError` (api/http/errors.ts) maps every error to the envelope in one place.
 */
export const ERROR_CODES = [
  "invalid_request",
  "unauthenticated",
  "forbidden",
  "not_found",
  "conflict",
  "rate_limited",
  "unavailable",
  "internal",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export type IssueDetail = { path: string; message: string };

export abstract class ApiError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 503;
  constructor(
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class InvalidRequestError extends ApiError {
  override name = "InvalidRequestError";
  readonly code = "invalid_request";
  readonly status = 400;
  constructor(message: string, details?: IssueDetail[]) {
    super(message, details);
  }
}

/** A request body over its route's limit: refused (413) before it is read into memory. */
export class PayloadTooLargeError extends ApiError {
  override name = "PayloadTooLargeError";
  readonly code = "invalid_request";
  readonly status = 413;
  constructor(maxBytes: number) {
    super(`Request body too large (${maxBytes / 1024} KiB at most)`, { maxBytes });
  }
}

export class UnauthenticatedError extends ApiError {
  override name = "UnauthenticatedError";
  readonly code = "unauthenticated";
  readonly status = 401;
}

export class ForbiddenError extends ApiError {
  override name = "ForbiddenError";
  readonly code = "forbidden";
  readonly status = 403;
}

export class NotFoundError extends ApiError {
  override name = "NotFoundError";
  readonly code = "not_found";
  readonly status = 404;
}

export class ConflictError extends ApiError {
  override name = "ConflictError";
  readonly code = "conflict";
  readonly status = 409;
}

export class RateLimitedError extends ApiError {
  override name = "RateLimitedError";
  readonly code = "rate_limited";
  readonly status = 429;
  /** When known, the error mapping sends it as `Retry-After` (and in `details`). */
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message, retryAfterSeconds === undefined ? undefined : { retryAfterSeconds });
  }
}

/** Something the API depends on (database, indexed views, chain RPC) cannot answer right now. */
export class UnavailableError extends ApiError {
  override name = "UnavailableError";
  readonly code = "unavailable";
  readonly status = 503;
}
