import { createRequire } from 'node:module';

/**
 * graphql-js, loaded the way its dependants (Pothos, graphql-yoga) load it: through require. Under
 * vitest an `import … from 'graphql'` in our source resolves to the package's .mjs build while
 * the dependencies get the CommonJS one, and graphql-js refuses types "from another realm". Our
 * files take every graphql value from here (types may be imported directly: they are erased).
 */
export const graphqlJs = createRequire(import.meta.url)('graphql') as typeof import('graphql');
