import { z } from 'zod';
import type { TypedApp } from '../../platform/http/app.js';
import { negotiateLocale } from '../../platform/http/locale.js';
import { badRequest, notFound } from '../../platform/http/problem.js';
import { errorResponses } from '../../platform/records/resource-routes.js';
import { crmServices, customFieldsOf, type ImportableEntity } from './crm.service.js';
import { withoutRestricted } from './crm-export-restriction.js';
import {
  exportColumns,
  IMPORT_FIELDS,
  parseImportFile,
  runImport,
  suggestMapping,
  tableToCsv,
  tableToXlsx,
  toTable,
} from './crm-import.service.js';
import { inLocale } from './crm-import-reasons.js';
import { findImportJob, startImportJob } from './import-jobs.js';

const entityEnum = z.enum(['accounts', 'contacts', 'opportunities', 'activities', 'products']);
const fileBody = z.object({
  entity: entityEnum,
  filename: z.string().min(1).max(300).describe('Original file name; .csv or .xlsx decides the parser'),
  content_base64: z.string().min(1).describe('The file, base64-encoded'),
});
const importResult = z.object({
  entity: entityEnum,
  dry_run: z.boolean(),
  total: z.number(),
  valid: z.number(),
  invalid: z.number(),
  imported: z.number(),
  errors: z.array(
    z.object({
      row: z.number().describe('Row number as shown in the file (header = 1)'),
      field: z.string(),
      reason: z.string(),
    }),
  ),
  warnings: z
    .array(
      z.object({
        row: z.number().describe('Row number as shown in the file (header = 1)'),
        field: z.string(),
        reason: z.string().describe('e.g. "possible duplicate of 华强电子 (name)"'),
        duplicate_of: z
          .string()
          .nullable()
          .describe('The existing record the row looks like; null for an earlier row of the file'),
      }),
    )
    .describe(
      'Rows imported all the same that look like existing records or earlier rows (accounts, contacts)',
    ),
  mapping: z.record(z.string(), z.string()),
  batch_id: z.string().nullable(),
});

