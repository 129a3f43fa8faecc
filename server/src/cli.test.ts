import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../test/test-database.js';

// The CLI runs as a real process against the same kind of database as the rest of the suite.
let env: NodeJS.ProcessEnv;
let cleanup: () => Promise<void>;
let work: string;
const bin = join(import.meta.dirname, '..', 'bin', 'zhongshu.mjs');

function zhongshu(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  const t = await openTestDatabase();
  // Hand the database over to the CLI process (PGlite allows one process per data dir).
  await t.database.close();
  work = mkdtempSync(join(tmpdir(), 'zhongshu-cli-'));
  env = {
    ...process.env,
    DATABASE_URL: t.url ?? '',
    ZHONGSHU_DATA_DIR: t.dataDir ?? join(work, 'data'),
    LOG_LEVEL: 'silent',
  };
  cleanup = t.cleanup;
});
afterAll(async () => {
  await cleanup?.();
  rmSync(work, { recursive: true, force: true });
});

describe('zhongshu CLI', () => {
  it('migrates, creates users (and their tenant), seeds demo data, and imports a file', {
    timeout: 180_000,
  }, () => {
    expect(zhongshu('migrate').code).toBe(0);
    const created = zhongshu(
      'user',
      'create',
      '--tenant',
      'cli-co',
      '--email',
      'boss@cli.test',
      '--password',
      'long-password',
      '--role',
      'admin',
    );
    expect(created.code, created.err).toBe(0);
    expect(created.out).toContain('Created tenant "cli-co"');
    const dup = zhongshu(
      'user',
      'create',
      '--tenant',
      'cli-co',
      '--email',
      'boss@cli.test',
      '--password',
      'long-password',
    );
    expect(dup.code).toBe(2);
    expect(dup.err).toContain('already exists');
    const badRole = zhongshu(
      'user',
      'create',
      '--tenant',
      'cli-co',
      '--email',
      'x@cli.test',
      '--password',
      'long-password',
      '--role',
      'emperor',
    );
    expect(badRole.code).not.toBe(0);
    expect(badRole.err).toContain('emperor');

    const seeded = zhongshu('seed', 'demo', '--tenant', 'cli-co');
    expect(seeded.code, seeded.err).toBe(0);
    const m = seeded.out.match(/(\d+) accounts, (\d+) contacts, (\d+) opportunities/);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(50);
    expect(Number(m![2])).toBeGreaterThanOrEqual(300);
    expect(Number(m![3])).toBeGreaterThanOrEqual(200);

    const file = join(work, 'products.csv');
    writeFileSync(file, 'name,unit_price\n磷酸铁锂电芯,1200\n坏价格,free\n');
    const dry = zhongshu('import', '--tenant', 'cli-co', '--entity', 'products', '--file', file, '--dry-run');
    expect(dry.out).toContain('row 3: unit_price');
    expect(dry.out).toContain('Dry run: 2 rows, 1 valid, 1 invalid');
    const real = zhongshu('import', '--tenant', 'cli-co', '--entity', 'products', '--file', file);
    expect(real.out).toContain('1 imported');
    expect(zhongshu('import', '--tenant', 'nope', '--entity', 'products', '--file', file).err).toContain(
      'No tenant named "nope"',
    );
    expect(
      zhongshu('import', '--tenant', 'cli-co', '--entity', 'products', '--file', join(work, 'missing.csv'))
        .code,
    ).toBe(2);
  });

  it('answers usage errors with one line on stderr and exit 2, and --help with exit 0', () => {
    for (const [args, line] of [
      [['frobnicate'], "zhongshu: unknown command 'frobnicate'"],
      [['user', 'create', '--tenant', 'x'], "zhongshu: required option '--email <email>' not specified"],
      [
        ['import', '--tenant', 'x', '--entity', 'widgets', '--file', 'f.csv'],
        "zhongshu: option '--entity <entity>' argument 'widgets' is invalid.",
      ],
      [['migrate', '--bogus'], "zhongshu: unknown option '--bogus'"],
    ] as const) {
      const r = zhongshu(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.split('\n').filter(Boolean)).toHaveLength(1);
      expect(r.err.startsWith(line), r.err).toBe(true);
    }
    const help = zhongshu('import', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('--entity <entity>');
  });
});
