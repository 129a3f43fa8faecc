/**
 * Quota routes: list, bulk set (upsert, all or nothing) and delete. Reading needs predict:read
 * (whoever may read the forecast); writing needs quotas:write (managers and admins).
 */

import { z } from 'zod';
import type { TypedApp } from '../../platform/http/app.js';
import { recordLineage, recordLineageSchema } from '../../platform/records/insight-lineage.js';
import { errorResponses, idParams } from '../../platform/records/resource-routes.js';
import {
  MAX_QUOTAS_PER_SET,
  QUOTA_SCOPES,
  quotaInputSchema,
  quotaService,
  setQuotas,
} from './quota.service.js';

const tags = ['predict'];

const quotaOut = z.object({
  id: z.string(),
  period: z.string(),
  period_kind: z.enum(['month', 'quarter']),
  scope: z.enum(QUOTA_SCOPES),
  scope_key: z.string(),
  amount: z.number(),
  currency: z.string(),
  note: z.string().nullable(),
  source: z.string().describe('manual | api | import | seed'),
  created_by: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

export function registerQuotaRoutes(app: TypedApp): void {
  app.get(
    '/quotas',
    {
      config: { permission: 'predict:read' },
      schema: {
        tags,
        summary: 'Stored quotas (own rows only; the forecast shows the resolved quota of every group)',
        querystring: z.object({
          period_kind: z.enum(['month', 'quarter']).optional(),
          period: z
            .string()
            .max(1200)
            .optional()
            .describe('One period or a comma list: 2026-11 or 2026-10,2026-11,2026-12,2026-Q4'),
          scope: z.enum(QUOTA_SCOPES).optional(),
          scope_key: z.string().max(100).optional().describe("User, team or region id, or 'all'"),
          limit: z.coerce.number().int().min(1).max(500).optional().describe('Page size (default 50)'),
          cursor: z.string().optional().describe('next_cursor from the previous page'),
          sort: z
            .enum([
              'period',
              '-period',
              'amount',
              '-amount',
              'created_at',
              '-created_at',
              'updated_at',
              '-updated_at',
            ])
            .optional(),
        }),
        response: {
          200: z.object({ data: z.array(quotaOut), next_cursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => quotaService.list(tx, ctx, req.query)),
  );

  app.get(
    '/quotas/:id/lineage',
    {
      config: { permission: 'predict:read' },
      schema: {
        tags,
        summary: 'Who set a quota, how (manual, import, API) and every change since',
        params: idParams,
        response: { 200: recordLineageSchema, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const row = await quotaService.get(tx, ctx, req.params.id);
        return recordLineage(tx, ctx.tenantId, 'quotas', row, quotaService.def.fields);
      }),
  );

  app.put(
    '/quotas',
    {
      config: { permission: 'quotas:write' },
      schema: {
        tags,
        summary:
          'Set many quotas at once (upsert by period + scope + scope_key), in one transaction: one invalid item stores nothing',
        description: `An array of at most ${MAX_QUOTAS_PER_SET} quotas. Errors name the item index and field (e.g. \`3.amount\`).`,
        body: z.array(quotaInputSchema).max(MAX_QUOTAS_PER_SET),
        response: {
          200: z.object({
            data: z.array(quotaOut).describe('The stored rows, in the order of the request'),
            created: z.number(),
            updated: z.number(),
            unchanged: z.number(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => setQuotas(tx, ctx, req.body)),
  );

  app.delete(
    '/quotas/:id',
    {
      config: { permission: 'quotas:write' },
      schema: {
        tags,
        summary: 'Delete a quota (the period and scope fall back to derived values)',
        params: idParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await app.withTenant(req, (tx, ctx) => quotaService.remove(tx, ctx, req.params.id));
      return reply.status(204).send();
    },
  );
}
