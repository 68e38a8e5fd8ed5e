import fs from "node:fs";
import path from "node:path";
import { exportSection } from "./bench/export";
import { indexSection } from "./bench/indexing";
import { loadSection } from "./bench/load";
import { loginSection } from "./bench/login";
import { opsSection } from "./bench/ops";
import { scaleApiSection } from "./bench/scaleApi";
import { scaleIndexSection } from "./bench/scaleIndex";
import { apiSection } from "./bench/support/benchApi";
import { benchPostgres } from "./bench/support/benchDatabase";
import type {
  BenchContext,
  BenchFigures,
  BenchSection,
  ScaleCurve,
  ScaleSection,
} from "./bench/support/benchRegistry";
import { lineChartSvg } from "./bench/support/svgChart";
import { webSection } from "./bench/web";
import { ROOT } from "./runtime/paths";

// `npm run bench` prints a table; `npm run bench -- --json` prints ONE JSON object of figures
// (keys `<section>.<figure>`) and nothing else on stdout; progress goes to stderr.
// `--only api,login` runs some sections. Later areas append their section here.
const SECTIONS: BenchSection[] = [
  apiSection,
  loginSection,
  opsSection,
  loadSection,
  indexSection,
  exportSection,
  webSection,
];

// `npm run bench -- --scale` runs these instead: how each cost grows with the data, one SVG chart
// per curve in docs/images/ (docs/performance.md embeds them), figures keyed `<curve>.<size>`.
const SCALE_SECTIONS: ScaleSection[] = [scaleIndexSection, scaleApiSection];
const CHART_DIR = path.join(ROOT, "docs/images");

async function main() {
  const args = process.argv.slice(2);
  const json = args.includes("--json");
  const onlyArg = args.find((a) => a.startsWith("--only"));
  const only = onlyArg
    ? onlyArg.includes("=")
      ? onlyArg.split("=")[1]
      : args[args.indexOf(onlyArg) + 1]
    : null;
  const wanted = only ? new Set(only.split(",")) : null;
  const scale = args.includes("--scale");
  const all: Array<BenchSection | ScaleSection> = scale ? SCALE_SECTIONS : SECTIONS;
  const sections = all.filter((s) => !wanted || wanted.has(s.key));
  if (sections.length === 0)
    throw new Error(`no bench section matches ${only}; have ${all.map((s) => s.key).join(", ")}`);

  const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  const postgres = benchPostgres(log);
  const cleanups: (() => Promise<void> | void)[] = [];
  const ctx: BenchContext = {
    log,
    freshDatabase: (label) => postgres.freshDatabase(label),
    seconds: Number(process.env.BENCH_SECONDS ?? 8),
    onCleanup: (fn) => void cleanups.push(fn),
  };

  const figures: BenchFigures = {};
  try {
    for (const section of sections) {
      log(`— ${section.title} (${scale ? "scale." : ""}${section.key}.*)`);
      const result = scale
        ? scaleFigures(section.key, await (section as ScaleSection).run(ctx), log)
        : await (section as BenchSection).run(ctx);
      for (const [key, value] of Object.entries(result)) {
        if (!key.startsWith(`${scale ? "scale." : ""}${section.key}.`))
          throw new Error(`section ${section.key} returned figure ${key}`);
        figures[key] = value;
      }
    }
  } finally {
    for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch((e) => log(`cleanup: ${e}`));
    await postgres.stop();
  }

  if (json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  for (const section of sections) {
    process.stdout.write(`\n${section.title}\n`);
    for (const [key, value] of Object.entries(figures)) {
      const prefix = `${scale ? "scale." : ""}${section.key}.`;
      if (!key.startsWith(prefix)) continue;
      const about = "describe" in section ? section.describe?.[key.slice(prefix.length)] : undefined;
      process.stdout.write(
        `  ${key.padEnd(width)}  ${String(value).padStart(10)}${about ? `  ${about}` : ""}\n`,
      );
    }
  }
}

/** A scale section's curves as flat figures (`<curve key>.<size>`), each written as a chart. */
function scaleFigures(section: string, curves: ScaleCurve[], log: (line: string) => void): BenchFigures {
  fs.mkdirSync(CHART_DIR, { recursive: true });
  const figures: BenchFigures = {};
  for (const curve of curves) {
    if (!curve.key.startsWith(`scale.${section}.`))
      throw new Error(`scale section ${section} returned curve ${curve.key}`);
    const file = path.join(CHART_DIR, `${curve.key.replace(/\./g, "-")}.svg`);
    fs.writeFileSync(file, lineChartSvg(curve));
    log(`chart ${path.relative(ROOT, file)}`);
    for (const p of curve.points) figures[`${curve.key}.${p.size}`] = p.value;
  }
  return figures;
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
