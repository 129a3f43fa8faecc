import pino from 'pino';
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

  constructor(private readonly database: Database) {}

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

  /** Ask the relay to run now (called after a commit that emitted events). */
  nudge(): void {
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
        if (this.wakeRequested && !this.stopped) {
          this.wakeRequested = false;
          this.nudge();
        }
      });
  }

  /** Dispatches every pending event now; resolves when none is left (tests and CLI use this). */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await this.claim(200);
      if (batch.length === 0) return total;
      total += batch.length;
      for (const event of batch) await this.dispatch(event);
    }
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

  private async dispatch(event: DomainEvent & { attempts?: number }): Promise<void> {
    const handlers = [...(this.handlers.get(event.name) ?? []), ...(this.handlers.get('*') ?? [])];
    try {
      for (const h of handlers) await h.fn(event);
      await this.database.query(
        'update domain_events set dispatched_at = now(), last_error = null where id = $1',
        [event.id],
      );
    } catch (err) {
      const attempts = Number(event.attempts ?? 1);
      // Kept in domain_events.last_error: without a failed query's parameters or any secret.
      const message = String(sanitizeLogValue(`${(err as Error).message}`, false)).slice(0, 2000);
      if (attempts >= MAX_ATTEMPTS) {
        await this.database.query(
          'update domain_events set dispatched_at = now(), last_error = $2 where id = $1',
          [event.id, `dead: ${message}`],
        );
      } else {
        const backoff = Math.min(300, 2 ** attempts) * (0.5 + Math.random());
        await this.database.query(
          `update domain_events set claimed_until = now() + ($2 || ' seconds')::interval, last_error = $3 where id = $1`,
          [event.id, backoff.toFixed(2), message],
        );
      }
    }
  }
}
