const URL_RE = /\bhttps?:\/\/[^\s"'<>]+/g;

/**
 * An expected failure (RPC or database down) as a log field: its name, message and the first line
 * of each cause, without stacks (operators need what failed, not where in our code) and with URLs
 * cut to their origin, since provider URLs carry API keys in their path or query.
 */
export function loggable(error: unknown): { type: string; message: string; causes?: string[] } {
  const line = (e: unknown) => {
    const text =
      e instanceof Error ? ((e as { shortMessage?: string }).shortMessage ?? e.message) : String(e);
    const first = text.split("\n", 1)[0] ?? "";
    return first.replace(URL_RE, (url) => {
      try {
        return new URL(url).origin;
      } catch {
        return "[url]";
      }
    });
  };
  const causes: string[] = [];
  let cause = error instanceof Error ? error.cause : undefined;
  while (cause !== undefined && cause !== null && causes.length < 5) {
    causes.push(line(cause));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  const type = error instanceof Error ? error.name : typeof error;
  return causes.length ? { type, message: line(error), causes } : { type, message: line(error) };
}
