import { type Compilable, createQueryId, type Kysely } from "kysely";

const SLOT = "\u0000slot:";

/** A placeholder value in a query built for {@link queryTemplate}, bound at each execution. */
export const slot = (name: string): string => `${SLOT}${name}`;

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
  const slots = compiled.parameters.map((p) =>
    typeof p === "string" && p.startsWith(SLOT) ? p.slice(SLOT.length) : null,
  );
  return async (values) => {
    const parameters = compiled.parameters.map((p, i) => {
      const name = slots[i];
      return name === null || name === undefined ? p : values[name as K];
    });
    const result = await db.executeQuery<R>({ ...compiled, parameters, queryId: createQueryId() });
    return result.rows;
  };
}
