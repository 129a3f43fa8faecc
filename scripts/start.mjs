#!/usr/bin/env node
// `npm start`: build the web app once if it has not been built, then run the server
// (migrate → seed the demo tenant on an empty database → serve on PORT).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const webPackage = join(root, 'web', 'package.json');
const webIndex = join(root, 'web', 'dist', 'index.html');
if (existsSync(webPackage) && !existsSync(webIndex)) {
  console.log('Building the web app (first start only)…');
  const build = spawnSync('npm', ['run', 'build', '--workspace', 'web'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) console.warn('The web app did not build; the API still starts.');
}
const server = spawnSync(
  process.execPath,
  [join(root, 'server', 'bin', 'zhongshu.mjs'), 'start', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exit(server.status ?? 1);
