/** Failed-login limits (config.login): per client IP and per account (email, lower-cased). */
export interface LoginLimits {
  maxFailuresPerIp: number;
  maxFailuresPerAccount: number;
  windowSeconds: number;
}

/** First lock lasts this long; each further lock doubles it, up to LOCK_MAX_SECONDS. */
export const LOCK_BASE_SECONDS = 60;
export const LOCK_MAX_SECONDS = 3600;
/** Bounded memory: beyond this many tracked IPs/accounts the least recently failed are forgotten. */
const MAX_ENTRIES = 50_000;

interface Entry {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
  /** Locks so far in this run of failures; the next lock lasts LOCK_BASE_SECONDS · 2^locks. */
  locks: number;
}

/**
 * Counts failures of one kind of key (IP or account). After `max` failures without a quiet
 * `window` between them the key is locked for a minute; every further failure after a lock
 * ends locks it again for twice as long (capped at an hour). A quiet window (counted from the
 * last failure or the end of the last lock, whichever is later) forgets everything.
 * Only failures count: successful logins never lock anyone out.
 */
export class FailureCounter {
  private entries = new Map<string, Entry>();

  constructor(
    private readonly max: () => number,
    private readonly windowMs: () => number,
  ) {}

  /** Milliseconds until the key may try again (0 = not locked). */
  lockedFor(key: string, now: number): number {
    const e = this.entries.get(key);
    return e && e.lockedUntil > now ? e.lockedUntil - now : 0;
  }

  /** Records a failure; returns the lock it caused in ms (0 = none). */
  fail(key: string, now: number): number {
    let e = this.entries.get(key);
    // Quiet since the last failure (or the end of the last lock) for a whole window: start over.
    if (!e || now - Math.max(e.lastFailureAt, e.lockedUntil) > this.windowMs())
      e = { failures: 0, lastFailureAt: now, lockedUntil: 0, locks: 0 };
    this.entries.delete(key); // re-inserted below: Map order is least recently failed first
    e.failures += 1;
    e.lastFailureAt = now;
    let lock = 0;
    if (e.failures >= this.max()) {
      lock = Math.min(LOCK_BASE_SECONDS * 2 ** e.locks, LOCK_MAX_SECONDS) * 1000;
      e.lockedUntil = now + lock;
      e.locks += 1;
    }
    this.entries.set(key, e);
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return lock;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Per-process throttle for failed logins, by client IP and by account. */
export class LoginThrottle {
  readonly byIp: FailureCounter;
  readonly byAccount: FailureCounter;

  constructor(private limits: LoginLimits) {
    const windowMs = () => this.limits.windowSeconds * 1000;
    this.byIp = new FailureCounter(() => this.limits.maxFailuresPerIp, windowMs);
    this.byAccount = new FailureCounter(() => this.limits.maxFailuresPerAccount, windowMs);
  }

  configure(limits: LoginLimits): void {
    this.limits = limits;
  }

  /** Seconds to wait before this IP or account may try again (0 = go ahead). */
  retryAfter(ip: string, account: string, now = Date.now()): number {
    const ms = Math.max(this.byIp.lockedFor(ip, now), this.byAccount.lockedFor(accountKey(account), now));
    return Math.ceil(ms / 1000);
  }

  failed(ip: string, account: string, now = Date.now()): void {
    this.byIp.fail(ip, now);
    this.byAccount.fail(accountKey(account), now);
  }

  /** A correct password clears the account's failures (not the IP's: one good account must not
   * let an IP keep guessing others). */
  succeeded(account: string): void {
    this.byAccount.reset(accountKey(account));
  }
}

export const accountKey = (email: string) => email.trim().toLowerCase();
