import type { TFunction } from 'i18next';
import { useCallback, useEffect, useState } from 'react';

/**
 * Seconds to wait from a Retry-After header: delta-seconds ("300") or an HTTP date. Undefined when
 * absent or unreadable; never negative.
 */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const v = header.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** "Try again in N minutes" (rounded up) from 60 s on, seconds below that. */
export function waitPhrase(seconds: number): { unit: 'minutes' | 'seconds'; count: number } {
  const s = Math.max(1, Math.ceil(seconds));
  return s >= 60 ? { unit: 'minutes', count: Math.ceil(s / 60) } : { unit: 'seconds', count: s };
}

/** The lock-out message in the UI's language. */
export function lockoutMessage(t: TFunction, seconds: number): string {
  const { unit, count } = waitPhrase(seconds);
  if (unit === 'minutes')
    return count === 1 ? t('auth.lockedOneMinute') : t('auth.lockedMinutes', { minutes: count });
  return count === 1 ? t('auth.lockedOneSecond') : t('auth.lockedSeconds', { seconds: count });
}

/** m:ss for a countdown. */
export function countdown(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * A lock-out that counts down once a second: `lock(seconds)` starts it, `remaining` is the whole
 * seconds left (0 when not locked).
 */
export function useLockout(): { remaining: number; lock: (seconds: number) => void } {
  const [until, setUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    const id = setInterval(() => {
      const t = Date.now();
      setNow(t);
      if (t >= until) setUntil(null);
    }, 1000);
    return () => clearInterval(id);
  }, [until]);
  const lock = useCallback((seconds: number) => {
    const t = Date.now();
    setNow(t);
    setUntil(t + Math.max(1, seconds) * 1000);
  }, []);
  return { remaining: until === null ? 0 : Math.max(0, Math.ceil((until - now) / 1000)), lock };
}
