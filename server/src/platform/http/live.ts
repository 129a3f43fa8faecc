import type { FastifyReply } from 'fastify';
import type { DomainEvent } from '../events/event-bus.js';
import type { TypedApp } from './app.js';

interface LiveClient {
  reply: FastifyReply;
  userId: string | null;
}

/** What a client is told: which record changed, never its data (it re-reads with its own rights). */
export interface LiveMessage {
  id: number;
  name: string;
  entity: string | null;
  entity_id: string | null;
  at: string;
}

const HEARTBEAT_MS = 25_000;

/**
 * Server-Sent Events at GET /api/v1/live: every committed domain event of the caller's tenant, as
 * it is relayed, so open pages refresh what changed without reloading (inbox, board, pods).
 * One process: the relay that dispatches an event fans it out to the clients connected to it;
 * several server processes would need PostgreSQL LISTEN/NOTIFY between them (not built yet).
 */
export function registerLiveRoutes(app: TypedApp): void {
  const clients = new Map<string, Set<LiveClient>>();

  app.platform.bus.on('*', 'live.fan-out', async (event: DomainEvent) => {
    const listeners = clients.get(event.tenant_id);
    if (!listeners?.size) return;
    const message: LiveMessage = {
      id: Number(event.id),
      name: event.name,
      entity: event.entity,
      entity_id: event.entity_id,
      at: new Date(event.created_at).toISOString(),
    };
    const frame = `id: ${message.id}\nevent: domain\ndata: ${JSON.stringify(message)}\n\n`;
    for (const c of listeners) c.reply.raw.write(frame);
  });

  app.get(
    '/live',
    {
      config: { permission: 'crm:read' },
      schema: {
        tags: ['Live updates'],
        summary:
          'Server-Sent Events: `event: domain` with {id, name, entity, entity_id, at} for every change in your tenant',
        produces: ['text/event-stream'],
      },
    },
    async (req, reply) => {
      const actor = req.actor!;
      const client: LiveClient = { reply, userId: actor.actorId };
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      reply.raw.write(`retry: 3000\nevent: ready\ndata: {}\n\n`);
      const set = clients.get(actor.tenantId) ?? new Set<LiveClient>();
      set.add(client);
      clients.set(actor.tenantId, set);
      const heartbeat = setInterval(() => reply.raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
      req.raw.on('close', () => {
        clearInterval(heartbeat);
        set.delete(client);
      });
    },
  );

  app.addHook('onClose', async () => {
    for (const set of clients.values()) for (const c of set) c.reply.raw.end();
    clients.clear();
  });
}
