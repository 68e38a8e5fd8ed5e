import { getIntrospectionQuery, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { compareKeys, keyedConnection, pageSize } from "./connections";
import { CursorError, decodeIdCursor, idCursor, packCursor, unpackCursor } from "./cursors";
import { measure, QUERY_LIMITS } from "./limits";

const ADDRESS = "0x00000000000000000000000000000000000000ab";

describe("identity-api's cursors", () => {
  it("token ids: base64 of the decimal id, strict base64 on the way in", () => {
    expect(idCursor(3)).toBe("Mw==");
    expect(decodeIdCursor("Mw==")).toBe("3");
    expect(decodeIdCursor(idCursor(123456))).toBe("123456");
    for (const bad of ["Mw", "M w==", "eA==", "", "!!!!"]) {
      expect(() => decodeIdCursor(bad), bad).toThrow(CursorError);
    }
  });

  it("MessagePack arrays as vmihailenco writes Go structs: timestamp ext, bin, str, compact ints", () => {
    // [time.Unix(1700000000), [20]byte]: fixarray 2, fixext4 -1, bin8 20.
    const cursor = packCursor([{ time: 1_700_000_000n }, { bytes: ADDRESS }]);
    const bytes = Buffer.from(cursor, "base64");
    expect(bytes.subarray(0, 7).toString("hex")).toBe("92d6ff6553f100");
    expect(bytes.subarray(7, 9).toString("hex")).toBe("c414");
    expect(bytes.length).toBe(29);
    expect(unpackCursor(cursor, ["time", "bytes"])).toEqual([{ time: 1_700_000_000n }, { bytes: ADDRESS }]);
    // identity-api's vehicle global id body: msgpack [1] = 0x91 0x01.
    expect(packCursor([{ int: 1n }])).toBe("kQE=");
    const mixed = packCursor([{ time: 5n }, { int: 300n }, { str: "https://x.example/cb" }]);
    expect(unpackCursor(mixed, ["time", "int", "str"])).toEqual([
      { time: 5n },
      { int: 300n },
      { str: "https://x.example/cb" },
    ]);
  });

  it("reads the other timestamp forms and refuses anything else", () => {
    // timestamp 64 (fixext8) with zero nanoseconds, and timestamp 96 (ext8, 12 bytes).
    const t64 = Buffer.from([0x91, 0xd7, 0xff, 0, 0, 0, 0, 0, 0, 0, 10]).toString("base64");
    expect(unpackCursor(t64, ["time"])).toEqual([{ time: 10n }]);
    const t96 = Buffer.from([0x91, 0xc7, 12, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]).toString("base64");
    expect(unpackCursor(t96, ["time"])).toEqual([{ time: 11n }]);
    for (const bad of [
      idCursor(3), // not an array
      packCursor([{ time: 1n }]), // wrong length
      packCursor([{ str: "x" }, { bytes: ADDRESS }]), // wrong kinds
      Buffer.from([0x92, 0xd6, 0xff, 0]).toString("base64"), // truncated
    ]) {
      expect(() => unpackCursor(bad, ["time", "bytes"]), bad).toThrow(CursorError);
    }
  });
});

describe("connections", () => {
  it("pageSize: identity-api's first/last rules", () => {
    expect(pageSize({ first: 0 })).toEqual({ limit: 0, fromEnd: false });
    expect(pageSize({ last: 100 })).toEqual({ limit: 100, fromEnd: true });
    expect(pageSize({}, 20)).toEqual({ limit: 20, fromEnd: false });
    expect(() => pageSize({})).toThrow("provide `first` or `last`");
    expect(() => pageSize({ first: 101 })).toThrow("the value 101 for `first` exceeds the limit 100");
    expect(() => pageSize({ first: 1, last: 1 })).toThrow("pass `first` or `last`, but not both");
  });

  it("keyed lists: newest first, ties by the next part; windows and pageInfo both ways", () => {
    const items = [
      { t: 1n, a: "0x0000000000000000000000000000000000000003" },
      { t: 2n, a: "0x0000000000000000000000000000000000000002" },
      { t: 2n, a: "0x0000000000000000000000000000000000000001" },
    ];
    const list = {
      key: (i: (typeof items)[number]) => [{ time: i.t }, { bytes: i.a }],
      shape: ["time", "bytes"] as ("time" | "bytes")[],
    };
    const all = keyedConnection(items, list, { first: 10 });
    expect(all.nodes).toEqual([items[2], items[1], items[0]]);
    expect(compareKeys(list.key(items[2]!), list.key(items[1]!))).toBe(-1);
    const p1 = keyedConnection(items, list, { first: 1 });
    expect(p1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const p2 = keyedConnection(items, list, { first: 5, after: p1.pageInfo.endCursor });
    expect(p2.nodes).toEqual([items[1], items[0]]);
    expect(p2.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const back = keyedConnection(items, list, { last: 1, before: p2.pageInfo.endCursor });
    expect(back.nodes).toEqual([items[1]]);
    expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    expect(back.totalCount).toBe(3);
  });
});

describe("query limits", () => {
  const cost = (q: string) => {
    const doc = parse(q);
    const op = doc.definitions.find((d) => d.kind === "OperationDefinition")!;
    const fragments = new Map(
      doc.definitions.flatMap((d) => (d.kind === "FragmentDefinition" ? [[d.name.value, d] as const] : [])),
    );
    return measure(op as never, (n) => fragments.get(n));
  };

  it("counts fields, multiplies connections by their page size, follows fragments", () => {
    expect(cost("{ developerLicenses(first: 0) { totalCount } }")).toEqual({ depth: 2, cost: 1 });
    expect(cost("{ developerLicenses(first: 10) { nodes { tokenId alias } } }")).toEqual({
      depth: 3,
      cost: 31,
    });
    expect(cost("query($n: Int) { vehicles(first: $n) { totalCount } }").cost).toBe(101);
    expect(cost("query($n: Int = 5) { vehicles(first: $n) { totalCount } }").cost).toBe(6);
    expect(
      cost(
        "{ a: developerLicenses(first: 2) { ...F } } fragment F on DeveloperLicenseConnection { totalCount }",
      ).cost,
    ).toBe(3);
  });

  it("lets the standard introspection query through", () => {
    const { depth, cost: c } = cost(getIntrospectionQuery());
    expect(depth).toBeLessThanOrEqual(QUERY_LIMITS.maxDepth);
    expect(c).toBeLessThanOrEqual(QUERY_LIMITS.maxCost);
  });
});
