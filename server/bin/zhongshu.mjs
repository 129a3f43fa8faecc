#!/usr/bin/env node
// Launcher for `npx zhongshu …` / `npm start`. Runs the CLI from a bundle of server/src built by
// esbuild (dependencies stay external), rebuilt only when a source file is newer than the bundle.
// Compiling TypeScript on every start (tsx) cost ~2 s; loading the bundle costs ~0.1 s.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const serverRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(serverRoot, 'src');
const bundle = join(serverRoot, 'dist', 'zhongshu.mjs');

function newestSourceMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const stale = !existsSync(bundle) || newestSourceMtime(srcDir) > statSync(bundle).mtimeMs;
if (stale) {
  const { build } = await import('esbuild');
  mkdirSync(dirname(bundle), { recursive: true });
  // Build to a private file, then rename: concurrent launchers never see a half-written bundle.
  const tmp = `${bundle}.${process.pid}.tmp.mjs`;
  await build({
    entryPoints: [join(srcDir, 'cli.ts')],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'error',
  });
  renameSync(tmp, bundle);
}
await import(pathToFileURL(bundle).href);
