import pino from "pino";
import { getAddress, keccak256, toHex } from "viem";
import { type App, createApp } from "../../api/app";
import { createDatabase } from "../../api/db/database";
import { type Config, loadConfig } from "../../config/env";
import {
  createIndexedSchema,
  type IndexedFixture,
  indexedFixture,
} from "../../scripts/fixtures/indexedFixture";
import { type Served, serveFetch } from "../../scripts/runtime/serveFetch";
import { createTestDatabase } from "../support/database";

/** A deterministic lowercase address for a label, as Ponder stores them. */
export const addr = (label: string | number): `0x${string}` =>
  `0x${keccak256(toHex(String(label))).slice(26)}`;
export const cs = (address: string) => getAddress(address);

export const T0 = 1_735_689_600; // 2025-01-01T00:00:00Z
export const iso = (seconds: number | bigint) => new Date(Number(seconds) * 1000).toISOString();

export type ApiHarness = {
  app: App;
  fixture: IndexedFixture;
  db: ReturnType<typeof createDatabase>;
  config: Config;
  /** The suite's database, for a second pool or a raw client. */
  url: string;
  logs: Record<string, unknown>[];
  /** Pins the clock every expiry is compared with (unix seconds). */
  setNow(seconds: number): void;
  setHead(block: bigint | null): void;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  json<T = unknown>(path: string): Promise<{ status: number; body: T; res: Response }>;
  close(): Promise<void>;
};

/**
 * A fresh database with the `dimo` look-alike tables (the public routes need nothing of the
 * console schema, whose migrations server.test.ts covers), and an app built
 * on it with a pinned clock, a fake chain head and captured logs. Requests go through app.request().
 */
export async function apiHarness(
  opts: { env?: Record<string, string>; withSchema?: boolean } = {},
): Promise<ApiHarness> {
  const database = await createTestDatabase("api");
  const db = createDatabase(database.url, { poolMax: 4, statementTimeoutMs: 5_000 });
  if (opts.withSchema !== false) await createIndexedSchema(db);
  let now = T0;
  let head: bigint | null = 100n;
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const config = loadConfig({ ...opts.env });
  const app = createApp({
    db,
    clock: () => new Date(now * 1000),
    logger,
    config,
    chain: {
      headBlock: async () => {
        if (head === null) throw new Error("rpc down");
        return head;
      },
    },
    secret: Buffer.alloc(32, 7),
  });
  const get = (path: string, headers: Record<string, string> = {}) =>
    Promise.resolve(app.request(path, { headers }));
  return {
    app,
    db,
    fixture: indexedFixture(db),
    config,
    url: database.url,
    logs,
    setNow: (s) => {
      now = s;
    },
    setHead: (b) => {
      head = b;
    },
    get,
    async json<T>(path: string) {
      const res = await get(path);
      return { status: res.status, body: (await res.json()) as T, res };
    },
    async close() {
      await db.destroy();
      await database.drop();
    },
  };
}

export type { Served };

/** The harness's app over real HTTP on 127.0.0.1 (for browsers and load generators). */
export function serve(h: ApiHarness, port: number): Promise<Served> {
  return serveFetch(h.app.fetch, port);
}
