import autocannon from "autocannon";
import { runChildTask, serveChildTask } from "./childTask";

// Load generation with autocannon, placed one of two ways: "child" runs it in a child process, so
// the server under test keeps a thread of its own; "inprocess" runs it in the bench process next
// to the servers (autocannon's programmatic API with a request generator), so every target pays
// the same client cost on the same thread. BENCH_LOADGEN=child|inprocess overrides a section's choice.

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

export type LoadPlacement = "inprocess" | "child";

/** The placement BENCH_LOADGEN asks for, else the section's default. */
export function loadPlacement(fallback: LoadPlacement): LoadPlacement {
  const asked = process.env.BENCH_LOADGEN;
  return asked === "child" || asked === "inprocess" ? asked : fallback;
}

export function runLoad(
  opts: LoadOptions,
  placement: LoadPlacement = loadPlacement("child"),
): Promise<LoadResult> {
  return placement === "child" ? runInChild(opts) : measure(opts);
}

function runInChild(opts: LoadOptions): Promise<LoadResult> {
  return runChildTask(import.meta.url, opts, "load generator");
}

async function measure(opts: LoadOptions): Promise<LoadResult> {
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
  return {
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
  };
}

serveChildTask(import.meta.url, measure, "load generator");
