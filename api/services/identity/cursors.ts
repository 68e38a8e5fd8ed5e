// identity-api's cursors, byte for byte, so a cursor a client kept from identity-api still pages
// here (and ours there). Two encodings, both standard base64 with padding:
//   - licenses and vehicles: the decimal token id (`internal/helpers/helpers.go`, IDToCursor);
//   - signers, redirect URIs, SACDs and privileges: a MessagePack array of the sort key
//     (`internal/helpers/pagination_helper.go`, Go structs encoded as arrays by vmihailenco/msgpack):
//     times as the MessagePack timestamp extension (-1), addresses as 20-byte `bin`, ints compact.
// Only this fixed shape is needed, so the few MessagePack forms are written here rather than
// pulling in a general library; decoding accepts every form vmihailenco writes for these types.

/** Why a cursor cannot be read; the resolvers turn it into a GraphQL error. */
export class CursorError extends Error {
  override name = "CursorError";
}

export type CursorPart =
  | { time: bigint } // unix seconds (chain times are whole seconds)
  | { bytes: string } // lowercase 0x hex (addresses)
  | { str: string }
  | { int: bigint };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function fromBase64(cursor: string): Buffer {
  // Go's base64.StdEncoding is strict: padding required, no whitespace, no URL alphabet.
  if (!BASE64.test(cursor)) throw new CursorError("invalid cursor: not standard base64");
  return Buffer.from(cursor, "base64");
}

/** `base64(decimal id)`: identity-api's license and vehicle cursors. */
export function idCursor(id: number | bigint | string): string {
  return Buffer.from(String(id)).toString("base64");
}

/** The id of a license or vehicle cursor, as decimal text (strconv.Atoi rules: optional sign). */
export function decodeIdCursor(cursor: string): string {
  const text = fromBase64(cursor).toString("latin1");
  if (!/^[+-]?\d{1,19}$/.test(text)) throw new CursorError("invalid cursor: not a token id");
  return BigInt(text).toString();
}

