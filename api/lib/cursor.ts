import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { InvalidRequestError } from "../errors";

const VERSION = 1;
const TAG_BYTES = 16;
const MAX_CURSOR_CHARS = 512;

export type CursorFilters = Record<string, string | number | boolean | null>;

/**
 * Opaque keyset cursors: base64url(JSON [version, kind, filtersHash, lastKey] ‖ HMAC-SHA256 tag).
 * The tag makes them tamper-proof; kind and filtersHash make a cursor of one list (or of the same
 * list under other filters) a 400 instead of a silently wrong page. Keys are decimal strings so
 * uint256 values survive the round trip.
 */
export class CursorCodec {
  constructor(private readonly key: Buffer) {}

  encode(kind: string, filters: CursorFilters, last: readonly string[]): string {
    const payload = Buffer.from(JSON.stringify([VERSION, kind, filtersHash(filters), last]), "utf8");
    return Buffer.concat([payload, this.tag(payload)]).toString("base64url");
  }

  /** The last key of the previous page; throws a 400 naming `cursor` for anything else. */
  decode(cursor: string, kind: string, filters: CursorFilters, arity: number): string[] {
    if (cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid("is malformed");
    const bytes = Buffer.from(cursor, "base64url");
    if (bytes.length <= TAG_BYTES) throw invalid("is malformed");
    const payload = bytes.subarray(0, bytes.length - TAG_BYTES);
    if (!timingSafeEqual(bytes.subarray(bytes.length - TAG_BYTES), this.tag(payload))) {
      throw invalid("is not a cursor this API issued (tampered or signed with another secret)");
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString("utf8"));
    } catch {
      throw invalid("is malformed");
    }
    if (!Array.isArray(parsed) || parsed[0] !== VERSION) throw invalid("is from an older version of the API");
    if (parsed[1] !== kind || parsed[2] !== filtersHash(filters)) {
      throw invalid("belongs to another list or other filters; start again without a cursor");
    }
    const last = parsed[3];
    if (
      !Array.isArray(last) ||
      last.length !== arity ||
      !last.every((k) => typeof k === "string" && /^\d{1,80}$/.test(k))
    ) {
      throw invalid("is malformed");
    }
    return last as string[];
  }

  private tag(payload: Buffer): Buffer {
    return createHmac("sha256", this.key).update(payload).digest().subarray(0, TAG_BYTES);
  }
}

function filtersHash(filters: CursorFilters): string {
  const canonical = JSON.stringify(
    Object.keys(filters)
      .sort()
      .map((k) => [k, filters[k] ?? null]),
  );
  return createHash("sha256").update(canonical).digest("base64url").slice(0, 16);
}

function invalid(why: string): InvalidRequestError {
  return new InvalidRequestError(`cursor ${why}`, [{ path: "query.cursor", message: `cursor ${why}` }]);
}
