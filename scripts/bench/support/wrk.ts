import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// HTTP load from wrk (Debian's package), a process of its own written in C: the server under test
// keeps its CPU, and the client costs a few µs per request. Each run gets a generated Lua script
// that draws every request's id at random over the whole data set (no hot row) and, in wrk's
// `done` hook, prints one JSON line of figures, so nothing depends on wrk's human output.

export const WRK = "/usr/bin/wrk";

export type WrkTarget = {
  /** Path of every request; `{id}` is replaced by an id drawn uniformly from 1..ids. */
  path: string;
  ids?: number;
  /** Drawn uniformly per request instead of `path` (repeat one to weight it). */
  paths?: string[];
  /** When given, the id is drawn from 1..values.length and `{value}` becomes values[id]. */
  values?: string[];
  method?: "GET" | "POST";
  /** Request body (POST); `{id}` is replaced by the request's id too. */
  body?: string;
  headers?: Record<string, string>;
};

export type WrkResult = {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Socket errors (connect, read, write) and timeouts. */
  errors: number;
  /** Answers with a status ≥ 400 (wrk counts 1xx-3xx as fine). */
  non2xx: number;
};

const MARK = "@@wrk-result ";

function luaString(s: string): string {
  if (!/^[\x20-\x7e]*$/.test(s))
    throw new Error(`wrk script: only printable ASCII, got ${JSON.stringify(s)}`);
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The Lua script for one target: request generation and a `done` hook printing JSON. */
export function wrkScript(t: WrkTarget): string {
  const headers = Object.entries(t.headers ?? {})
    .map(([k, v]) => `[${luaString(k)}] = ${luaString(v)}`)
    .join(", ");
  const lines = [
    `local method = ${luaString(t.method ?? "GET")}`,
    `local headers = { ${headers} }`,
    `local body = ${t.body === undefined ? "nil" : luaString(t.body)}`,
    `local path = ${luaString(t.path)}`,
    `local paths = { ${(t.paths ?? []).map(luaString).join(", ")} }`,
    `local values = { ${(t.values ?? []).map(luaString).join(", ")} }`,
    `local ids = ${t.values?.length || Math.max(1, Math.floor(t.ids ?? 1))}`,
    "local threads = 0",
    "function setup(thread) threads = threads + 1; thread:set('tid', threads) end",
    "function init(args) math.randomseed(os.time() * 1000 + tid) end",
    "request = function()",
    "  local n = math.random(1, ids)",
    "  local id, value = tostring(n), values[n] or ''",
    "  local p = #paths > 0 and paths[math.random(1, #paths)] or path:gsub('{id}', id):gsub('{value}', value)",
    "  local b = body and body:gsub('{id}', id):gsub('{value}', value) or nil",
    "  return wrk.format(method, p, headers, b)",
    "end",
    "function done(summary, latency, requests)",
    "  local e = summary.errors",
    `  io.write(string.format('${MARK}{"requests":%d,"durationUs":%d,"errors":%d,"non2xx":%d,` +
      `"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d}\\n',`,
    "    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,",
    "    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))",
    "end",
  ];
  return `${lines.join("\n")}\n`;
}

/** The figures of one wrk run from its whole stdout (the `done` hook's line among wrk's own). */
export function parseWrkOutput(stdout: string): WrkResult {
  const line = stdout.split("\n").find((l) => l.startsWith(MARK));
  if (!line) throw new Error(`wrk printed no result line:\n${stdout.slice(0, 500)}`);
  const r = JSON.parse(line.slice(MARK.length)) as Record<string, number>;
  const ms = (us: number | undefined) => Math.round((us ?? 0) / 10) / 100;
  const seconds = (r.durationUs ?? 0) / 1e6;
  return {
    requests: r.requests ?? 0,
    seconds,
    rps: seconds > 0 ? (r.requests ?? 0) / seconds : 0,
    p50Ms: ms(r.p50Us),
    p90Ms: ms(r.p90Us),
    p99Ms: ms(r.p99Us),
    maxMs: ms(r.maxUs),
    errors: r.errors ?? 0,
    non2xx: r.non2xx ?? 0,
  };
}

/** wrk at /usr/bin/wrk, installed with apt-get when missing; a clear error when that cannot be done. */
export function ensureWrk(log: (line: string) => void): void {
  if (fs.existsSync(WRK)) return;
  log("wrk is missing: apt-get install -y wrk…");
  try {
    const apt = (args: string[]) =>
      execFileSync("apt-get", args, {
        stdio: ["ignore", "ignore", "inherit"],
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      });
    try {
      apt(["install", "-y", "-q", "wrk"]);
    } catch {
      apt(["update", "-q"]);
      apt(["install", "-y", "-q", "wrk"]);
    }
  } catch (error) {
    throw new Error(
      "the bench drives HTTP with wrk and could not install it (apt-get install -y wrk, as root); install wrk and run again",
      { cause: error },
    );
  }
  if (!fs.existsSync(WRK)) throw new Error(`apt-get installed wrk, but not at ${WRK}`);
}

export type WrkOptions = { url: string; connections: number; seconds: number; threads?: number };

/** One wrk run against `url` (scheme, host and port; the target gives paths). */
export async function runWrk(t: WrkTarget, o: WrkOptions): Promise<WrkResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dimo-wrk-"));
  const script = path.join(dir, "target.lua");
  fs.writeFileSync(script, wrkScript(t));
  try {
    const threads = Math.max(1, Math.min(o.threads ?? 2, o.connections));
    const args = [
      `-t${threads}`,
      `-c${o.connections}`,
      `-d${o.seconds}s`,
      "--timeout",
      "10s",
      "-s",
      script,
      o.url,
    ];
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(WRK, args, { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => {
        out += d;
      });
      child.stderr.on("data", (d) => {
        err += d;
      });
      child.once("error", reject);
      child.once("exit", (code) =>
        code === 0 ? resolve(out) : reject(new Error(`wrk exited with ${code}: ${err || out}`)),
      );
    });
    return parseWrkOutput(stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
