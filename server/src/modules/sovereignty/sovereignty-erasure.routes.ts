import { z } from 'zod';
import type { TypedApp } from '../../platform/http/app.js';
import { unauthorized } from '../../platform/http/problem.js';
import { errorResponses } from '../../platform/records/resource-routes.js';
import {
  assertMayActFor,
  collectPersonalData,
  erasureReport,
  isErasedIdentity,
  liftErasureBlock,
  listErasures,
  refreshReceipts,
  subjectOf,
} from './sovereignty-erasure.service.js';
import { ledgerFile } from './sovereignty-erasure-ledger.js';
import { exportFile, exportStatus, startExport } from './sovereignty-export.service.js';
import { personalDataSectionOut } from './sovereignty-personal-data.out.js';

const tags = ['Privacy'];
const permission = 'privacy:manage' as const;

const contactParams = z.object({ contactId: z.uuid().describe('The contact (person) id') });
const exportParams = contactParams.extend({ exportId: z.uuid().describe('Export id') });

export const exportOut = z.object({
  id: z.string(),
  contact_id: z.string(),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  progress: z.object({ done: z.number(), total: z.number() }).describe('Modules collected of all'),
  records: z.number().nullable(),
  file_bytes: z.number().nullable(),
  error: z.string().nullable(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
  expires_at: z.string().describe('The file is deleted after this (7 days)'),
});
const outcomeOut = z.object({
  module: z.string(),
  table: z.string(),
  action: z.enum(['deleted', 'anonymised', 'retained']),
  rows: z.number(),
  reason: z.string().optional(),
});
const reportOut = z.object({
  id: z.string(),
  case_id: z.string().nullable(),
  contact_id: z.string(),
  status: z.enum(['running', 'done', 'failed']),
  trigger: z.string().describe('case | replay (re-applied from the ledger after a restore)'),
  actor_name: z.string().nullable(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  rows_touched: z.number(),
  outcomes: z.array(outcomeOut),
  tombstones: z.array(outcomeOut).describe('Records kept (anonymised), each with its retention reason'),
  derived: z.array(z.object({ what: z.string(), action: z.string(), detail: z.string() })),
  propagation: z.object({
    event: z.string(),
    event_id: z.number().nullable(),
    receipts: z.array(
      z.object({
        system_kind: z.string(),
        system_id: z.string(),
        system_label: z.string(),
        state: z.enum(['pending', 'confirmed', 'failed']),
        attempts: z.number(),
        last_error: z.string().nullable(),
        confirmed_at: z.string().nullable(),
      }),
    ),
  }),
  ledger: z.object({ entry_id: z.string(), identifiers_hashed: z.number(), file: z.string() }),
});

/** Staff routes of the erasure part: see everything about a person, export it, proof reports, re-import blocks. */
export function erasureRoutes(app: TypedApp): void {
  app.get(
    '/privacy/subjects/:contactId/data',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Everything held about a person, module by module, each datum with its lineage',
        params: contactParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }),
        response: {
          200: z.object({ contact_id: z.string(), sections: z.array(personalDataSectionOut) }),
          ...errorResponses,
        },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        await assertMayActFor(tx, ctx, req.params.contactId);
        const subject = await subjectOf(tx, ctx.tenantId, req.params.contactId);
        const sections = await collectPersonalData(app.platform, tx, subject, { limit: req.query.limit });
        return { contact_id: subject.contactId, sections };
      }),
  );

  app.post(
    '/privacy/subjects/:contactId/exports',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Start an export of everything held about a person (zip: JSON + one CSV per section)',
        params: contactParams,
        response: { 202: exportOut, ...errorResponses },
      },
    },
    async (req, reply) => {
      const ctx = req.actor;
      if (!ctx) throw unauthorized();
      const out = await startExport(app.platform, ctx, req.params.contactId);
      return reply.status(202).send(out);
    },
  );

  app.get(
    '/privacy/subjects/:contactId/exports/:exportId',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'An export’s progress (queued, running n of m, done, failed)',
        params: exportParams,
        response: { 200: exportOut, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        await assertMayActFor(tx, ctx, req.params.contactId);
        return exportStatus(tx, req.params.exportId, { contactId: req.params.contactId });
      }),
  );

  app.get(
    '/privacy/subjects/:contactId/exports/:exportId/file',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Download a finished export (zip)',
        params: exportParams,
        produces: ['application/zip'],
        response: errorResponses,
      },
    },
    async (req, reply) => {
      const file = await app.withTenant(req, async (tx, ctx) => {
        await assertMayActFor(tx, ctx, req.params.contactId);
        return exportFile(app.platform, tx, req.params.exportId, { contactId: req.params.contactId });
      });
      reply.header('content-disposition', `attachment; filename="${file.filename}"`).type('application/zip');
      return reply.send(file.data);
    },
  );

  app.get(
    '/privacy/erasures',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Erasures carried out, newest first',
        response: {
          200: z.object({
            data: z.array(
              z.object({
                id: z.string(),
                case_id: z.string().nullable(),
                status: z.string(),
                trigger: z.string(),
                rows_touched: z.number(),
                started_at: z.string(),
                finished_at: z.string().nullable(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx) => ({
        data: (await listErasures(tx)).map((e) => ({
          ...e,
          started_at: e.started_at.toISOString(),
          finished_at: e.finished_at?.toISOString() ?? null,
        })),
      })),
  );

  app.get(
    '/privacy/erasures/:id',
    {
      config: { permission },
      schema: {
        tags,
        summary:
          'An erasure’s proof report: per table what was deleted or anonymised, tombstones with reasons, receipts',
        params: z.object({ id: z.uuid() }),
        response: { 200: reportOut, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        await refreshReceipts(tx, ctx.tenantId, req.params.id);
        return erasureReport(tx, req.params.id);
      }),
  );

  app.post(
    '/privacy/erasure-blocks/check',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Whether an e-mail belongs to an erased person (blocked from being created again)',
        body: z.object({ email: z.string().min(3).max(320) }),
        response: { 200: z.object({ blocked: z.boolean() }), ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => ({
        blocked: await isErasedIdentity(tx, ctx.tenantId, req.body.email),
      })),
  );

  app.post(
    '/privacy/erasure-blocks/lift',
    {
      config: { permission },
      schema: {
        tags,
        summary: '“The person returned”: lift the block so the e-mail may be created again',
        body: z.object({ email: z.string().min(3).max(320), reason: z.string().min(3).max(500) }),
        response: { 200: z.object({ lifted: z.number() }), ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, (tx, ctx) =>
        liftErasureBlock(tx, ctx, req.body, { file: ledgerFile(app.platform.config) }),
      ),
  );
}
