import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

// A load client run as a process of its own (so its CPU is not the server's): the module spawns
// itself with its input as JSON in argv and prints its result as JSON on stdout.

/** Runs the module at `moduleUrl` (its `import.meta.url`) as a child with `input`; resolves its JSON result. */
export function runChildTask<I, O>(moduleUrl: string, input: I, what: string): Promise<O> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", fileURLToPath(moduleUrl), JSON.stringify(input)],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`${what} exited with ${code}`));
      try {
        resolve(JSON.parse(out) as O);
      } catch (error) {
        reject(new Error(`${what} printed no result: ${out.slice(0, 200)}`, { cause: error }));
      }
    });
  });
}

/** In the module itself: when it is the child, runs `task` on its input and prints the result. */
export function serveChildTask<I, O>(moduleUrl: string, task: (input: I) => Promise<O>, what: string): void {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return;
  task(JSON.parse(process.argv[2] ?? "{}") as I).then(
    (result) => process.stdout.write(JSON.stringify(result)),
    (error) => {
      process.stderr.write(`${what} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
