import pino from 'pino';
import client from 'prom-client';
import type { Database, Tx } from '../db/database.js';
import { sanitizeLogValue } from '../http/log-redact.js';
import { domainEvents } from './events.schema.js';

export interface DomainEvent<P = Record<string, unknown>> {
  id: number;
  tenant_id: string;
  name: string;
  entity: string | null;
  entity_id: string | null;
  payload: P;
  created_at: string;
}

// biome-ignore lint/suspicious/noExplicitAny: each subscriber declares the payload shape of the events it subscribes to
export type EventHandler = (event: DomainEvent<any>) => Promise<void>;

/** Writes an event into the outbox, inside the caller's transaction (so it exists iff the change does). */
export async function emitEvent(
  tx: Tx,
  event: {
    tenantId: string;
    name: string;
    entity?: string;
    entityId?: string;
    payload: Record<string, unknown>;
  },
): Promise<void> {
  await tx.insert(domainEvents).values({
    tenant_id: event.tenantId,
    name: event.name,
    entity: event.entity ?? null,
    entity_id: event.entityId ?? null,
    payload: event.payload,
  });
}

const MAX_ATTEMPTS = 8;
const LEASE_SECONDS = 30;
const CLAIM_BATCH = 200;

/**
 * How two deliveries of one event name may be merged into one: returns the merged payload, or
 * null to keep them apart (e.g. the merged one would be too big). Declared by the publisher, which
 * owns the event's payload contract: named subscribers of a mergeable event must accept a merged
 * payload; '*' subscribers (live fan-out) still get every event on its own.
 */
export type EventMerge = (
  into: Record<string, unknown>,
  next: Record<string, unknown>,
) => Record<string, unknown> | null;

const merges = new Map<string, EventMerge>();

/**
 * Declares that pending events of this name of one tenant may be delivered merged, so a handler
 * that fell behind catches up with one run for many events instead of one run each.
 */
export function mergeableEvent(name: string, merge: EventMerge): string {
  merges.set(name, merge);
  return name;
}

// ---------- metrics (default registry, scraped at /metrics) ----------

/** Every relay of this process (weakly held: a closed platform's relay is dropped when collected). */
const liveBuses = new Set<WeakRef<EventBus>>();
function buses(): EventBus[] {
  const out: EventBus[] = [];
  for (const ref of liveBuses) {
    const bus = ref.deref();
    if (bus) out.push(bus);
    else liveBuses.delete(ref);
  }
  return out;
}

