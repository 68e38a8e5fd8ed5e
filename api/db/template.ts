import { type Compilable, createQueryId, type Kysely } from "kysely";

const SLOT = "\u0000slot:";
const ARRAY_SLOT = Symbol("slot");

/** A placeholder value in a query built for {@link queryTemplate}, bound at each execution. */
export const slot = (name: string): string => `${SLOT}${name}`;

/** A placeholder for an array parameter (e.g. `= any($1)`), bound at each execution. */
export const arraySlot = (name: string): string[] => Object.assign([], { [ARRAY_SLOT]: name });

function slotName(p: unknown): string | null {
  if (typeof p === "string") return p.startsWith(SLOT) ? p.slice(SLOT.length) : null;
  if (Array.isArray(p)) return (p as { [ARRAY_SLOT]?: string })[ARRAY_SLOT] ?? null;
  return null;
}

/**
 * Builds and compiles a Kysely query once, then runs it with new slot values. Hot paths skip
 * rebuilding and recompiling the AST on every request, and the SQL text never changes, so the
 * connection's prepared statement is always reused.
 */
export function queryTemplate<R, const K extends string = string>(
  // biome-ignore lint/suspicious/noExplicitAny: templates run on any typed database handle.
  db: Kysely<any>,
  query: Compilable<R>,
): (values: Record<K, unknown>) => Promise<R[]> {
  const compiled = query.compile();
  const slots = compiled.parameters.map(slotName);
  return async (values) => {
    const parameters = compiled.parameters.map((p, i) => {
      const name = slots[i];
      return name === null || name === undefined ? p : values[name as K];
    });
    const result = await db.executeQuery<R>({ ...compiled, parameters, queryId: createQueryId() });
    return result.rows;
  };
}
