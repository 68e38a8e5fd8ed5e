import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { startDemoChain } from "../../devnet/demoChain";
import { readCassette } from "../../scripts/replay/cassette";
import type { StateDigest } from "../../scripts/replay/digest";
import { ROOT } from "../../scripts/runtime/paths";
import { serveCassette, syncedDigest } from "../support/replay";

// The committed cassette of the devnet demo history replays to the committed digest, twice, and to
// the same digest as a live sync of a fresh, identical devnet. When the indexer's meaning changes on
// purpose, update test/fixtures/demo.digest.json (`npm run replay -- <cassette> --json`); when the
// demo history or the test contracts change, re-record: `npm run record -- --demo --out <cassette>`.

const CASSETTE = path.join(ROOT, "test/fixtures/demo.cassette.ndjson.gz");
const expected = JSON.parse(
  fs.readFileSync(path.join(ROOT, "test/fixtures/demo.digest.json"), "utf8"),
) as StateDigest;

type Analyst = { graphql: unknown; sql: unknown; sqlWrite: { status: number; text: string } };

/** What an analyst gets from the indexer port: GraphQL, SQL over HTTP, and a refused write. */
async function askIndexer(url: string): Promise<Analyst> {
  const graphql = await (
    await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: '{ licenses(where: {status: "active"}, orderBy: "tokenId") { items { tokenId alias } } }',
      }),
    })
  ).json();
  const sqlUrl = (sql: string) =>
    `${url}/sql/db?sql=${encodeURIComponent(JSON.stringify({ json: { sql, params: [], method: "all" } }))}`;
  const sql = (
    (await (await fetch(sqlUrl("SELECT count(*) AS n FROM license_signer"))).json()) as { rows: unknown }
  ).rows;
  const write = await fetch(sqlUrl("DELETE FROM license"));
  return { graphql, sql, sqlWrite: { status: write.status, text: await write.text() } };
}

const replay = async (analyst?: (a: Analyst) => void) => {
  const server = await serveCassette(CASSETTE, { log: () => {} });
  try {
    const digest = await syncedDigest(
      server.rpcUrl,
      server.header.chain,
      BigInt(server.header.head),
      analyst ? async (synced) => analyst(await askIndexer(synced.indexer.url)) : undefined,
    );
    return { digest, misses: server.misses };
  } finally {
    await server.stop();
  }
};

const live = async () => {
  const demo = await startDemoChain();
  try {
    const res = (await (await fetch(demo.rpcUrl, rpc("eth_blockNumber"))).json()) as { result: string };
    const head = BigInt(res.result);
    return await syncedDigest(demo.rpcUrl, demo.chain, head);
  } finally {
    await demo.stop();
  }
};

function rpc(method: string, params: unknown[] = []): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  };
}

describe("demo cassette", () => {
  let runs: [Awaited<ReturnType<typeof replay>>, Awaited<ReturnType<typeof replay>>, StateDigest];
  let analyst: Analyst | undefined;

  beforeAll(async () => {
    // Three independent syncs at once: Ponder's boot dominates each, and it mostly waits.
    runs = await Promise.all([replay((a) => (analyst = a)), replay(), live()]);
  }, 240_000);

  it("replays offline without a request the cassette can't answer", () => {
    expect(runs[0].misses).toEqual([]);
    expect(runs[1].misses).toEqual([]);
  });

  it("replays to the committed digest", () => {
    expect(runs[0].digest.tables).toEqual(expected.tables);
    expect(runs[0].digest.sha256).toBe(expected.sha256);
  });

  it("replays to the same digest every time", () => {
    expect(runs[1].digest.sha256).toBe(runs[0].digest.sha256);
  });

  it("gives the digest of a live sync of an identical fresh devnet", () => {
    expect(runs[2].tables).toEqual(runs[0].digest.tables);
  });

  it("serves analysts GraphQL and read-only SQL over HTTP on the indexer port", () => {
    expect(analyst!.graphql).toEqual({
      data: {
        licenses: {
          items: [
            { tokenId: "1", alias: "weather-app" },
            { tokenId: "2", alias: "fleet-dash" },
            { tokenId: "3", alias: "legacy-demo" },
          ],
        },
      },
    });
    expect(analyst!.sql).toEqual([{ n: "3" }]);
    expect(analyst!.sqlWrite.status).toBeGreaterThanOrEqual(400);
    expect(analyst!.sqlWrite.text).toMatch(/not supported/);
  });

  it("recorded the digest of its own sync in the header", async () => {
    const { header } = await readCassette(CASSETTE);
    expect(header.digest).toBe(expected.sha256);
  });
});

describe("cassette server", () => {
  it("answers an unknown request with a JSON-RPC error naming method and params, whatever the URL", async () => {
    const server = await serveCassette(CASSETTE, { log: () => {} });
    try {
      const res = (await (
        await fetch(`${server.rpcUrl}/?bucket=3`, rpc("eth_getBalance", ["0xabc", "latest"]))
      ).json()) as { error: { code: number; message: string } };
      expect(res.error.code).toBe(-32601);
      expect(res.error.message).toBe('cassette has no answer for eth_getBalance ["0xabc","latest"]');
      expect(server.misses).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });
});