const importJobSchema = z.object({
  id: z.string(),
  entity: z.string(),
  filename: z.string(),
  status: z.enum(['running', 'succeeded', 'failed']),
  phase: z.enum(['queued', 'validating', 'writing', 'done']),
  processed: z.number(),
  total: z.number(),
  result: importResult.nullable(),
  error: z
    .object({
      status: z.number(),
      detail: z.string(),
      errors: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
    })
    .nullable(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
});

const MAX_EXPORT_ROWS = 1_000_000;

function decode(b64: string): Buffer {
  const buf = Buffer.from(b64, 'base64');
  if (buf.length === 0)
    throw badRequest('The file is empty', [{ field: 'content_base64', reason: 'empty or not base64' }]);
  return buf;
}

export function registerImportExportRoutes(app: TypedApp): void {
  const tags = ['Import & export'];
  app.post(
    '/imports/preview',
    {
      config: { permission: 'crm:import' },
      schema: {
        tags,
        summary: 'Read a CSV/Excel file: its columns, a suggested mapping and sample rows',
        body: fileBody,
        response: {
          200: z.object({
            headers: z.array(z.string()),
            suggested_mapping: z.record(z.string(), z.string()),
            sample_rows: z.array(z.array(z.string())),
            total_rows: z.number(),
            fields: z.array(z.string()),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const body = req.body;
      const file = await parseImportFile(decode(body.content_base64), body.filename);
      const customKeys = await app.withTenant(req, async (tx, ctx) =>
        (await customFieldsOf(tx, ctx, body.entity)).map((d) => d.key),
      );
      return {
        headers: file.headers,
        suggested_mapping: suggestMapping(body.entity, file.headers, customKeys),
        sample_rows: file.rows.slice(0, 10),
        total_rows: file.rows.length,
        fields: [...IMPORT_FIELDS[body.entity], ...customKeys.map((k) => `custom.${k}`)],
      };
    },
  );

  app.post(
    '/imports',
    {
      config: { permission: 'crm:import' },
      schema: {
        tags,
        summary:
          'Import CSV/Excel rows: dry run reports every bad row; a real run keeps the good rows, all in one transaction',
        body: fileBody.extend({
          mapping: z
            .record(z.string(), z.string())
            .optional()
            .describe('file column → field (or "ignore"); suggested when omitted'),
          dry_run: z.boolean().default(true),
          background: z
            .boolean()
            .default(false)
            .describe('Answer 202 with a job at once; follow progress at GET /imports/jobs/{id}'),
        }),
        response: { 200: importResult, 202: importJobSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const body = req.body;
      // A file that cannot be read is refused now, in the request, not later in the job.
      const file = await parseImportFile(decode(body.content_base64), body.filename);
      const run = (onProgress?: Parameters<typeof runImport>[6]) =>
        app.withTenant(req, (tx, ctx) =>
          runImport(
            tx,
            { ...ctx, source: `import:${file.format}` },
            body.entity,
            file,
            body.mapping,
            body.dry_run,
            onProgress,
          ),
        );
      if (!body.background) return inLocale(await run(), negotiateLocale(req.headers['accept-language']));
      const actor = req.actor!;
      const job = startImportJob(
        app.platform.caches,
        { tenantId: actor.tenantId, userId: actor.actorId, entity: body.entity, filename: body.filename },
        run,
      );
      return reply.status(202).send(job);
    },
  );

  app.get(
    '/imports/jobs/:id',
    {
      config: { permission: 'crm:import' },
      schema: {
        tags,
        summary: 'Progress and result of a background import',
        params: z.object({ id: z.string() }),
        response: { 200: importJobSchema, ...errorResponses },
      },
    },
    // Answered from memory, without the database: on PGlite the import's transaction holds the
    // only connection until it commits.
    async (req) => {
      const job = findImportJob(app.platform.caches, req.actor!.tenantId, req.params.id);
      if (!job) throw notFound('Import job');
      const locale = negotiateLocale(req.headers['accept-language']);
      return job.result ? { ...job, result: inLocale(job.result, locale) } : job;
    },
  );

  for (const entity of Object.keys(crmServices) as ImportableEntity[]) {
    const service = crmServices[entity];
    app.get(
      `/${entity}/export`,
      {
        config: { permission: 'crm:export' },
        schema: {
          tags,
          summary: `Export ${entity} (same filters, search and sort as the list) as CSV or Excel`,
          querystring: z
            .object({
              format: z.enum(['csv', 'xlsx']).default('csv'),
              q: z.string().optional(),
              sort: z.string().optional(),
            })
            .catchall(z.string()),
          produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
          ...{ response: errorResponses },
        },
      },
      async (req, reply) => {
        const { format, ...query } = req.query;
        const rows = await app.withTenant(req, async (tx, ctx) => {
          const out: Record<string, unknown>[] = [];
          let cursor: string | undefined;
          do {
            const page = await service.list(tx, ctx, { ...query, limit: 500, cursor });
            out.push(...page.data);
            cursor = page.next_cursor ?? undefined;
          } while (cursor && out.length < MAX_EXPORT_ROWS);
          // People whose processing is restricted are kept, but not exported: see withoutRestricted.
          return withoutRestricted(tx, ctx.tenantId, entity, out);
        });
        const table = toTable(rows, exportColumns(entity));
        const stamp = new Date().toISOString().slice(0, 10);
        if (format === 'xlsx') {
          reply
            .header('content-disposition', `attachment; filename="${entity}-${stamp}.xlsx"`)
            .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
          return reply.send(await tableToXlsx(table, entity));
        }
        reply
          .header('content-disposition', `attachment; filename="${entity}-${stamp}.csv"`)
          .type('text/csv; charset=utf-8');
        return reply.send(tableToCsv(table));
      },
    );
  }
}
