/**
 * Writes the GraphQL schema as SDL to server/src/modules/graphql/schema.graphql:
 *   npm run graphql:sdl --workspace server
 * src/modules/graphql/graphql.sdl.test.ts fails when the committed SDL differs from the schema.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printedSdl, SDL_FILE } from '../src/modules/graphql/graphql.sdl.js';

writeFileSync(SDL_FILE, printedSdl());
console.log(`wrote ${fileURLToPath(SDL_FILE)}`);
