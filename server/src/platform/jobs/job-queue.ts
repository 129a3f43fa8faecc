import PgBoss from 'pg-boss';
import type { Database } from '../db/database.js';
import { maskSecrets } from '../http/log-redact.js';

export type JobHandler<T = unknown> = (data: T) => Promise<void>;

/**
 * Named, durable job queues on the same PostgreSQL/PGlite database (pg-boss 10): retries with
 * backoff, cron schedules, dead letters. With ZHONGSHU_JOBS=off (tests, CLI one-shots) work is
 * registered but no worker polls; callers may still run a handler directly.
 */
export class JobQueue {
  private boss: PgBoss | null = null;
  private handlers = new Map<string, { fn: JobHandler; cron?: string }>();

  constructor(
    private readonly database: Database,
    private readonly enabled: boolean,
    private readonly connectionString?: string,
  ) {}

  register<T>(queue: string, fn: JobHandler<T>, opts: { cron?: string } = {}): void {
    // Each queue's jobs carry the data its sender gave (send<T>), so the handler reads them as T.
    this.handlers.set(queue, { fn: (data) => fn(data as T), cron: opts.cron });
  }

  async start(): Promise<void> {
    if (!this.enabled || this.boss) return;
    const boss = this.connectionString
      ? new PgBoss({ connectionString: this.connectionString, max: 4 })
      : new PgBoss({
          db: { executeSql: (text: string, values?: unknown[]) => this.database.query(text, values) },
        });
    boss.on('error', (err) => console.error('[zhongshu] job queue error', maskSecrets(String(err.message))));
    await boss.start();
    for (const [queue, { fn, cron }] of this.handlers) {
      await boss.createQueue(queue, { name: queue, retryLimit: 5, retryBackoff: true, retryDelay: 5 });
      await boss.work(queue, { pollingIntervalSeconds: 2 }, async (jobs) => {
        for (const job of jobs) await fn(job.data);
      });
      if (cron) await boss.schedule(queue, cron, {});
    }
    this.boss = boss;
  }

  async send<T extends object>(queue: string, data: T): Promise<void> {
    if (this.boss) {
      await this.boss.send(queue, data);
      return;
    }
    const h = this.handlers.get(queue);
    if (!h) throw new Error(`No job queue named ${queue}`);
    await h.fn(data); // no worker running: do it now, in-process
  }

  async stop(): Promise<void> {
    await this.boss?.stop({ graceful: true, wait: true, timeout: 5000 });
    this.boss = null;
  }
}
