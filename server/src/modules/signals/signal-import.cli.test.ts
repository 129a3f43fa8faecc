import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/test-database.js';

// `zhongshu signals import` as a real process, against the same kind of database as the suite.
let env: NodeJS.ProcessEnv;
let cleanup: () => Promise<void>;
let work: string;
const bin = join(import.meta.dirname, '..', '..', '..', 'bin', 'zhongshu.mjs');

function zhongshu(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  const t = await openTestDatabase();
  await t.database.close(); // PGlite allows one process per data dir
  work = mkdtempSync(join(tmpdir(), 'zhongshu-signals-cli-'));
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

describe('zhongshu signals import', () => {
  it('dry-runs, imports, reports bad rows by file row number, and re-imports as duplicates', {
    timeout: 180_000,
  }, () => {
    const created = zhongshu(
      'user',
      'create',
      '--tenant',
      'sig-co',
      '--email',
      'boss@sig.test',
      '--password',
      'long-password',
      '--role',
      'admin',
    );
    expect(created.code, created.err).toBe(0);
    const file = join(work, 'signals.csv');
    writeFileSync(
      file,
      [
        'type,occurred_at,company_name,payload.visits',
        'website_visit,2026-11-20 10:00,某某科技有限公司,2',
        'website_visit,not a date,某某科技有限公司,2',
        'no_such_type,2026-11-20,某某科技有限公司,',
        'website_visit,2026-11-21,某某科技有限公司,1',
      ].join('\n'),
    );
    const noSource = zhongshu('signals', 'import', '--tenant', 'sig-co', '--file', file);
    expect(noSource.code).toBe(2);
    expect(noSource.err).toContain('source');

    const dry = zhongshu(
      'signals',
      'import',
      '--tenant',
      'sig-co',
      '--file',
      file,
      '--source',
      'web',
      '--dry-run',
    );
    expect(dry.code, dry.err).toBe(1);
    expect(dry.out).toContain('row 3: occurred_at');
    expect(dry.out).toContain('row 4: type: unknown signal type no_such_type');
    expect(dry.out).toMatch(
      /Dry run: 4 rows: 2 would be accepted \(2 unmatched, kept for review\), 0 duplicates, 2 rejected/,
    );

    const real = zhongshu('signals', 'import', '--tenant', 'sig-co', '--file', file, '--source', 'web');
    expect(real.out).toMatch(/4 rows: 2 accepted .* 0 duplicates, 2 rejected/);
    const again = zhongshu('signals', 'import', '--tenant', 'sig-co', '--file', file, '--source', 'web');
    expect(again.out).toMatch(/4 rows: 0 accepted .* 2 duplicates, 2 rejected/);

    const good = join(work, 'good.csv');
    writeFileSync(
      good,
      'type,source,occurred_at,domain,payload.visits\nwebsite_visit,web,2026-11-22,a.cn,1\n',
    );
    const ok = zhongshu('signals', 'import', '--tenant', 'sig-co', '--file', good);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain('1 accepted');
  });

  it('exits 2 for an unknown tenant, an unreadable or bad file', () => {
    const file = join(work, 'x.csv');
    writeFileSync(file, 'type,source,occurred_at,domain\nwebsite_visit,web,2026-11-22,a.cn\n');
    const noTenant = zhongshu('signals', 'import', '--tenant', 'nope', '--file', file);
    expect(noTenant.code).toBe(2);
    expect(noTenant.err).toContain('No tenant named "nope"');
    const missing = zhongshu('signals', 'import', '--tenant', 'sig-co', '--file', join(work, 'missing.csv'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('cannot read');
    const xlsx = join(work, 'bad.xlsx');
    writeFileSync(xlsx, 'not a zip');
    const bad = zhongshu('signals', 'import', '--tenant', 'sig-co', '--file', xlsx);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('not a readable .xlsx');
  });
});
