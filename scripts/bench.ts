import { exportSection } from "./bench/export";
import { indexSection } from "./bench/indexing";
import { loadSection } from "./bench/load";
import { loginSection } from "./bench/login";
import { opsSection } from "./bench/ops";
import { apiSection } from "./bench/support/benchApi";
import { benchPostgres } from "./bench/support/benchDatabase";
import type { BenchContext, BenchFigures, BenchSection } from "./bench/support/benchRegistry";
import { webSection } from "./bench/web";

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
  const sections = SECTIONS.filter((s) => !wanted || wanted.has(s.key));
  if (sections.length === 0)
    throw new Error(`no bench section matches ${only}; have ${SECTIONS.map((s) => s.key).join(", ")}`);

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
      log(`— ${section.title} (${section.key}.*)`);
      const result = await section.run(ctx);
      for (const [key, value] of Object.entries(result)) {
        if (!key.startsWith(`${section.key}.`))
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
      if (!key.startsWith(`${section.key}.`)) continue;
      const about = section.describe?.[key.slice(section.key.length + 1)];
      process.stdout.write(
        `  ${key.padEnd(width)}  ${String(value).padStart(10)}${about ? `  ${about}` : ""}\n`,
      );
    }
  }
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