const handlerDuration = new client.Histogram({
  name: 'zhongshu_event_handler_duration_seconds',
  help: 'Time one event handler took for one delivery (a merged delivery counts once)',
  labelNames: ['handler', 'event'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
});
const handlerFailures = new client.Counter({
  name: 'zhongshu_event_handler_failures_total',
  help: 'Deliveries whose handler threw (the event is retried with back-off)',
  labelNames: ['handler', 'event'],
});
const relayLag = new client.Histogram({
  name: 'zhongshu_event_relay_lag_seconds',
  help: 'From an event being written to the outbox to all its handlers having run',
  labelNames: ['event'],
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
});
const mergedEvents = new client.Counter({
  name: 'zhongshu_events_merged_total',
  help: 'Events delivered merged into an earlier pending event of the same name and tenant',
  labelNames: ['event'],
});
new client.Gauge({
  name: 'zhongshu_events_pending',
  help: 'Outbox events not yet dispatched (waiting, leased or backing off after a failure)',
  async collect() {
    const stats = await Promise.all(buses().map((b) => b.backlog().catch(() => null)));
    this.set(stats.reduce((n, x) => n + (x?.pending ?? 0), 0));
  },
});
new client.Gauge({
  name: 'zhongshu_events_oldest_pending_age_seconds',
  help: 'Age of the oldest outbox event not yet dispatched (0 when none waits)',
  async collect() {
    const stats = await Promise.all(buses().map((b) => b.backlog().catch(() => null)));
    this.set(Math.max(0, ...stats.map((x) => x?.oldestAgeSeconds ?? 0)));
  },
});

/**
 * Delivers outbox events to in-process handlers, at least once: an event is leased, handed to
 * every handler subscribed to its name, then marked dispatched. A failing handler makes the
 * event retry with exponential backoff and jitter; after MAX_ATTEMPTS it is parked with its
 * error (a dead letter, visible in domain_events.last_error). Handlers must be idempotent.
 */
export class EventBus {
  private handlers = new Map<string, { name: string; fn: EventHandler }[]>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private wakeRequested = false;
  private stopped = true;
  private paused = false;

  constructor(private readonly database: Database) {
    // Its backlog shows on /metrics whether or not the relay runs (a stopped relay's queue grows).
    liveBuses.add(new WeakRef(this));
  }

  /** Subscribe a named handler to an event name, or '*' for all. */
  on(eventName: string, handlerName: string, fn: EventHandler): void {
    const list = this.handlers.get(eventName) ?? [];
    list.push({ name: handlerName, fn });
    this.handlers.set(eventName, list);
  }

  start(pollMs = 250): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.nudge();
      this.timer = setTimeout(tick, pollMs);
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Holds the relay: nudges and polls do nothing until resume() (drain and settle still run). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.nudge();
  }

  /** Ask the relay to run now (called after a commit that emitted events). */
  nudge(): void {
    if (this.paused) return;
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    this.running = this.drain()
      .then(() => undefined)
      // Through the redaction: a failed query's parameters (hashes, secrets) never reach stderr.
      .catch((err) =>
        console.error('[zhongshu] event relay failed', sanitizeLogValue(pino.stdSerializers.err(err), false)),
      )
      .finally(() => {
        this.running = null;
        if (this.wakeRequested && !this.stopped && !this.paused) {
          this.wakeRequested = false;
          this.nudge();
        }
      });
  }

  /** Dispatches every pending event now; resolves when none is left (tests and CLI use this). */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await this.claim(CLAIM_BATCH);
      if (batch.length === 0) return total;
      total += batch.length;
      // Delivered events are marked in one statement per claimed batch (a crash before it
      // redelivers them: handlers are idempotent), not one round trip per event.
      const delivered: ClaimedEvent[] = [];
      try {
        for (const group of groupMergeable(batch))
          if (await this.dispatch(group)) delivered.push(...group.events);
      } finally {
        if (delivered.length) await this.markDispatched(delivered);
      }
    }
  }

  /** Events waiting and the age of the oldest (for /metrics). */
  async backlog(): Promise<{ pending: number; oldestAgeSeconds: number }> {
    const { rows } = await this.database.query<{ n: number; age: number | null }>(
      `select count(*)::int as n, extract(epoch from now() - min(created_at))::float8 as age
         from domain_events where dispatched_at is null`,
      [],
    );
    return { pending: Number(rows[0]?.n ?? 0), oldestAgeSeconds: Math.max(0, Number(rows[0]?.age ?? 0)) };
  }

  /** Waits for an in-flight relay run, then drains. */
  async settle(): Promise<void> {
    // A finished relay run may start the next one (wakeRequested) while its events are still
    // leased, so drain() alone could return 0 while another run is mid-dispatch: wait until
    // no run is in flight and nothing is left.
    for (;;) {
      while (this.running) await this.running;
      if ((await this.drain()) === 0 && !this.running) return;
    }
  }

  private async claim(limit: number): Promise<DomainEvent[]> {
    const { rows } = await this.database.query<DomainEvent>(
      `update domain_events set claimed_until = now() + interval '${LEASE_SECONDS} seconds', attempts = attempts + 1
        where id in (select id from domain_events
                      where dispatched_at is null and (claimed_until is null or claimed_until < now())
                      order by id limit ${limit} for update skip locked)
        returning id, tenant_id, name, entity, entity_id, payload, created_at, attempts`,
      [],
    );
    return rows.sort((a, b) => Number(a.id) - Number(b.id));
  }

  /**
   * Hands one event, or a group of merged events of one name and tenant, to its handlers: named
   * handlers get the group once (the first event carrying the merged payload), '*' handlers get
   * each event. Returns true when every handler succeeded (the caller marks the events
   * dispatched); a failure schedules a retry of every event of the group.
   */
  private async markDispatched(events: ClaimedEvent[]): Promise<void> {
    await this.database.query(
      'update domain_events set dispatched_at = now(), last_error = null where id = any($1::bigint[])',
      [`{${events.map((e) => Number(e.id)).join(',')}}`],
    );
  }

  private async dispatch(group: Delivery): Promise<boolean> {
    const { events, merged } = group;
    const first = events[0];
    const named = this.handlers.get(first.name) ?? [];
    const all = this.handlers.get('*') ?? [];
    let current = { handler: '', event: first.name };
    try {
      for (const h of named) {
        current = { handler: h.name, event: first.name };
        const end = handlerDuration.startTimer(current);
        await h.fn(merged);
        end();
      }
      for (const h of all) {
        current = { handler: h.name, event: first.name };
        const end = handlerDuration.startTimer(current);
        for (const e of events) await h.fn(e);
        end();
      }
      const now = Date.now();
      for (const e of events)
        relayLag.observe({ event: e.name }, Math.max(0, (now - new Date(e.created_at).getTime()) / 1000));
      if (events.length > 1) mergedEvents.inc({ event: first.name }, events.length - 1);
      return true;
    } catch (err) {
      handlerFailures.inc(current);
      // Kept in domain_events.last_error: without a failed query's parameters or any secret.
      const message = String(sanitizeLogValue(`${(err as Error).message}`, false)).slice(0, 2000);
      for (const event of events) {
        const attempts = Number(event.attempts ?? 1);
        const next = attempts >= MAX_ATTEMPTS ? null : Math.min(300, 2 ** attempts) * (0.5 + Math.random());
        // One line per failed delivery on stderr, so an operator (and a CI log) sees what failed and when it retries.
        console.warn(
          `[zhongshu] event handler ${current.handler} failed on ${event.name} #${event.id} (attempt ${attempts} of ${MAX_ATTEMPTS}, ${next === null ? 'given up' : `retry in ${next.toFixed(1)} s`}): ${message}`,
        );
        if (next === null) {
          await this.database.query(
            'update domain_events set dispatched_at = now(), last_error = $2 where id = $1',
            [event.id, `dead: ${message}`],
          );
        } else {
          await this.database.query(
            `update domain_events set claimed_until = now() + ($2 || ' seconds')::interval, last_error = $3 where id = $1`,
            [event.id, next.toFixed(2), message],
          );
        }
      }
      return false;
    }
  }
}

type ClaimedEvent = DomainEvent & { attempts?: number };

/** One delivery: the events it stands for, and the event the named handlers get. */
interface Delivery {
  events: ClaimedEvent[];
  merged: ClaimedEvent;
}

/**
 * Claimed events in id order, with the events of a mergeable name folded into the first pending
 * one of the same name and tenant (as long as the publisher's merge accepts them), which keeps its
 * place in the order.
 */
export function groupMergeable(batch: ClaimedEvent[]): Delivery[] {
  const out: Delivery[] = [];
  const open = new Map<string, Delivery>();
  for (const e of batch) {
    const merge = merges.get(e.name);
    if (!merge) {
      out.push({ events: [e], merged: e });
      continue;
    }
    const key = `${e.tenant_id}|${e.name}`;
    const group = open.get(key);
    const payload = group
      ? merge(group.merged.payload as Record<string, unknown>, e.payload as Record<string, unknown>)
      : null;
    if (group && payload) {
      group.events.push(e);
      group.merged = { ...group.merged, payload };
      continue;
    }
    const fresh = { events: [e], merged: e };
    open.set(key, fresh);
    out.push(fresh);
  }
  return out;
}
