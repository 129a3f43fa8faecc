import { z } from 'zod';
import { fieldLineage } from '../audit/change-log.js';
import type { Permission } from '../auth/permissions.js';
import type { TypedApp } from '../http/app.js';
import { registerShareRoutes } from '../sharing/sharing.routes.js';
import { filterSchemaOf } from './fields.js';
import type { ResourceService } from './resource.js';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
    merged_into: z
      .string()
      .optional()
      .describe('404 of a record merged into another: the id of the record it lives in now'),
  })
  .describe('RFC 9457 problem details');

export const errorResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
  422: problemSchema,
};

export const idParams = z.object({ id: z.string().describe('Record id (uuid)') });

export const lineageSchema = z.object({
  data: z.array(
    z.object({
      field: z.string(),
      value: z.unknown(),
      source: z.string(),
      method: z.string(),
      actor_type: z.string(),
      actor_id: z.string().nullable(),
      actor_name: z.string().nullable(),
      confidence: z.number().nullable(),
      at: z.string(),
      change_id: z.number(),
    }),
  ),
});

export const timelineSchema = z.object({
  data: z.array(
    z.object({
      kind: z.string(),
      id: z.string(),
      at: z.string(),
      title: z.string(),
      summary: z.string().nullable().optional(),
      actor_name: z.string().nullable().optional(),
      source: z.string().nullable().optional(),
      data: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
  next_cursor: z.string().nullable().describe('Cursor of the next (older) page; null on the last one'),
});

/** What a PATCH body parses to: the fields to change, and why (kept in the audit trail). */
export type ResourcePatch = { change_reason?: string } & Record<string, unknown>;

export interface ResourceRouteOptions {
  tag: string;
  /** Parses a POST body into the record's fields (the service checks the rest). */
  createSchema: z.ZodType<Record<string, unknown>>;
  /** Parses a PATCH body: the fields to change, and an optional change_reason. */
  updateSchema: z.ZodType<ResourcePatch>;
  outputSchema: z.ZodObject;
  /**
   * Documented query parameters of the list's filters; by default one text parameter per filter of
   * the resource definition. Unknown keys are passed on (custom fields).
   */
  filterSchema?: z.ZodObject;
  permissions: { read: Permission; write: Permission; delete: Permission };
  /** Adds GET /:id/timeline and GET /:id/lineage */
  history?: boolean;
}

/** Registers list/create/get/patch/delete (+ timeline, lineage) for one resource under its entity path. */
export function registerResourceRoutes(
  app: TypedApp,
  service: ResourceService,
  o: ResourceRouteOptions,
): void {
  const { entity, label } = service.def;
  const present = service.def.present ?? ((r: Record<string, unknown>) => r);
  const decorate = service.def.decorate;
  const base = `/${entity.replaceAll('_', '-')}`;
  const listQuery = z
    .object({
      limit: z.coerce.number().int().min(1).max(500).optional().describe('Page size (default 50, max 500)'),
      cursor: z.string().optional().describe('next_cursor from the previous page'),
      q: z.string().max(200).optional().describe('Full-text search (Chinese and English)'),
      sort: z.string().optional().describe('Field to sort by; prefix with - for descending'),
      include: z
        .string()
        .optional()
        .describe('Extra display fields, e.g. account_name (costs one more query per page)'),
    })
    .extend((o.filterSchema ?? filterSchemaOf(service.def.filters)).shape)
    .catchall(z.string());
  const tags = [o.tag];

  app.get(
    base,
    {
      config: { permission: o.permissions.read },
      schema: {
        tags,
        summary: `List ${entity}`,
        querystring: listQuery,
        response: {
          200: z.object({ data: z.array(o.outputSchema), next_cursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const page = await app.withTenant(req, async (tx, ctx) => {
        const { include, ...query } = req.query;
        const p = await service.list(tx, ctx, query);
        return decorate && include ? { ...p, data: await decorate(tx, ctx, p.data) } : p;
      });
      return { data: page.data.map(present), next_cursor: page.next_cursor };
    },
  );

  app.post(
    base,
    {
      config: { permission: o.permissions.write },
      schema: {
        tags,
        summary: `Create ${label.toLowerCase()}`,
        body: o.createSchema,
        response: { 201: o.outputSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const row = await app.withTenant(req, (tx, ctx) => service.create(tx, ctx, req.body));
      return reply.status(201).send(present(row));
    },
  );

  const shared = service.def.sharing !== undefined;
  const getOutput = shared
    ? o.outputSchema.extend({
        access: z
          .enum(['read', 'edit'])
          .optional()
          .describe('What the caller may do with this record under record-level sharing (read-only field)'),
      })
    : o.outputSchema;
  app.get(
    `${base}/:id`,
    {
      config: { permission: o.permissions.read },
      schema: {
        tags,
        summary: `Get ${label.toLowerCase()}`,
        params: idParams,
        querystring: z.object({
          include: z.string().optional().describe('Extra display fields, e.g. account_name'),
        }),
        response: { 200: getOutput, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const { id } = req.params;
        const { row, access } = shared
          ? await service.getWithAccess(tx, ctx, id)
          : { row: await service.get(tx, ctx, id), access: undefined };
        const decorated = decorate && req.query.include ? (await decorate(tx, ctx, [row]))[0] : row;
        return access ? { ...present(decorated), access } : present(decorated);
      }),
  );

  app.patch(
    `${base}/:id`,
    {
      config: { permission: o.permissions.write },
      schema: {
        tags,
        summary: `Update ${label.toLowerCase()}`,
        params: idParams,
        body: o.updateSchema,
        response: { 200: o.outputSchema, ...errorResponses },
      },
    },
    async (req) => {
      const { change_reason, ...patch } = req.body;
      return present(
        await app.withTenant(req, (tx, ctx) =>
          service.update(tx, ctx, req.params.id, patch, {
            reason: change_reason ?? undefined,
          }),
        ),
      );
    },
  );

  app.delete(
    `${base}/:id`,
    {
      config: { permission: o.permissions.delete },
      schema: {
        tags,
        summary: `Delete ${label.toLowerCase()}`,
        params: idParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await app.withTenant(req, (tx, ctx) => service.remove(tx, ctx, req.params.id));
      return reply.status(204).send();
    },
  );

  if (shared) registerShareRoutes(app, service, { base, tags, permissions: o.permissions });

  if (!o.history) return;

  app.get(
    `${base}/:id/timeline`,
    {
      config: { permission: o.permissions.read },
      schema: {
        tags,
        summary: `Timeline of a ${label.toLowerCase()}: activities, changes and signals, newest first`,
        params: idParams,
        querystring: z.object({
          limit: z.coerce
            .number()
            .int()
            .min(1)
            .max(500)
            .optional()
            .describe('Page size (default 200, max 500)'),
          cursor: z.string().optional().describe('next_cursor from the previous page'),
        }),
        response: { 200: timelineSchema, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const { id } = req.params;
        await service.get(tx, ctx, id);
        const { limit = 200, cursor } = req.query;
        return app.platform.timeline.page(tx, ctx, { entity, id }, { limit, cursor });
      }),
  );

  app.get(
    `${base}/:id/lineage`,
    {
      config: { permission: o.permissions.read },
      schema: {
        tags,
        summary: `Every field's current value of a ${label.toLowerCase()} with where it came from`,
        params: idParams,
        response: { 200: lineageSchema, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const row = await service.get(tx, ctx, req.params.id);
        return { data: await fieldLineage(tx, ctx.tenantId, entity, row, service.def.fields) };
      }),
  );
}
