import SchemaBuilder from '@pothos/core';
import type { ValueNode } from 'graphql';
import { graphqlJs } from './graphql-js.js';

const { GraphQLScalarType, Kind } = graphqlJs;

import type { GqlContext } from './graphql.context.js';

export interface GqlTypes {
  Context: GqlContext;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: string; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
  };
}

/** The Pothos schema builder of /graphql: code-first types, the SDL is printed from them. */
export const builder = new SchemaBuilder<GqlTypes>({ defaultFieldNullability: false });

export type SchemaTypes = PothosSchemaTypes.ExtendDefaultTypes<GqlTypes>;

builder.addScalarType(
  'DateTime',
  new GraphQLScalarType<Date | string, string>({
    name: 'DateTime',
    description: 'An instant as an ISO 8601 string in UTC (2026-01-31T08:00:00.000Z).',
    serialize: (v) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString()),
    parseValue: (v) => String(v),
    parseLiteral: (ast) => (ast.kind === Kind.STRING ? ast.value : String(null)),
  }),
);

function literal(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.LIST:
      return ast.values.map(literal);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value)]));
    default:
      return null;
  }
}

builder.addScalarType(
  'JSON',
  new GraphQLScalarType<unknown, unknown>({
    name: 'JSON',
    description: 'Any JSON value (custom field values, signal payloads, risk and evidence objects).',
    serialize: (v) => v,
    parseValue: (v) => v,
    parseLiteral: literal,
  }),
);

builder.queryType({
  description:
    "Reads of the CRM, signals, interventions and predictions, with the REST API's permissions and record-level sharing. " +
    "Cost model: scalar 0; object 1; connection 2 + `first` × (1 + the node's selection); mutation 10. " +
    'Every answer reports extensions.cost { requestedQueryCost, actualQueryCost, maximumAvailable }; ' +
    'a query over 1000 is refused (MAX_COST_EXCEEDED), one nested deeper than 12 fields too (MAX_DEPTH_EXCEEDED).',
});
builder.mutationType({
  description:
    'Writes through the same services as REST (validation, audit trail, lineage, events, sharing). Each costs 10 plus its selection.',
});
