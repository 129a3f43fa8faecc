import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';

/**
 * One process at a time on an embedded (PGlite) data dir: PGlite keeps its state in the process, so
 * a second process on the same files silently loses its writes (or the first one's). The holder
 * creates `zhongshu.lock` in the data dir with O_CREAT|O_EXCL (atomic on local file systems) and
 * writes who it is into it; everyone else reads that and refuses to open the dir.
 *
 * - A lock whose process is gone (same host, pid not alive: kill -9, power loss) is taken over.
 * - Released on close and, as a last resort, on process exit.
 * - The file is 0600 and carries a random token: the holder's local admin channel (see
 *   platform/local-admin) accepts commands only from callers that can read it.
 */
export const LOCK_FILE = 'zhongshu.lock';

export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO time the holder took the lock. */
  since: string;
  /** What the holder runs, e.g. "zhongshu start". */
  command: string;
  /** Secret for the local admin channel (only readable by the data dir's owner). */
  token: string;
  /** Where the holder serves CLI commands (unix socket / named pipe); absent = it does not. */
  admin?: string;
  /** Linux boot id: a lock from before a reboot is stale whatever its pid. */
  boot?: string;
}

/** Locks this process holds, by data dir. */
const held = new Map<string, DataDirLock>();

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `the data dir ${dataDir} is in use by process ${holder.pid}${holder.hostname !== hostname() ? ` on ${holder.hostname}` : ''} (${holder.command}, since ${holder.since}): stop that process first, or set ZHONGSHU_DATA_DIR to another directory`,
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  readonly dataDir: string;
  readonly holder: LockHolder;
  /** Rewrites the lock file to announce the admin channel address (or withdraw it). */
  advertise(admin: string | undefined): void;
  release(): void;
}

function processCommand(): string {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const script = basename(process.argv[1] ?? 'node');
  const name = script.startsWith('zhongshu') || script === 'cli.ts' ? 'zhongshu' : script;
  return [name, ...args.slice(0, 2)].join(' ');
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The current holder of the dir's lock, or null when there is none (or only a stale one). */
export function readLockHolder(dataDir: string): LockHolder | null {
  const holder = readRaw(join(dataDir, LOCK_FILE));
  if (!holder || isStale(holder)) return null;
  return holder;
}

function readRaw(path: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

function isStale(holder: LockHolder): boolean {
  // Another host's pid cannot be checked from here: such a lock is only removed by hand.
  if (holder.hostname !== hostname()) return false;
  if (holder.boot && bootId() && holder.boot !== bootId()) return true;
  // Our own pid but not our lock: a previous incarnation (a container restarted, pid 1 again).
  if (holder.pid === process.pid) return ![...held.values()].some((l) => l.holder.token === holder.token);
  return !isAlive(holder.pid);
}

let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const lock of held.values()) lock.release();
  });
}

/** Takes the lock on dataDir or throws DataDirLockedError naming the live holder. */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const path = join(dataDir, LOCK_FILE);
  const holder: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    since: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    command: processCommand(),
    token: randomBytes(32).toString('base64url'),
    boot: bootId(),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(holder));
      } finally {
        closeSync(fd);
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 100) throw err;
    }
    const current = readRaw(path);
    if (current === null) {
      // Created but not yet written by a racing opener, or a torn file left by a crash.
      if (fileAgeMs(path) < 2000) {
        sleepSync(50);
        continue;
      }
    } else if (!isStale(current)) {
      throw new DataDirLockedError(dataDir, current);
    }
    takeOverStale(dataDir, path, current);
  }
  let released = false;
  const lock: DataDirLock = {
    dataDir,
    holder,
    advertise(admin) {
      if (admin) holder.admin = admin;
      else delete holder.admin;
      // Rename over the file: readers see the old or the new content, never half of it.
      const tmp = `${path}.${process.pid}.tmp`;
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, JSON.stringify(holder));
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
    },
    release() {
      if (released) return;
      released = true;
      held.delete(dataDir);
      // Only remove the file while it is still ours.
      if (readRaw(path)?.token === holder.token) {
        try {
          unlinkSync(path);
        } catch {
          /* already gone */
        }
      }
    },
  };
  held.set(dataDir, lock);
  installExitHook();
  return lock;
}

/**
 * Removes a stale lock. Two openers may both find the same stale lock: a guard file (itself
 * O_EXCL) lets one of them remove it, so the other cannot delete the new holder's fresh lock.
 */
function takeOverStale(dataDir: string, path: string, seen: LockHolder | null) {
  const guard = `${path}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Someone else is taking over; a guard older than 10 s was left by a crash.
    if (fileAgeMs(guard) > 10_000) unlinkQuiet(guard);
    else sleepSync(50);
    return;
  }
  closeSync(fd);
  try {
    const now = readRaw(path);
    if (now === null ? seen === null : now.token === seen?.token) unlinkQuiet(path);
    else if (now && !isStale(now)) throw new DataDirLockedError(dataDir, now);
  } finally {
    unlinkQuiet(guard);
  }
}

function fileAgeMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function unlinkQuiet(path: string) {
  try {
    unlinkSync(path);
  } catch {
    /* gone */
  }
}

function sleepSync(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