function encodeUint(n: bigint): Buffer {
  if (n < 0n) throw new RangeError("negative");
  if (n < 128n) return Buffer.from([Number(n)]);
  if (n < 256n) return Buffer.from([0xcc, Number(n)]);
  if (n < 65_536n) {
    const b = Buffer.alloc(3);
    b[0] = 0xcd;
    b.writeUInt16BE(Number(n), 1);
    return b;
  }
  if (n < 4_294_967_296n) {
    const b = Buffer.alloc(5);
    b[0] = 0xce;
    b.writeUInt32BE(Number(n), 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = 0xcf;
  b.writeBigUInt64BE(n, 1);
  return b;
}

function encodePart(part: CursorPart): Buffer {
  if ("time" in part) {
    // Timestamp extension: 32-bit seconds when they fit and nanoseconds are 0 (always, on chain).
    if (part.time >= 0n && part.time < 4_294_967_296n) {
      const b = Buffer.alloc(6);
      b[0] = 0xd6;
      b[1] = 0xff;
      b.writeUInt32BE(Number(part.time), 2);
      return b;
    }
    const b = Buffer.alloc(15);
    b[0] = 0xc7;
    b[1] = 12;
    b[2] = 0xff;
    b.writeUInt32BE(0, 3);
    b.writeBigInt64BE(part.time, 7);
    return b;
  }
  if ("bytes" in part) {
    const raw = Buffer.from(part.bytes.slice(2), "hex");
    return Buffer.concat([Buffer.from([0xc4, raw.length]), raw]);
  }
  if ("str" in part) {
    const raw = Buffer.from(part.str, "utf8");
    const n = raw.length;
    const head =
      n < 32
        ? Buffer.from([0xa0 | n])
        : n < 256
          ? Buffer.from([0xd9, n])
          : n < 65_536
            ? Buffer.from([0xda, n >> 8, n & 255])
            : Buffer.from([0xdb, (n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255]);
    return Buffer.concat([head, raw]);
  }
  return encodeUint(part.int);
}

/** `base64(msgpack([...parts]))`, as identity-api's PaginationHelper.EncodeCursor writes it. */
export function packCursor(parts: CursorPart[]): string {
  if (parts.length > 15) throw new RangeError("too many parts");
  return Buffer.concat([Buffer.from([0x90 | parts.length]), ...parts.map(encodePart)]).toString("base64");
}

type Decoded = { time: bigint } | { bytes: Buffer } | { str: string } | { int: bigint } | { nil: true };

/** Reads the forms vmihailenco/msgpack writes for time.Time, []byte, [20]byte, string and int. */
function readValue(buf: Buffer, at: number): [Decoded, number] {
  const need = (n: number) => {
    if (at + n > buf.length) throw new CursorError("invalid cursor: truncated");
  };
  need(1);
  const tag = buf[at]!;
  at++;
  if (tag <= 0x7f) return [{ int: BigInt(tag) }, at];
  if (tag >= 0xe0) return [{ int: BigInt(tag - 256) }, at];
  if (tag === 0xc0) return [{ nil: true }, at];
  const length = (size: 1 | 2 | 4): number => {
    need(size);
    const n = size === 1 ? buf[at]! : size === 2 ? buf.readUInt16BE(at) : buf.readUInt32BE(at);
    at += size;
    return n;
  };
  const strSize = { 217: 1, 218: 2, 219: 4 } as const;
  const binSize = { 196: 1, 197: 2, 198: 4 } as const;
  if ((tag & 0xe0) === 0xa0 || tag in strSize) {
    const n = (tag & 0xe0) === 0xa0 ? tag & 0x1f : length(strSize[tag as keyof typeof strSize]);
    need(n);
    return [{ str: buf.toString("utf8", at, at + n) }, at + n];
  }
  if (tag in binSize) {
    const n = length(binSize[tag as keyof typeof binSize]);
    need(n);
    return [{ bytes: buf.subarray(at, at + n) }, at + n];
  }
  switch (tag) {
    case 0xcc:
      need(1);
      return [{ int: BigInt(buf.readUInt8(at)) }, at + 1];
    case 0xcd:
      need(2);
      return [{ int: BigInt(buf.readUInt16BE(at)) }, at + 2];
    case 0xce:
      need(4);
      return [{ int: BigInt(buf.readUInt32BE(at)) }, at + 4];
    case 0xcf:
      need(8);
      return [{ int: buf.readBigUInt64BE(at) }, at + 8];
    case 0xd0:
      need(1);
      return [{ int: BigInt(buf.readInt8(at)) }, at + 1];
    case 0xd1:
      need(2);
      return [{ int: BigInt(buf.readInt16BE(at)) }, at + 2];
    case 0xd2:
      need(4);
      return [{ int: BigInt(buf.readInt32BE(at)) }, at + 4];
    case 0xd3:
      need(8);
      return [{ int: buf.readBigInt64BE(at) }, at + 8];
    case 0xd6: // fixext4: timestamp 32 (seconds)
      need(5);
      if (buf[at] !== 0xff) break;
      return [{ time: BigInt(buf.readUInt32BE(at + 1)) }, at + 5];
    case 0xd7: {
      // fixext8: timestamp 64 (30-bit nanoseconds, 34-bit seconds)
      need(9);
      if (buf[at] !== 0xff) break;
      const data = buf.readBigUInt64BE(at + 1);
      return [{ time: data & 0x3_ffff_ffffn }, at + 9];
    }
    case 0xc7: // ext8 of 12 bytes: timestamp 96 (nanoseconds, signed 64-bit seconds)
      need(14);
      if (buf[at] !== 12 || buf[at + 1] !== 0xff) break;
      return [{ time: buf.readBigInt64BE(at + 6) }, at + 14];
  }
  throw new CursorError("invalid cursor: unexpected value");
}

export type CursorShape = ("time" | "bytes" | "str" | "int")[];

/** The parts of a MessagePack cursor, checked against the shape its list writes. */
export function unpackCursor(cursor: string, shape: CursorShape): CursorPart[] {
  const buf = fromBase64(cursor);
  if (buf.length === 0) throw new CursorError("invalid cursor: empty");
  const head = buf[0]!;
  // Go's encoder writes a fixarray for these few fields; nothing longer is a cursor of ours.
  if ((head & 0xf0) !== 0x90) throw new CursorError("invalid cursor: not an array");
  const n = head & 0x0f;
  let at = 1;
  if (n !== shape.length) throw new CursorError("invalid cursor: wrong number of fields");
  const out: CursorPart[] = [];
  for (const kind of shape) {
    const [value, next] = readValue(buf, at);
    at = next;
    if (kind === "time" && "time" in value) out.push({ time: value.time });
    else if (kind === "bytes" && "bytes" in value) out.push({ bytes: `0x${value.bytes.toString("hex")}` });
    else if (kind === "bytes" && "nil" in value) out.push({ bytes: "0x" });
    else if (kind === "str" && "str" in value) out.push({ str: value.str });
    else if (kind === "int" && "int" in value) out.push({ int: value.int });
    else throw new CursorError(`invalid cursor: expected ${kind}`);
  }
  if (at !== buf.length) throw new CursorError("invalid cursor: trailing bytes");
  return out;
}
