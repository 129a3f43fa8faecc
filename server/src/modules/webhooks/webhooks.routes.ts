import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import type { TypedApp } from '../../platform/http/app.js';
import { negotiateLocale } from '../../platform/http/locale.js';
import { errorResponses, idParams } from '../../platform/records/resource-routes.js';
import { webhookDispatcher } from './webhooks.dispatcher.js';
import {
  checkSubscription,
  createEndpoint,
  deleteEndpoint,
  endpointService,
  eventTypeCatalogue,
  evictEndpoints,
  getDelivery,
  getEndpointRow,
  listDeliveries,
  presentEndpoint,
  queueTestMessage,
  recoverSince,
  revealSecrets,
  rotateSecret,
  updateEndpoint,
} from './webhooks.service.js';

const tags = ['Webhooks'];
const permission = 'webhooks:manage' as const;

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'an http:// or https:// address' })
  .max(2000)
  .describe('Where events are POSTed');
const eventTypes = z
  .array(z.string().min(1).max(200))
  .max(200)
  .describe('Event names or families (`accounts.*`); empty = every event');
const condition = z
  .record(z.string(), z.unknown())
  .nullable()
  .describe('JsonLogic on the payload { type, timestamp, data }; null = always');

const endpointOut = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  event_types: z.array(z.string()),
  condition: z.unknown().nullable(),
  status: z.enum(['enabled', 'disabled']),
  disabled_reason: z.string().nullable().describe('manual | gone (410) | failing (5 days of failures)'),
  disabled_at: z.string().nullable(),
  failing_since: z.string().nullable(),
  secret_rotating_until: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
const attemptOut = z.object({
  delivery_id: z.string(),
  status_code: z.number().nullable(),
  duration_ms: z.number(),
  ok: z.boolean(),
  error: z.string().nullable(),
  delivery_status: z.string(),
  next_attempt_at: z.string().nullable(),
});
const deliveryOut = z.object({
  id: z.string(),
  endpoint_id: z.string(),
  message_id: z.string(),
  event_type: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  attempts: z.number(),
  next_attempt_at: z.string().nullable(),
  last_attempt_at: z.string().nullable(),
  last_status_code: z.number().nullable(),
  last_error: z.string().nullable(),
  created_at: z.string(),
});

