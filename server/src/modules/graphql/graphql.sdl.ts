import { graphqlJs } from './graphql-js.js';

const { lexicographicSortSchema, printSchema } = graphqlJs;

import { graphqlSchema } from './graphql.schema.js';

/** The committed SDL next to the schema (server/scripts/graphql-sdl.ts writes it). */
export const SDL_FILE = new URL('./schema.graphql', import.meta.url);

/** The schema as SDL, sorted, with a header saying where it comes from. */
export function printedSdl(): string {
  return `# Generated from the Pothos schema by server/scripts/graphql-sdl.ts (npm run graphql:sdl --workspace server).
# Do not edit: graphql.sdl.test.ts fails when this file differs from the schema.
${printSchema(lexicographicSortSchema(graphqlSchema))}
`;
}
