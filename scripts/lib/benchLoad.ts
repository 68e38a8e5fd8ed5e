import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

// Load generation with autocannon in a CHILD process: the server under test keeps its own thread
// (in-process autocannon would share the event loop and flatter every ratio).

export type LoadOptions = {
  url: string;
  connections: number;
  seconds: number;
  /** Request paths drawn uniformly at random per request: `${prefix}${1..randomIdMax}`. */
  randomIdPath?: { prefix: string; max: number };
  /** Request paths drawn uniformly at random per request (repeat a path to weight it). */
  randomPaths?: string[];
};

export type LoadResult = {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
  timeouts: number;
};

export function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", self, JSON.stringify(opts)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      try {
        resolve(JSON.parse(out) as LoadResult);
      } catch (error) {
        reject(new Error(`load generator printed no result: ${out.slice(0, 200)}`, { cause: error }));
      }
    });
  });
}

async function main(opts: LoadOptions) {
  const random = opts.randomIdPath;
  const paths = opts.randomPaths;
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    pipelining: 1,
    timeout: 10,
    requests: paths?.length
      ? [{ setupRequest: (req) => ({ ...req, path: paths[Math.floor(Math.random() * paths.length)]! }) }]
      : random
        ? [
            {
              setupRequest: (req) => ({
                ...req,
                path: `${random.prefix}${1 + Math.floor(Math.random() * random.max)}`,
              }),
            },
          ]
        : undefined,
  });
  const out: LoadResult = {
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
  };
  process.stdout.write(JSON.stringify(out));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(JSON.parse(process.argv[2] ?? "{}") as LoadOptions).catch((error) => {
    process.stderr.write(`load generator failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