/** The webhooks module's HTTP routes (admins: `webhooks:manage`). */
export function webhooksRoutes(app: TypedApp): void {
  const dispatcher = (a: TypedApp) => webhookDispatcher(a.platform);
  const catalogue = () => eventTypeCatalogue(app.platform.eventCatalogue);
  /** An endpoint write; once it committed, the tenant's cached endpoint list is dropped again. */
  async function endpointWrite<T>(req: FastifyRequest, fn: (tx: Tx, ctx: ActorContext) => Promise<T>) {
    let tenantId = '';
    const out = await app.withTenant(req, (tx, ctx) => {
      tenantId = ctx.tenantId;
      return fn(tx, ctx);
    });
    evictEndpoints(app.platform.caches, tenantId);
    return out;
  }

  app.get(
    '/webhooks/event-types',
    {
      config: { permission },
      schema: {
        tags,
        summary:
          'Events an endpoint can subscribe to (exact names and `family.*`), with when each is sent (in the Accept-Language)',
        response: {
          200: z.object({
            data: z.array(z.object({ name: z.string(), when: z.string().nullable() })),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const zh = negotiateLocale(req.headers['accept-language']) === 'zh-CN';
      const when = new Map(
        app.platform.eventCatalogue.map((e) => [e.name, zh ? (e.when_zh ?? e.when) : e.when]),
      );
      return { data: catalogue().map((name) => ({ name, when: when.get(name) ?? null })) };
    },
  );

  app.get(
    '/webhooks/endpoints',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'List webhook endpoints',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(200).optional(),
          cursor: z.string().optional(),
          status: z.enum(['enabled', 'disabled']).optional(),
          q: z.string().max(200).optional(),
        }),
        response: {
          200: z.object({ data: z.array(endpointOut), next_cursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const page = await endpointService.list(tx, ctx, req.query);
        return { data: page.data.map(presentEndpoint), next_cursor: page.next_cursor };
      }),
  );

  app.post(
    '/webhooks/endpoints',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Create an endpoint; the answer carries its signing secret (whsec_…)',
        body: z.object({
          url: httpUrl,
          description: z.string().max(500).nullable().optional(),
          event_types: eventTypes.optional(),
          condition: condition.optional(),
        }),
        response: { 201: endpointOut.extend({ secret: z.string() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      checkSubscription(req.body, catalogue());
      const row = await endpointWrite(req, (tx, ctx) => createEndpoint(tx, ctx, req.body));
      return reply.status(201).send(row);
    },
  );

  app.get(
    '/webhooks/endpoints/:id',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'One endpoint',
        params: idParams,
        response: { 200: endpointOut, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => presentEndpoint(await getEndpointRow(tx, ctx, req.params.id))),
  );

  app.patch(
    '/webhooks/endpoints/:id',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Change an endpoint; status enabled re-arms its waiting deliveries',
        params: idParams,
        body: z.object({
          url: httpUrl.optional(),
          description: z.string().max(500).nullable().optional(),
          event_types: eventTypes.optional(),
          condition: condition.optional(),
          status: z.enum(['enabled', 'disabled']).optional(),
          change_reason: z.string().max(500).optional(),
        }),
        response: { 200: endpointOut, ...errorResponses },
      },
    },
    async (req) => {
      checkSubscription(req.body, catalogue());
      return endpointWrite(req, async (tx, ctx) =>
        presentEndpoint(await updateEndpoint(tx, ctx, req.params.id, req.body)),
      );
    },
  );

  app.delete(
    '/webhooks/endpoints/:id',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Delete an endpoint and its delivery log',
        params: idParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await endpointWrite(req, (tx, ctx) => deleteEndpoint(tx, ctx, req.params.id));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/webhooks/endpoints/:id/secret',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'The signing secrets that sign now (during a rotation: the new and the previous one)',
        params: idParams,
        response: {
          200: z.object({
            secrets: z.array(
              z.object({ secret: z.string(), created_at: z.string(), expires_at: z.string().nullable() }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => revealSecrets(tx, ctx, req.params.id)),
  );

  app.post(
    '/webhooks/endpoints/:id/secret/rotate',
    {
      config: { permission },
      schema: {
        tags,
        summary:
          'New signing secret; the previous one keeps signing for keep_hours (default 24, 0 = revoke now)',
        params: idParams,
        body: z
          .object({ keep_hours: z.number().int().min(0).max(168).default(24) })
          .default({ keep_hours: 24 }),
        response: {
          200: z.object({ secret: z.string(), previous_valid_until: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (req) => endpointWrite(req, (tx, ctx) => rotateSecret(tx, ctx, req.params.id, req.body.keep_hours)),
  );

  app.post(
    '/webhooks/endpoints/:id/test',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Send a webhooks.test event to the endpoint now and report the attempt',
        params: idParams,
        response: { 200: attemptOut, ...errorResponses },
      },
    },
    async (req) => {
      const deliveryId = await app.withTenant(req, (tx, ctx) => queueTestMessage(tx, ctx, req.params.id));
      return dispatcher(app).attemptById(deliveryId, 'test');
    },
  );

  app.post(
    '/webhooks/endpoints/:id/recover',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Queue again every event since a time (≤ 90 days) that the endpoint wants and did not get',
        params: idParams,
        body: z.object({
          since: z.iso.datetime({ offset: true }).describe('ISO time, e.g. 2026-11-30T08:00:00+08:00'),
        }),
        response: { 202: z.object({ queued: z.number() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const out = await app.withTenant(req, (tx, ctx) =>
        recoverSince(tx, ctx, req.params.id, new Date(req.body.since)),
      );
      dispatcher(app).nudge();
      return reply.status(202).send(out);
    },
  );

  app.get(
    '/webhooks/deliveries',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'The delivery log, newest first (filters, cursor pagination)',
        querystring: z.object({
          endpoint_id: z.uuid().optional(),
          status: z.enum(['pending', 'succeeded', 'failed']).optional(),
          event_type: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(200).optional(),
          cursor: z.string().optional(),
        }),
        response: {
          200: z.object({ data: z.array(deliveryOut), next_cursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => listDeliveries(tx, ctx, req.query)),
  );

  app.get(
    '/webhooks/deliveries/:id',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'One delivery with the message sent and every attempt (status, timing, response excerpt)',
        params: idParams,
        response: {
          200: deliveryOut.extend({
            message: z.object({
              id: z.string(),
              event_type: z.string(),
              payload: z.unknown(),
              created_at: z.string(),
            }),
            attempts: z.array(
              z.object({
                id: z.string(),
                at: z.string(),
                status_code: z.number().nullable(),
                duration_ms: z.number(),
                request_headers: z.record(z.string(), z.string()),
                response_excerpt: z.string().nullable(),
                error: z.string().nullable(),
                trigger: z.string(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => getDelivery(tx, ctx, req.params.id)),
  );

  app.post(
    '/webhooks/deliveries/:id/replay',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Send a delivery again now (also a failed one) and report the attempt',
        params: idParams,
        response: { 200: attemptOut, ...errorResponses },
      },
    },
    async (req) => {
      await app.withTenant(req, (tx, ctx) => getDelivery(tx, ctx, req.params.id));
      return dispatcher(app).attemptById(req.params.id, 'replay');
    },
  );
}
