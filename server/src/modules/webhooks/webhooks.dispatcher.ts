import { and, eq, sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { userService } from '../../platform/auth/auth.routes.js';
import { systemContext } from '../../platform/auth/auth-context.js';
import { cachesOf } from '../../platform/caches.js';
import { execRows, type Tx } from '../../platform/db/database.js';
import type { Platform } from '../../platform/platform.js';
import { webhookAttempts, webhookDeliveries, webhookEndpoints, webhookMessages } from './webhooks.schema.js';
import {
  DISABLE_AFTER_MS,
  type EndpointRow,
  type EndpointSecret,
  emitEndpointDisabled,
  evictEndpoints,
  type MessageRow,
  retryDelayMs,
  signingSecrets,
} from './webhooks.service.js';

const CLAIM_BATCH = 100;
const PARALLEL = 16;
const LEASE_SECONDS = 120;
const TIMEOUT_MS = 15_000;
const EXCERPT_BYTES = 2048;

export interface AttemptResult {
  delivery_id: string;
  status_code: number | null;
  duration_ms: number;
  ok: boolean;
  error: string | null;
  /** What the delivery is now: pending (retry scheduled), succeeded, failed. */
  delivery_status: string;
  next_attempt_at: string | null;
}

/** The signed request of one message (Standard Webhooks: webhook-id, -timestamp, -signature). */
export function signedHeaders(message: MessageRow, secrets: string[], body: string, now = new Date()) {
  const signatures = secrets.map((s) => new Webhook(s).sign(message.id, now, body));
  return {
    'content-type': 'application/json',
    'user-agent': 'Zhongshu-Webhooks/1',
    'webhook-id': message.id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

/**
 * Sends due deliveries: claims a batch (leased through next_attempt_at, SKIP LOCKED so several
 * processes share the work), POSTs each through the platform's outbound client, records the attempt
 * and schedules the next one. Runs while the server's workers run; `nudge()` after new work.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  /** Until start() (the server's workers), nudges do nothing: tests and one-shot CLIs drain explicitly. */
  private stopped = true;

  constructor(private readonly platform: Platform) {}

  start(pollMs = 1000): void {
    this.stopped = false;
    this.timer = setInterval(() => this.nudge(), pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .then(() => undefined)
      .catch((err) => console.error('[zhongshu] webhook dispatch failed', err))
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) {
          this.again = false;
          this.nudge();
        }
      });
  }

  /** Waits for a running pass, then sends what is due until nothing is (tests, a shutdown drain). */
  async settle(): Promise<void> {
    for (;;) {
      await this.running;
      const made = await this.drain();
      if (made === 0 && !this.running) return;
    }
  }

  /** Sends everything due now, batch after batch; returns how many attempts were made. */
  async drain(): Promise<number> {
    let made = 0;
    for (;;) {
      const batch = await this.claim();
      if (batch.length === 0) return made;
      made += batch.length;
      await runLimited(batch, PARALLEL, (id) => this.attemptById(id, 'schedule'));
      if (this.stopped) return made;
    }
  }

  private async claim(): Promise<string[]> {
    const rows = await execRows<{ id: string }>(
      this.platform.database.db,
      sql`update webhook_deliveries d set next_attempt_at = now() + make_interval(secs => ${LEASE_SECONDS})
          from webhook_endpoints e
          where d.id in (
            select id from webhook_deliveries
            where status = 'pending' and next_attempt_at <= now()
            order by next_attempt_at limit ${CLAIM_BATCH}
            for update skip locked)
          and e.id = d.endpoint_id and e.status = 'enabled'
          returning d.id`,
    );
    // Pending deliveries of disabled endpoints wait (unscheduled) until the endpoint is enabled again.
    await this.platform.database.query(
      `update webhook_deliveries d set next_attempt_at = null from webhook_endpoints e
        where d.status = 'pending' and d.next_attempt_at <= now() and e.id = d.endpoint_id and e.status <> 'enabled'`,
    );
    return rows.map((r) => r.id);
  }

  /** One HTTP attempt of a delivery, now (the schedule, a replay or a test). */
  async attemptById(
    deliveryId: string,
    trigger: 'schedule' | 'replay' | 'test' | 'recover',
  ): Promise<AttemptResult> {
    const { database, outbound, config } = this.platform;
    const loaded = await database.systemTx(async (tx) => {
      const [d] = await tx.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
      if (!d) return null;
      const [e] = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, d.endpoint_id));
      const [m] = await tx.select().from(webhookMessages).where(eq(webhookMessages.id, d.message_id));
      return { d, e, m };
    });
    if (!loaded) throw new Error(`no webhook delivery ${deliveryId}`);
    const { d, e, m } = loaded;
    const body = JSON.stringify(m.payload);
    const headers = signedHeaders(m, signingSecrets(e.secrets as EndpointSecret[]), body);
    const started = performance.now();
    let status: number | null = null;
    let excerpt: string | null = null;
    let error: string | null = null;
    try {
      const res = await outbound.fetch(e.url, {
        method: 'POST',
        headers,
        body,
        timeoutMs: TIMEOUT_MS,
        redirect: 'manual',
      });
      status = res.status;
      excerpt = (await res.text()).slice(0, EXCERPT_BYTES);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const duration = Math.round(performance.now() - started);
    const ok = status !== null && status >= 200 && status < 300;
    const result = await database.systemTx(async (tx) => {
      await tx.insert(webhookAttempts).values({
        tenant_id: d.tenant_id,
        delivery_id: d.id,
        status_code: status,
        duration_ms: duration,
        request_headers: {
          ...headers,
          'webhook-signature': `${headers['webhook-signature'].split(' ').length} signature(s)`,
        },
        response_excerpt: excerpt,
        error,
        trigger,
      });
      const attempts = d.attempts + 1;
      const now = new Date();
      let next: Date | null = null;
      let deliveryStatus: string;
      if (ok) deliveryStatus = 'succeeded';
      else {
        const delay = d.status === 'pending' ? retryDelayMs(attempts, config.webhooks.retryScale) : null;
        next = delay === null ? null : new Date(now.getTime() + delay);
        deliveryStatus = next ? 'pending' : 'failed';
      }
      await tx
        .update(webhookDeliveries)
        .set({
          status: deliveryStatus,
          attempts,
          next_attempt_at: next,
          last_attempt_at: now,
          last_status_code: status,
          last_error: error ?? (ok ? null : `HTTP ${status}`),
          updated_at: now,
        })
        .where(eq(webhookDeliveries.id, d.id));
      await this.afterAttempt(tx, e, ok, status, now);
      return {
        delivery_id: d.id,
        status_code: status,
        duration_ms: duration,
        ok,
        error,
        delivery_status: deliveryStatus,
        next_attempt_at: next?.toISOString() ?? null,
      };
    });
    // A failure may have disabled the endpoint: drop the cached list again now that it committed.
    if (!ok) evictEndpoints(this.platform.caches, e.tenant_id);
    return result;
  }

  /** The endpoint's health: a success clears it; 410 or 5 days of failures disable it and tell the admins. */
  private async afterAttempt(tx: Tx, e: EndpointRow, ok: boolean, status: number | null, now: Date) {
    if (ok) {
      if (e.failing_since)
        await tx.update(webhookEndpoints).set({ failing_since: null }).where(eq(webhookEndpoints.id, e.id));
      return;
    }
    const since = e.failing_since ?? now;
    const reason =
      status === 410 ? 'gone' : now.getTime() - since.getTime() >= DISABLE_AFTER_MS ? 'failing' : null;
    if (!reason || e.status !== 'enabled') {
      if (!e.failing_since)
        await tx.update(webhookEndpoints).set({ failing_since: now }).where(eq(webhookEndpoints.id, e.id));
      return;
    }
    const [disabled] = await tx
      .update(webhookEndpoints)
      .set({
        status: 'disabled',
        disabled_reason: reason,
        disabled_at: now,
        failing_since: since,
        updated_at: now,
      })
      .where(and(eq(webhookEndpoints.id, e.id), eq(webhookEndpoints.status, 'enabled')))
      .returning();
    if (!disabled) return; // another attempt disabled it first
    evictEndpoints(cachesOf(tx), e.tenant_id);
    await emitEndpointDisabled(tx, e, reason);
    this.platform.bus.nudge();
    await this.tellAdmins(tx, e, reason);
  }

  private async tellAdmins(tx: Tx, e: EndpointRow, reason: 'gone' | 'failing') {
    const ctx = systemContext(e.tenant_id, 'webhooks', 'Zhongshu webhooks');
    const page = await userService.list(tx, ctx, { role: 'admin', limit: 50 });
    const to = page.data
      .filter((u) => u.active !== false)
      .map((u) => String(u.email))
      .filter(Boolean);
    if (to.length === 0) return;
    const why =
      reason === 'gone'
        ? { zh: '对方返回 410（Gone），表示该地址已不再接收', en: 'the receiver answered 410 Gone' }
        : { zh: '已连续 5 天推送失败', en: 'every attempt has failed for 5 days' };
    await this.platform.mail.send({
      to,
      subject: `【中枢】Webhook 已停用 / Webhook disabled: ${e.url}`,
      text: [
        `Webhook 地址 ${e.url} 已被自动停用：${why.zh}。`,
        '停用期间的事件会保留 90 天；排查后在「管理 → Webhooks」重新启用，并可从指定时间起补发。',
        '',
        `The webhook endpoint ${e.url} was disabled automatically: ${why.en}.`,
        'Events are kept 90 days: fix the receiver, enable the endpoint again under Admin → Webhooks, and recover from a point in time.',
      ].join('\n'),
    });
  }
}

const dispatchers = new WeakMap<Platform, WebhookDispatcher>();

/** The platform's dispatcher (one per platform instance). */
export function webhookDispatcher(platform: Platform): WebhookDispatcher {
  let d = dispatchers.get(platform);
  if (!d) {
    d = new WebhookDispatcher(platform);
    dispatchers.set(platform, d);
  }
  return d;
}

/** Runs fn over items with at most `limit` at a time. */
async function runLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item).catch((err) => console.error('[zhongshu] webhook attempt failed', err));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Due deliveries waiting right now (the /metrics gauge and tests). */
export async function dueCount(platform: Platform): Promise<number> {
  const { rows } = await platform.database.query<{ n: number }>(
    `select count(*)::int as n from webhook_deliveries where status = 'pending' and next_attempt_at <= now()`,
  );
  return rows[0]?.n ?? 0;
}
