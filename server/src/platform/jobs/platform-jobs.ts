import type { Platform } from '../platform.js';

/** Housekeeping that every installation runs on a schedule. */
export function registerPlatformJobs(platform: Platform): void {
  platform.jobs.register(
    'platform.purge-expired-sessions',
    async () => {
      await platform.database.query('delete from sessions where expires_at < now()', []);
    },
    { cron: '17 * * * *' },
  );
  platform.jobs.register(
    'platform.purge-dispatched-events',
    async () => {
      await platform.database.query(
        `delete from domain_events where dispatched_at < now() - interval '30 days' and last_error is null`,
        [],
      );
    },
    { cron: '23 3 * * *' },
  );
}
