import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/test-database.js';
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE, readLockHolder } from './data-dir-lock.js';
import { openDatabase } from './database.js';

const dirs: string[] = [];
function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'zhongshu-lock-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A pid that was alive a moment ago and is not any more. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

describe('data dir lock', () => {
  it('is exclusive, names its holder, and is released', () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir);
    expect((statSync(join(dir, LOCK_FILE)).mode & 0o777).toString(8)).toBe('600');
    expect(readLockHolder(dir)?.pid).toBe(process.pid);
    let error: unknown;
    try {
      acquireDataDirLock(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^the data dir .+ is in use by process ${process.pid} \\(.+, since \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z\\): stop that process first`,
      ),
    );
    expect((error as Error).message).not.toContain('\n');
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    acquireDataDirLock(dir).release();
  });

  it('takes over a lock whose process is gone, and leaves a live holder alone', () => {
    const dir = tempDir();
    const stale = {
      pid: deadPid(),
      hostname: hostname(),
      since: '2026-01-01T00:00:00Z',
      command: 'zhongshu start',
      token: 'x',
    };
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(stale));
    expect(readLockHolder(dir)).toBeNull();
    const lock = acquireDataDirLock(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();

    // Our own pid in a lock we did not take: a previous incarnation (container restarted as pid 1).
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ ...stale, pid: process.pid }));
    acquireDataDirLock(dir).release();
    // A lock from before a reboot.
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ ...stale, pid: process.ppid, boot: 'another-boot' }),
    );
    if (existsSync('/proc/sys/kernel/random/boot_id')) acquireDataDirLock(dir).release();

    // A live process (this test's parent, say) keeps its lock.
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ ...stale, pid: process.ppid }));
    expect(() => acquireDataDirLock(dir)).toThrow(`in use by process ${process.ppid}`);
  });

  it('advertises the admin channel without giving the lock up', () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir);
    lock.advertise('/some/where.sock');
    expect(readLockHolder(dir)?.admin).toBe('/some/where.sock');
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it.skipIf(!!process.env.DATABASE_URL)(
    'a second openDatabase on a PGlite dir is refused before it opens the files',
    async () => {
      const t = await openTestDatabase();
      const dir = t.dataDir!;
      try {
        await expect(openDatabase({ dataDir: dir })).rejects.toBeInstanceOf(DataDirLockedError);
        expect(t.database.dataDirLock?.holder.pid).toBe(process.pid);
        // The holder still works.
        expect((await t.database.query<{ n: number }>('select 1 as n', [])).rows[0].n).toBe(1);
        await t.database.close();
        expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
      } finally {
        await t.cleanup();
      }
    },
  );
});
