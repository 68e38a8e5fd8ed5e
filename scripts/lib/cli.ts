// Small helpers shared by the scripts' entry points: progress on stderr, one-line failures.

const t0 = performance.now();

/** `[name 12.3s] message` on stderr, so stdout stays clean for results (digests, JSON). */
export function progress(name: string): (line: string) => void {
  return (line) =>
    process.stderr.write(`[${name} ${((performance.now() - t0) / 1000).toFixed(1)}s] ${line}\n`);
}

/** Runs an entry point: a thrown error prints its message (not a stack) and exits 1. */
export function runMain(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      if (process.env.DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exit(1);
    },
  );
}

export function fileSize(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}
