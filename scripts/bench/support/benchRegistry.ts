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

/**
 * `npm run bench -- --scale`: how a cost grows with the data. Each point is one figure measured at
 * one size; each curve becomes one SVG chart in docs/images/.
 */
export type ScalePoint = { size: number; value: number };

export type ScaleCurve = {
  /** Figure key, e.g. `scale.index.eventsPerSec`; also names the chart file. */
  key: string;
  title: string;
  /** The x axis: what grows ("events", "licenses"). */
  sizeLabel: string;
  /** The y axis: "events/s", "MB", "ms". */
  unit: string;
  points: ScalePoint[];
};

export type ScaleSection = {
  key: string;
  title: string;
  run(ctx: BenchContext): Promise<ScaleCurve[]>;
};
