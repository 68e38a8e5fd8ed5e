import { ROOT } from "../../../scripts/runtime/paths";

// What must never come out of the API: stack traces, SQL, file paths and secrets, in a response
// body or a log line. A match that the request itself contained (an echoed path in a 404 message)
// is the client's own text, not a leak.

const STACK = [/\n\s+at [^\n]*:\d+:\d+/, /\bat (?:async )?[\w$.<>[\] ]+ \((?:file:\/\/)?\/[^)\s]+:\d+:\d+\)/];
const SQL = [
  /\bselect\s+[\w"*.,\s()]+\s+from\s+["\w.]+/i,
  /\binsert\s+into\s+["\w.]+/i,
  /\bdelete\s+from\s+["\w.]+/i,
  /\bupdate\s+["\w.]+\s+set\b/i,
  /syntax error at or near/i,
  /relation "[^"]+" does not exist/i,
  /column "[^"]+" (?:does not exist|of relation)/i,
  /violates (?:unique|foreign key|not-null|check) constraint/i,
  /invalid input syntax for type/i,
  /\bSQLSTATE\b/,
];
const PATHS = [
  new RegExp(ROOT.replaceAll("/", "\\/")),
  /node_modules\//,
  /\bfile:\/\/\//,
  /\/tmp\/[\w.-]+\//,
];

export type LeakRules = {
  /** Exact strings that must never appear (secrets), with a label each. */
  secrets: Array<{ label: string; value: string }>;
};

/** What leaked in `text` (empty when clean); `request` is the request's own text, for echoes. */
export function leaks(text: string, request: string, rules: LeakRules, opts: { code: boolean }): string[] {
  const found: string[] = [];
  for (const { label, value } of rules.secrets) {
    if (value && text.includes(value)) found.push(`secret ${label}`);
  }
  if (!opts.code) return found;
  const check = (kind: string, patterns: RegExp[]) => {
    for (const re of patterns) {
      const m = re.exec(text);
      if (m && !request.includes(m[0]) && !decodedIncludes(request, m[0])) {
        found.push(`${kind}: ${JSON.stringify(m[0].slice(0, 120))}`);
      }
    }
  };
  check("stack trace", STACK);
  check("SQL", SQL);
  check("file path", PATHS);
  return found;
}

function decodedIncludes(request: string, needle: string): boolean {
  try {
    return decodeURIComponent(request).includes(needle);
  } catch {
    return false;
  }
}
