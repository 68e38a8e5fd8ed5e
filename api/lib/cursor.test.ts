import { describe, expect, it } from "vitest";
import { InvalidRequestError } from "../errors";
import { CursorCodec } from "./cursor";

const codec = new CursorCodec(Buffer.alloc(32, 1));
const filters = { status: "active", owner: null, signer: null };

const TAMPERED = "cursor is not a cursor this API issued (tampered or signed with another secret)";
const OTHER_LIST = "cursor belongs to another list or other filters; start again without a cursor";
const MALFORMED = "cursor is malformed";

function rejects(fn: () => unknown): InvalidRequestError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    const e = error as InvalidRequestError;
    expect(e.details).toEqual([{ path: "query.cursor", message: e.message }]);
    return e;
  }
  throw new Error("expected a rejection");
}

describe("CursorCodec", () => {
  it("round-trips the last key, including uint256-sized values", () => {
    const big = (2n ** 256n - 1n).toString();
    const cursor = codec.encode("events", { tokenId: 7 }, ["12", big]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(codec.decode(cursor, "events", { tokenId: 7 }, 2)).toEqual(["12", big]);
  });

  it("does not depend on the order of filter keys", () => {
    const cursor = codec.encode("licenses", filters, ["5"]);
    expect(codec.decode(cursor, "licenses", { signer: null, owner: null, status: "active" }, 1)).toEqual([
      "5",
    ]);
  });

  it("rejects a cursor with any byte changed", () => {
    const cursor = codec.encode("licenses", filters, ["5"]);
    const bytes = Buffer.from(cursor, "base64url");
    for (let i = 0; i < bytes.length; i++) {
      const copy = Buffer.from(bytes);
      copy[i] = copy[i]! ^ 1;
      expect(rejects(() => codec.decode(copy.toString("base64url"), "licenses", filters, 1)).message).toBe(
        TAMPERED,
      );
    }
  });

  it("rejects a cursor signed with another secret", () => {
    const other = new CursorCodec(Buffer.alloc(32, 2));
    const e = rejects(() => codec.decode(other.encode("licenses", filters, ["5"]), "licenses", filters, 1));
    expect(e.message).toBe(TAMPERED);
  });

  it("rejects a cursor of another list or other filters", () => {
    const cursor = codec.encode("licenses", filters, ["5"]);
    expect(rejects(() => codec.decode(cursor, "vehicles", filters, 1)).message).toBe(OTHER_LIST);
    expect(rejects(() => codec.decode(cursor, "licenses", { ...filters, status: "all" }, 1)).message).toBe(
      OTHER_LIST,
    );
  });

  it("rejects malformed input without throwing anything else", () => {
    for (const bad of ["", "!!!", "a", "a".repeat(600), "abc.def"]) {
      expect(rejects(() => codec.decode(bad, "licenses", filters, 1)).message, bad).toBe(MALFORMED);
    }
    // Well-formed base64url of the right length, but no tag of ours.
    const unsigned = Buffer.alloc(40).toString("base64url");
    expect(rejects(() => codec.decode(unsigned, "licenses", filters, 1)).message).toBe(TAMPERED);
  });

  it("rejects a signed cursor whose key has the wrong shape", () => {
    for (const key of [["5", "6"], ["-5"]]) {
      const cursor = codec.encode("licenses", filters, key);
      expect(rejects(() => codec.decode(cursor, "licenses", filters, 1)).message).toBe(MALFORMED);
    }
  });
});
