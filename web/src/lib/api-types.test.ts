// @vitest-environment node
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const web = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The committed API types (api-schema.d.ts) are what the server's route schemas say today: the
 * script builds the OpenAPI document in-process (no server, no database) and compares. When this
 * fails, run `npm run api:types --workspace web` and commit the file.
 */
it('api-schema.d.ts matches the server OpenAPI document', async () => {
  const run = promisify(execFile);
  const result = await run(process.execPath, ['--import', 'tsx', 'scripts/api-types.ts', '--check'], {
    cwd: web,
  }).then(
    ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? 1,
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? String(error),
    }),
  );
  expect(result.stderr.trim() || result.stdout.trim()).toContain('matches the server');
  expect(result.code).toBe(0);
}, 120_000);
