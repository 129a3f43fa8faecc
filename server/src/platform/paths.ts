import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The server package's root folder (the one holding drizzle/ and src/), found from this file's
 * location, so paths work both from src/ (tsx, tests) and from the bundled dist/.
 */
function findServerRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'drizzle', 'meta', '_journal.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('Cannot find the server folder (drizzle/meta/_journal.json)');
}

export const SERVER_ROOT = findServerRoot();
export const MIGRATIONS_FOLDER = join(SERVER_ROOT, 'drizzle');
export const DEFAULT_WEB_DIST = join(SERVER_ROOT, '..', 'web', 'dist');
