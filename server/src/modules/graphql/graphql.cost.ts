import type {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLField,
  GraphQLObjectType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';
import { graphqlJs } from './graphql-js.js';

const { getArgumentValues, getNamedType, getVariableValues, isObjectType, Kind } = graphqlJs;

/**
 * The published cost model (as Shopify's): every answer reports `extensions.cost` with the
 * requested cost (computed from the query before it runs, with each connection counted full) and
 * the actual cost (the same count over what came back).
 *
 * - a scalar or enum field: 0; a small value object (TopFactor, PageInfo): 0
 * - an object field (account, owner, latestPrediction …): 1, plus its own selection
 * - a connection field: 2, plus for each node it may return (`first`, default 20, at most 100)
 *   1 + the node's selection (edges.node and nodes each count)
 * - a mutation field: 10, plus its payload's selection
 *
 * A query whose requested cost exceeds MAX_COST is refused before it runs (MAX_COST_EXCEEDED);
 * one nested deeper than MAX_DEPTH fields is refused at validation (MAX_DEPTH_EXCEEDED).
 */
export const COST_LIMITS = {
  objectCost: 1,
  connectionCost: 2,
  mutationCost: 10,
  defaultFirst: 20,
  maxFirst: 100,
  maxCost: 1000,
  maxDepth: 12,
} as const;

/** Types that are a value of their parent (no lookup of their own): cost 0. */
const VALUE_TYPES = new Set(['PageInfo', 'TopFactor']);
const isConnection = (t: GraphQLObjectType) => t.name.endsWith('Connection');
const isEdge = (t: GraphQLObjectType) => t.name.endsWith('Edge');

export interface QueryCost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  maximumAvailable: number;
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

/** The operation an execution runs (by name, or the only one). */
export function operationOf(document: DocumentNode, operationName?: string | null) {
  const ops = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  return operationName
    ? ops.find((o) => o.name?.value === operationName)
    : ops.length === 1
      ? ops[0]
      : undefined;
}

/**
 * The cost of an operation: requested when `data` is undefined (connections counted full), actual
 * over the result data otherwise. Returns undefined when the variables do not coerce (graphql-js
 * then reports that error itself).
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> | null | undefined,
  data?: Record<string, unknown> | null,
): number | undefined {
  const op = operationOf(document, operationName);
  if (!op) return undefined;
  const root =
    op.operation === 'mutation'
      ? schema.getMutationType()
      : op.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  if (!root) return undefined;
  const coerced = getVariableValues(schema, op.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) return undefined;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const walk: Walk = { schema, fragments, variables: coerced.coerced };
  const base = op.operation === 'mutation' ? COST_LIMITS.mutationCost : 0;
  let total = 0;
  for (const field of fieldsOf(walk, root, op.selectionSet)) {
    if (data !== undefined && data !== null && !(responseKey(field) in data)) continue;
    total +=
      base +
      fieldCost(walk, root, field, data === undefined ? undefined : (data?.[responseKey(field)] ?? null), 1);
  }
  return total;
}

const responseKey = (f: FieldNode) => f.alias?.value ?? f.name.value;

/** The field nodes of a selection on a type, fragments expanded (type conditions on other types skipped). */
function fieldsOf(walk: Walk, type: GraphQLObjectType, set: SelectionSetNode): FieldNode[] {
  const out: FieldNode[] = [];
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) out.push(s);
    else if (s.kind === Kind.INLINE_FRAGMENT) {
      if (!s.typeCondition || s.typeCondition.name.value === type.name)
        out.push(...fieldsOf(walk, type, s.selectionSet));
    } else {
      const frag = walk.fragments[s.name.value];
      if (frag && frag.typeCondition.name.value === type.name)
        out.push(...fieldsOf(walk, type, frag.selectionSet));
    }
  }
  return out;
}

function firstOf(walk: Walk, def: GraphQLField<unknown, unknown>, node: FieldNode): number {
  if (!def.args.some((a) => a.name === 'first')) return COST_LIMITS.defaultFirst;
  const args = getArgumentValues(def, node, walk.variables);
  const first = typeof args.first === 'number' ? args.first : COST_LIMITS.defaultFirst;
  return Math.min(Math.max(first, 0), COST_LIMITS.maxFirst);
}

/**
 * One field's cost. `value` is undefined for the requested cost, else the field's result (null
 * when absent). `count` is how many the enclosing connection may return (requested cost of lists).
 */
function fieldCost(
  walk: Walk,
  parent: GraphQLObjectType,
  node: FieldNode,
  value: unknown,
  count: number,
): number {
  const def = parent.getFields()[node.name.value];
  if (!def || !node.selectionSet) return 0;
  const type = getNamedType(def.type);
  if (!isObjectType(type) || VALUE_TYPES.has(type.name)) return 0;
  const sub = (v: unknown, n: number) =>
    selectionCost(walk, type, node.selectionSet as SelectionSetNode, v, n);
  if (isConnection(type)) {
    if (value === undefined) return COST_LIMITS.connectionCost + sub(undefined, firstOf(walk, def, node));
    return value === null ? 0 : COST_LIMITS.connectionCost + sub(value, 0);
  }
  const per = isEdge(type) ? 0 : COST_LIMITS.objectCost;
  if (value === undefined) {
    const many = def.type.toString().includes('[');
    return (many ? count : 1) * (per + sub(undefined, count));
  }
  if (value === null) return 0;
  const items = Array.isArray(value) ? value : [value];
  return items.reduce((sum: number, v) => sum + (v === null ? 0 : per + sub(v, 0)), 0);
}

function selectionCost(
  walk: Walk,
  type: GraphQLObjectType,
  set: SelectionSetNode,
  value: unknown,
  count: number,
): number {
  let total = 0;
  for (const f of fieldsOf(walk, type, set)) {
    let v: unknown;
    if (value !== undefined) {
      const obj = value as Record<string, unknown>;
      if (!(responseKey(f) in obj)) continue;
      v = obj[responseKey(f)] ?? null;
    }
    total += fieldCost(walk, type, f, v, count);
  }
  return total;
}
