// The benchmark's extension point: each area of the system contributes one section whose
// `run` returns flat figures keyed `<section>.<name>` (e.g. `api.licenseDetail.rps`).
// `scripts/bench.ts` runs the sections in order and prints them, or one JSON object with --json.

export type BenchFigures = Record<string, number>;

export type BenchDatabase = { url: string; drop(): Promise<void> };

export type BenchContext = {
  /** Progress for humans: always stderr, so `--json` keeps stdout to the one object. */
  log(line: string): void;
  /** A new, empty database on the bench's Postgres (embedded unless BENCH_DATABASE_URL). */
  freshDatabase(label: string): Promise<BenchDatabase>;
  /** Seconds per measured load target (BENCH_SECONDS, default 8). */
  seconds: number;
  /** Runs at the end of the whole bench, even after a failure. */
  onCleanup(fn: () => Promise<void> | void): void;
};

export type BenchSection = {
  /** Key prefix of its figures: api, login, ops, index, export, … */
  key: string;
  title: string;
  /** What each figure means, for the human-readable output (key without the prefix → text). */
  describe?: Record<string, string>;
  run(ctx: BenchContext): Promise<BenchFigures>;
};
