import { describe, expect, it } from 'vitest';
import { LOCK_MAX_SECONDS, LoginThrottle } from './login-throttle.js';

const S = 1000;

describe('LoginThrottle (explicit clock)', () => {
  const limits = { maxFailuresPerIp: 100, maxFailuresPerAccount: 3, windowSeconds: 900 };

  it('locks an account after N failures for a minute, then twice as long per further lock, capped at an hour', () => {
    const th = new LoginThrottle(limits);
    let now = 1_000_000;
    for (let i = 0; i < 2; i++) th.failed('10.0.0.1', 'A@x.test', now);
    expect(th.retryAfter('10.0.0.1', 'a@x.test', now)).toBe(0);
    th.failed('10.0.0.1', 'a@x.test', now);
    expect(th.retryAfter('10.0.0.9', 'A@X.TEST', now)).toBe(60); // by account, whatever the IP or case
    expect(th.retryAfter('10.0.0.1', 'b@x.test', now)).toBe(0);
    const locks: number[] = [];
    for (let i = 0; i < 8; i++) {
      now += th.retryAfter('ip', 'a@x.test', now) * S; // wait the lock out, then fail once more
      th.failed('10.0.0.1', 'a@x.test', now);
      locks.push(th.retryAfter('ip', 'a@x.test', now));
    }
    expect(locks).toEqual([120, 240, 480, 960, 1920, LOCK_MAX_SECONDS, LOCK_MAX_SECONDS, LOCK_MAX_SECONDS]);
  });

  it('a success clears the account; a quiet window after the last lock forgets everything', () => {
    const th = new LoginThrottle(limits);
    const now = 5_000_000;
    th.failed('ip', 'a@x.test', now);
    th.failed('ip', 'a@x.test', now);
    th.succeeded('a@x.test');
    th.failed('ip', 'a@x.test', now);
    th.failed('ip', 'a@x.test', now);
    expect(th.retryAfter('ip', 'a@x.test', now)).toBe(0);
    th.failed('ip', 'a@x.test', now);
    expect(th.retryAfter('ip', 'a@x.test', now)).toBe(60);
    // One more failure right after the lock: locked again, longer.
    th.failed('ip', 'a@x.test', now + 60 * S);
    expect(th.retryAfter('ip', 'a@x.test', now + 60 * S)).toBe(120);
    // Quiet for a whole window after that lock ended: back to N tries and a one-minute lock.
    const later = now + 60 * S + 120 * S + 901 * S;
    th.failed('ip', 'a@x.test', later);
    th.failed('ip', 'a@x.test', later);
    expect(th.retryAfter('ip', 'a@x.test', later)).toBe(0);
    th.failed('ip', 'a@x.test', later);
    expect(th.retryAfter('ip', 'a@x.test', later)).toBe(60);
  });

  it('locks an IP after its own limit, across accounts; a success does not clear the IP', () => {
    const th = new LoginThrottle({ ...limits, maxFailuresPerIp: 4 });
    const now = 9_000_000;
    for (let i = 0; i < 3; i++) th.failed('10.0.0.7', `u${i}@x.test`, now);
    th.succeeded('u0@x.test');
    expect(th.retryAfter('10.0.0.7', 'other@x.test', now)).toBe(0);
    th.failed('10.0.0.7', 'u3@x.test', now);
    expect(th.retryAfter('10.0.0.7', 'other@x.test', now)).toBe(60);
    expect(th.retryAfter('10.0.0.8', 'other@x.test', now)).toBe(0);
  });
});
