import {
  type ASTNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from "graphql";
import { MAX_PAGE_SIZE } from "./connections";

// What one query may cost, checked with the other validation rules before anything runs: a
// document over either limit is refused whole (GRAPHQL_VALIDATION_FAILED), whatever its variables.
//   depth: nested selections, introspection included (its types nest without end);
//   cost:  every field 1, a connection's selections multiplied by its page size (`first`/`last`;
//          a variable counts as its default, or as 100, the largest page).
// DIMO's console's heaviest query (100 licenses with 100 redirect URIs each) costs about 20,400.

export const QUERY_LIMITS = { maxDepth: 15, maxCost: 50_000 } as const;

function pageOf(field: FieldNode, defaults: Map<string, ValueNode | undefined>): number | null {
  for (const arg of field.arguments ?? []) {
    if (arg.name.value !== "first" && arg.name.value !== "last") continue;
    let value: ValueNode | undefined = arg.value;
    if (value.kind === Kind.VARIABLE) value = defaults.get(value.name.value);
    if (value?.kind === Kind.INT) return Math.max(0, Math.min(Number(value.value), MAX_PAGE_SIZE));
    if (value === undefined || value.kind !== Kind.NULL) return MAX_PAGE_SIZE;
  }
  return null;
}

/** Depth and cost of an operation; fragments are followed (a cycle is its own validation error). */
export function measure(
  operation: OperationDefinitionNode,
  fragment: (name: string) => FragmentDefinitionNode | undefined | null,
): { depth: number; cost: number } {
  const defaults = new Map(
    (operation.variableDefinitions ?? []).map((v) => [v.variable.name.value, v.defaultValue] as const),
  );
  const walk = (set: SelectionSetNode, depth: number, seen: Set<string>): { depth: number; cost: number } => {
    let deepest = depth;
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        let own = 1;
        if (selection.selectionSet) {
          const inner = walk(selection.selectionSet, depth + 1, seen);
          deepest = Math.max(deepest, inner.depth);
          // Connections with `first`/`last` multiply; a list without (privileges) defaults to 20.
          const page = pageOf(selection, defaults) ?? (selection.name.value === "privileges" ? 20 : 1);
          own += page * inner.cost;
        }
        cost += own;
      } else {
        const set2 =
          selection.kind === Kind.INLINE_FRAGMENT
            ? selection.selectionSet
            : seen.has(selection.name.value)
              ? null
              : fragment(selection.name.value)?.selectionSet;
        if (!set2) continue;
        const next =
          selection.kind === Kind.FRAGMENT_SPREAD ? new Set([...seen, selection.name.value]) : seen;
        const inner = walk(set2, depth, next);
        deepest = Math.max(deepest, inner.depth);
        cost += inner.cost;
      }
    }
    return { depth: deepest, cost };
  };
  return walk(operation.selectionSet, 1, new Set());
}

/** The validation rule refusing documents over QUERY_LIMITS. */
export function queryLimitsRule(
  limits: { maxDepth: number; maxCost: number } = QUERY_LIMITS,
): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(node: OperationDefinitionNode) {
      const { depth, cost } = measure(node, (name) => context.getFragment(name));
      const at: ASTNode[] = [node];
      if (depth > limits.maxDepth) {
        context.reportError(
          new GraphQLError(`Query depth ${depth} exceeds the limit of ${limits.maxDepth}.`, { nodes: at }),
        );
      }
      if (cost > limits.maxCost) {
        context.reportError(
          new GraphQLError(`Query cost ${cost} exceeds the limit of ${limits.maxCost}.`, { nodes: at }),
        );
      }
    },
  });
}
