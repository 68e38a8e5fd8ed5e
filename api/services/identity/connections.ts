import { GraphQLError } from "graphql";
import type { Window } from "../public/context";
import {
  CursorError,
  type CursorPart,
  type CursorShape,
  decodeIdCursor,
  idCursor,
  packCursor,
  unpackCursor,
} from "./cursors";

// identity-api's Relay connections (internal/repositories/*): the argument rules, the pageInfo it
// computes, and windows over keyed lists, for both the token-id lists the services page in SQL and
// the short per-license and per-vehicle lists paged here from the service's complete answer.

/** identity-api's base.MaxPageSize. */
export const MAX_PAGE_SIZE = 100;

export type ConnectionArgs = {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
};

export type PageInfo = {
  startCursor: string | null;
  endCursor: string | null;
  hasPreviousPage: boolean;
  hasNextPage: boolean;
};

export type Connection<T> = {
  totalCount: number;
  edges: { node: T; cursor: string }[];
  nodes: T[];
  pageInfo: PageInfo;
};

/** An error in the client's arguments, in GraphQL's `errors` with a code (identity-api sends none). */
export function inputError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}

/**
 * identity-api's helpers.ValidateFirstLast, with its messages: exactly one of `first`/`last`,
 * neither negative nor over 100. `defaultFirst`: privileges default to 20 when neither is given.
 */
export function pageSize(args: ConnectionArgs, defaultFirst?: number): { limit: number; fromEnd: boolean } {
  const { first, last } = args;
  if (first != null) {
    if (last != null) throw inputError("pass `first` or `last`, but not both");
    if (first < 0) throw inputError("the value for `first` cannot be negative");
    if (first > MAX_PAGE_SIZE)
      throw inputError(`the value ${first} for \`first\` exceeds the limit ${MAX_PAGE_SIZE}`);
    return { limit: first, fromEnd: false };
  }
  if (last == null) {
    if (defaultFirst !== undefined) return { limit: defaultFirst, fromEnd: false };
    throw inputError("provide `first` or `last`");
  }
  if (last < 0) throw inputError("the value for `last` cannot be negative");
  if (last > MAX_PAGE_SIZE)
    throw inputError(`the value ${last} for \`last\` exceeds the limit ${MAX_PAGE_SIZE}`);
  return { limit: last, fromEnd: true };
}

function readCursor<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof CursorError) throw inputError(error.message);
    throw error;
  }
}

/** A token-id list's window (licenses, vehicles): the cursors are base64 decimal ids. */
export function idWindow(args: ConnectionArgs): Window {
  const size = pageSize(args);
  return {
    ...size,
    after: args.after == null ? null : readCursor(() => decodeIdCursor(args.after!)),
    before: args.before == null ? null : readCursor(() => decodeIdCursor(args.before!)),
  };
}

/**
 * The connection identity-api answers for a window: edges and nodes alike, and its pageInfo rule
 * ("we assume that cursors come from real elements": a page after a cursor has a previous page, one
 * before a cursor a next page; a row past the limit means more on the side read from).
 * `bareWhenEmpty`: its SACD lists answer an empty page with an all-empty pageInfo.
 */
export function connection<T>(
  page: { totalCount: number; items: T[]; more: boolean },
  cursorOf: (item: T) => string,
  args: ConnectionArgs,
  fromEnd: boolean,
  bareWhenEmpty = false,
): Connection<T> {
  const edges = page.items.map((node) => ({ node, cursor: cursorOf(node) }));
  if (bareWhenEmpty && edges.length === 0) {
    return {
      totalCount: page.totalCount,
      edges,
      nodes: [],
      pageInfo: { startCursor: null, endCursor: null, hasPreviousPage: false, hasNextPage: false },
    };
  }
  let hasNextPage = args.before != null;
  let hasPreviousPage = args.after != null;
  if (page.more && !fromEnd) hasNextPage = true;
  if (page.more && fromEnd) hasPreviousPage = true;
  return {
    totalCount: page.totalCount,
    edges,
    nodes: page.items,
    pageInfo: {
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
      hasPreviousPage,
      hasNextPage,
    },
  };
}

export const idCursorOf = (item: { tokenId: number } | { vehicleId: number }) =>
  idCursor("tokenId" in item ? item.tokenId : item.vehicleId);

/**
 * Orders sort keys as identity-api's lists do: the leading time descending (newest first), every
 * later part ascending (addresses and text in byte order, ints numerically).
 */
export function compareKeys(a: CursorPart[], b: CursorPart[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    let c = 0;
    if ("time" in x && "time" in y) c = x.time === y.time ? 0 : x.time > y.time ? -1 : 1;
    else if ("int" in x && "int" in y) c = x.int === y.int ? 0 : x.int < y.int ? -1 : 1;
    else if ("bytes" in x && "bytes" in y) c = Buffer.compare(Buffer.from(x.bytes), Buffer.from(y.bytes));
    else if ("str" in x && "str" in y) c = Buffer.compare(Buffer.from(x.str), Buffer.from(y.str));
    if (c !== 0) return c;
  }
  return 0;
}

/** A list keyed like identity-api's MessagePack-cursor lists: how to key an item, the key's shape. */
export type KeyedList<T> = { key: (item: T) => CursorPart[]; shape: CursorShape };

/**
 * A window over a service's complete, short list (a license's signers, a vehicle's grants): sorted
 * by key, after/before applied (a `before` cursor means before: identity-api reads `after` there
 * for signers and redirect URIs), `first` from the start or `last` from the end.
 */
export function keyedConnection<T>(
  all: readonly T[],
  list: KeyedList<T>,
  args: ConnectionArgs,
  opts: { defaultFirst?: number; bareWhenEmpty?: boolean } = {},
): Connection<T> {
  const { limit, fromEnd } = pageSize(args, opts.defaultFirst);
  const after = args.after == null ? null : readCursor(() => unpackCursor(args.after!, list.shape));
  const before = args.before == null ? null : readCursor(() => unpackCursor(args.before!, list.shape));
  const keyed = all.map((item) => ({ item, key: list.key(item) }));
  keyed.sort((a, b) => compareKeys(a.key, b.key));
  const inRange = keyed.filter(
    (k) =>
      (after === null || compareKeys(k.key, after) > 0) &&
      (before === null || compareKeys(k.key, before) < 0),
  );
  const more = inRange.length > limit;
  const slice = fromEnd ? inRange.slice(Math.max(0, inRange.length - limit)) : inRange.slice(0, limit);
  const cursors = new Map(slice.map((k) => [k.item, packCursor(k.key)]));
  return connection(
    { totalCount: all.length, items: slice.map((k) => k.item), more },
    (item) => cursors.get(item)!,
    args,
    fromEnd,
    opts.bareWhenEmpty,
  );
}

/** Unix seconds of an ISO time the services answer. */
export const secondsOf = (iso: string): bigint => BigInt(Math.floor(Date.parse(iso) / 1000));
