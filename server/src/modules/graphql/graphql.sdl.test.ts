import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printedSdl, SDL_FILE } from './graphql.sdl.js';

describe('the committed SDL', () => {
  it('is the schema as it is (on a failure: npm run graphql:sdl --workspace server)', () => {
    expect(readFileSync(SDL_FILE, 'utf8')).toBe(printedSdl());
  });
});
