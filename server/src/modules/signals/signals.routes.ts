import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import { systemContext } from '../../platform/auth/auth-context.js';
import type { TypedApp } from '../../platform/http/app.js';
import { jsonBytes, parseGuardedJson } from '../../platform/http/edge-guard.js';
import { badRequest, notFound, ProblemError, unauthorized } from '../../platform/http/problem.js';
import { kindOfChange, recordLineage, recordLineageSchema } from '../../platform/records/insight-lineage.js';
import { errorResponses, idParams } from '../../platform/records/resource-routes.js';
import { mapInboundWebhook } from '../mappings/mappings.service.js';
import {
  type CustomFieldSpec,
  customPayloadSchema,
  describePayload,
  SIGNAL_CATALOGUE,
} from './signal-catalogue.js';
import { IMPORT_SIGNAL_FIELDS, importSignalFile } from './signal-import.service.js';
import {
  findSourceForWebhook,
  ingestSignals,
  linkSignal,
  MAX_BATCH,
  newWebhookSecret,
  reviewQueue,
  signalService,
  signalTypeService,
  sourceService,
} from './signals.service.js';
import { sourceMatrix } from './source-matrix.service.js';

const tags = ['Signals'];
const itemResult = z.object({
  index: z.number(),
  id: z.string().nullable(),
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  matched: z.boolean(),
  review: z
    .boolean()
    .optional()
    .describe('true: unmatched, but the company name may mean one of a few accounts (see the review queue)'),
  reason: z.string().optional(),
});
const ingestResponse = z.object({
  accepted: z.number(),
  duplicates: z.number(),
  rejected: z.number(),
  results: z.array(itemResult),
});
const webhookResponse = ingestResponse.extend({
  mapping: z
    .object({ id: z.string(), run_id: z.string(), status: z.enum(['ok', 'skipped', 'failed']) })
    .optional()
    .describe(
      "When the source has an active mapping: the payload was mapped by it (see the mapping's run history)",
    ),
});
const importBody = z.object({
  filename: z.string().min(1).max(300).describe('Original file name; .xlsx reads Excel, anything else CSV'),
  content_base64: z
    .string()
    .min(1)
    .describe('The file, base64-encoded (CSV: UTF-8 with or without BOM, or GB18030)'),
  mapping: z
    .record(z.string(), z.string())
    .optional()
    .describe(
      `file column → field: ${IMPORT_SIGNAL_FIELDS.join(', ')}, payload.<key>, or ignore. Suggested from the headers when omitted (exact names, payload.<key> columns, English/Chinese synonyms).`,
    ),
  dry_run: z.boolean().default(true).describe('Validate only: the same ingest runs and is rolled back'),
  source: z.string().trim().min(1).max(100).optional().describe('Source of rows that do not name one'),
});
const importResponse = z.object({
  dry_run: z.boolean(),
  format: z.enum(['csv', 'xlsx']),
  total: z.number(),
  accepted: z.number(),
  duplicates: z.number(),
  rejected: z.number(),
  mapping: z.record(z.string(), z.string()),
  ignored_columns: z.array(z.string()),
  results: z.array(
    itemResult.omit({ index: true }).extend({
      row: z.number().describe('Row number as shown in the file (header = 1)'),
      id: z
        .string()
        .nullable()
        .describe('Stored (or already stored) signal; null in a dry run and when rejected'),
    }),
  ),
});
const signalOut = z.object({
  id: z.string(),
  tenant_id: z.string(),
  type: z.string(),
  source: z.string(),
  source_event_id: z.string().nullable(),
  idempotency_key: z.string().nullable(),
  occurred_at: z.string(),
  received_at: z.string(),
  subject: z.record(z.string(), z.unknown()),
  payload: z.record(z.string(), z.unknown()),
  strength: z.number().nullable(),
  provenance: z.record(z.string(), z.unknown()),
  account_id: z.string().nullable(),
  contact_id: z.string().nullable(),
  opportunity_id: z.string().nullable(),
  matched: z.boolean(),
  match_method: z.string().nullable(),
});
const reviewCandidate = z.object({
  account_id: z.string(),
  account_name: z.string(),
  confidence: z.number().describe('0–1'),
  method: z
    .string()
    .describe(
      'company_name, company_name:no_region, company_name:short_name, company_name:pinyin, company_name:group, company_name:other_region',
    ),
  suggested_short_name: z
    .string()
    .nullable()
    .describe('A short name (简称) from the registered name, worth adding as an alias'),
});
const opt = z.string().optional();
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: opt,
  sort: opt.describe('received_at | occurred_at, prefix - for descending (default -received_at)'),
  account_id: opt,
  contact_id: opt,
  opportunity_id: opt,
  type: opt.describe('comma-separated type keys'),
  source: opt,
  matched: z.enum(['true', 'false']).optional(),
  from: opt.describe('occurred_at ≥ (ISO date/time)'),
  to: opt.describe('occurred_at ≤ (ISO date/time)'),
});
const present = ({ dedupe_key, linked_by, linked_at, ...rest }: Record<string, unknown>) => rest;
const ingestBody = z
  .union([z.array(z.unknown()).max(MAX_BATCH), z.record(z.string(), z.unknown())])
  .describe(
    `One signal {type, source, occurred_at, subject, payload, strength?, idempotency_key?, source_event_id?} or an array of up to ${MAX_BATCH}`,
  );

const sourceOut = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  kind: z.string(),
  description: z.string().nullable(),
  active: z.boolean(),
  has_webhook_secret: z.boolean(),
  override_score: z.number().nullable(),
  override_reason: z.string().nullable(),
  webhook_secret: z.string().optional().describe('Only returned when created or rotated'),
});
const matrixRow = sourceOut.extend({
  signals_90d: z.number(),
  accounts_covered: z.number(),
  active_accounts: z.number(),
  coverage: z.number(),
  median_delay_hours: z.number().nullable(),
  timeliness: z.number(),
  relevance: z.number(),
  relevance_basis: z.string(),
  win_rate_with: z.number().nullable(),
  win_rate_all: z.number().nullable(),
  computed_score: z.number(),
  score: z.number(),
  priority: z.boolean(),
});

/** 413 when one signal's payload is larger than the limit (ZHONGSHU_SIGNAL_PAYLOAD_MAX_KB), naming it. */
function assertPayloadSizes(items: unknown[], batch: boolean, limit: number) {
  const errors = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const payload = item && typeof item === 'object' ? (item as { payload?: unknown }).payload : undefined;
    const bytes = jsonBytes(payload);
    if (bytes > limit)
      errors.push({
        field: batch ? `${i}.payload` : 'payload',
        reason: `${bytes} bytes, more than ${limit}`,
      });
  }
  if (errors.length)
    throw new ProblemError(
      413,
      'Content Too Large',
      `A signal payload is larger than ${limit} bytes`,
      errors,
    );
}

/** The signals module's HTTP routes: ingest, import, lists, review queue, sources, types, matrix. */
export async function signalsRoutes(app: TypedApp): Promise<void> {
  app.post(
    '/signals',
    {
      config: { permission: 'signals:write' },
      schema: {
        tags,
        summary: 'Ingest one signal or a batch (≤ 5,000); per-item results',
        body: ingestBody,
        response: { 202: ingestResponse, ...errorResponses },
      },
    },
    async (req, reply) => {
      const body = req.body;
      const items = Array.isArray(body) ? body : [body];
      if (items.length === 0) throw badRequest('No signals in the request');
      assertPayloadSizes(items, Array.isArray(body), app.platform.config.limits.signalPayloadBytes);
      const result = await app.withTenant(req, (tx, ctx) => ingestSignals(tx, ctx, items, { method: 'api' }));
      return reply.status(202).send(result);
    },
  );

  app.post(
    '/signals/import',
    {
      config: { permission: 'signals:write' },
      schema: {
        tags,
        summary: 'Import signals from a CSV/Excel file through the batch ingest (per-row results)',
        description:
          "Every data row becomes one item of the same ingest as POST /signals: same validation, idempotency, entity resolution and per-item results, reported with the file's row numbers. " +
          'Columns: type, source, occurred_at, subject fields (account_id, contact_id, opportunity_id, domain, email, credit_code, company_name), strength, idempotency_key or source_event_id, payload.<key> columns and/or a payload JSON column. ' +
          'occurred_at without an offset (or a date alone) is read as China Standard Time (+08:00). A row with neither idempotency_key nor source_event_id gets a key derived from its content, so importing the same file again stores nothing new. ' +
          'A real run stores the whole file in one transaction before answering 202; a dry run (200) runs the same ingest and rolls it back. A bad file or a mapping that cannot produce signals is 400.',
        body: importBody,
        response: { 200: importResponse, 202: importResponse, ...errorResponses },
      },
    },
    async (req, reply) => {
      const body = req.body;
      const ctx = req.actor;
      if (!ctx) throw unauthorized();
      const result = await importSignalFile(app.platform.database, ctx, {
        filename: body.filename,
        content: Buffer.from(body.content_base64, 'base64'),
        mapping: body.mapping,
        dry_run: body.dry_run,
        source: body.source,
      });
      if (!result.dry_run) app.platform.bus.nudge();
      return reply.status(result.dry_run ? 200 : 202).send(result);
    },
  );

  app.get(
    '/signals',
    {
      config: { permission: 'signals:read' },
      schema: {
        tags,
        summary: 'List signals (filters, cursor pagination)',
        querystring: listQuery,
        response: {
          200: z.object({ data: z.array(signalOut), next_cursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const page = await app.withTenant(req, (tx, ctx) => signalService.list(tx, ctx, req.query));
      return { data: page.data.map(present), next_cursor: page.next_cursor };
    },
  );

  app.get(
    '/signals/unmatched',
    {
      config: { permission: 'signals:read' },
      schema: {
        tags,
        summary:
          'Review queue: signals no account was found for, with the accounts their company name may mean',
        querystring: listQuery.pick({ limit: true, cursor: true, type: true, source: true }),
        response: {
          200: z.object({
            data: z.array(
              signalOut.extend({
                candidates: z
                  .array(reviewCandidate)
                  .describe('Best first; empty when the name meets no account'),
              }),
            ),
            next_cursor: z.string().nullable(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const page = await app.withTenant(req, (tx, ctx) => reviewQueue(tx, ctx, req.query));
      return { data: page.data.map(present), next_cursor: page.next_cursor };
    },
  );

  app.get(
    '/signals/:id',
    {
      config: { permission: 'signals:read' },
      schema: {
        tags,
        summary: 'Get a signal',
        params: idParams,
        response: { 200: signalOut, ...errorResponses },
      },
    },
    async (req) => present(await app.withTenant(req, (tx, ctx) => signalService.get(tx, ctx, req.params.id))),
  );

  app.get(
    '/signals/:id/lineage',
    {
      config: { permission: 'signals:read' },
      schema: {
        tags,
        summary:
          'Where a signal came from (source, how it arrived, who sent it) and how its subject was matched (rule or a reviewer)',
        params: idParams,
        response: { 200: recordLineageSchema, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const row = await signalService.get(tx, ctx, req.params.id);
        const prov = (row.provenance ?? {}) as Record<string, unknown>;
        const str = (v: unknown) => (typeof v === 'string' ? v : null);
        const how = str(prov.method) ?? 'api';
        const matchedBy = str(row.match_method);
        const at = (v: unknown) => (v ? new Date(String(v)).toISOString() : null);
        return recordLineage(
          tx,
          ctx.tenantId,
          'signals',
          row,
          ['account_id', 'contact_id', 'opportunity_id'],
          [
            {
              applies_to: 'record',
              kind: how.startsWith('import') ? 'import' : how === 'simulator' ? 'seed' : 'sync',
              detail: `signal from ${String(row.source)} via ${how}`,
              source: `signal:${String(row.source)}`,
              actor_name: str(prov.actor_name),
              at: at(row.received_at),
            },
            ...(matchedBy
              ? [
                  {
                    applies_to: 'subject',
                    kind: matchedBy === 'manual' ? ('manual' as const) : kindOfChange('rule'),
                    detail: matchedBy === 'manual' ? 'linked by a reviewer' : `matched by rule ${matchedBy}`,
                    rule_key: matchedBy === 'manual' ? null : matchedBy,
                    source: 'signals',
                    actor_name: null,
                    at: at(row.linked_at ?? row.received_at),
                  },
                ]
              : []),
          ],
        );
      }),
  );

  app.post(
    '/signals/:id/link',
    {
      config: { permission: 'signals:write' },
      schema: {
        tags,
        summary:
          'Link a signal to an account; its company name/domain is learned (audited) and the queue re-resolved',
        params: idParams,
        body: z.object({
          account_id: z.uuid(),
          contact_id: z.uuid().nullable().optional(),
          learn: z.boolean().default(true),
        }),
        response: {
          200: z.object({
            signal: signalOut,
            learned: z.object({ aliases: z.array(z.string()), domains: z.array(z.string()) }),
            also_linked: z.array(z.string()),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const r = await app.withTenant(req, (tx, ctx) => linkSignal(tx, ctx, req.params.id, req.body));
      return { ...r, signal: present(r.signal) };
    },
  );

  // ---------- catalogue ----------
  app.get(
    '/signal-types',
    {
      config: { permission: 'signals:read' },
      schema: {
        tags,
        summary: 'Signal catalogue: built-in kinds and admin-defined types, with payload schemas',
        response: {
          200: z.object({
            data: z.array(
              z.object({
                key: z.string(),
                name: z.string(),
                name_en: z.string().nullable(),
                description: z.string().nullable(),
                builtin: z.boolean(),
                id: z.string().nullable(),
                payload_schema: z.unknown(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const custom = await signalTypeService.list(tx, ctx, { limit: 500 });
        return {
          data: [
            ...SIGNAL_CATALOGUE.map((k) => ({
              key: k.key,
              name: k.name,
              name_en: k.name_en,
              description: k.description,
              builtin: true,
              id: null,
              payload_schema: describePayload(k.payload),
            })),
            ...custom.data.map((t) => ({
              key: t.key as string,
              name: t.name as string,
              name_en: (t.name_en as string) ?? null,
              description: (t.description as string) ?? null,
              builtin: false,
              id: t.id as string,
              payload_schema: describePayload(
                customPayloadSchema(t.payload_fields as Record<string, CustomFieldSpec>),
              ),
            })),
          ],
        };
      }),
  );

  const fieldSpec = z.object({
    type: z.enum(['string', 'number', 'integer', 'boolean', 'date', 'enum']),
    required: z.boolean().optional(),
    values: z.array(z.string()).optional(),
  });
  app.post(
    '/signal-types',
    {
      config: { permission: 'signals:manage' },
      schema: {
        tags,
        summary: 'Define a custom signal type (admin)',
        body: z.object({
          key: z.string().regex(/^[a-z][a-z0-9_]{1,62}$/),
          name: z.string().min(1).max(100),
          name_en: z.string().max(100).optional(),
          description: z.string().max(1000).optional(),
          payload_fields: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), fieldSpec).default({}),
        }),
        response: { 201: z.record(z.string(), z.unknown()), ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await app.withTenant(req, (tx, ctx) => signalTypeService.create(tx, ctx, req.body))),
  );

  // ---------- sources + value matrix ----------
  app.get(
    '/signal-sources',
    {
      config: { permission: 'signals:read' },
      schema: {
        tags,
        summary:
          'Signal value matrix: coverage, timeliness, relevance (0–10) per source, combined score, priority > 7.5',
        response: { 200: z.object({ data: z.array(matrixRow), formula: z.string() }), ...errorResponses },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => sourceMatrix(tx, ctx)),
  );

  app.post(
    '/signal-sources',
    {
      config: { permission: 'signals:manage' },
      schema: {
        tags,
        summary: 'Register a source (returns its webhook secret once)',
        body: z.object({
          key: z.string().trim().min(1).max(100),
          name: z.string().trim().min(1).max(200),
          kind: z.enum(['api', 'webhook', 'connector', 'file']).default('webhook'),
          description: z.string().max(1000).optional(),
        }),
        response: { 201: sourceOut, ...errorResponses },
      },
    },
    async (req, reply) => {
      const secret = newWebhookSecret();
      const row = await app.withTenant(req, (tx, ctx) =>
        sourceService.create(tx, ctx, { ...req.body, webhook_secret: secret }),
      );
      return reply.status(201).send({ ...sourceService.def.present!(row), webhook_secret: secret });
    },
  );

  app.patch(
    '/signal-sources/:id',
    {
      config: { permission: 'signals:manage' },
      schema: {
        tags,
        summary: 'Edit a source or override its score (override needs a reason; null clears it)',
        params: idParams,
        body: z.object({
          name: z.string().trim().min(1).max(200).optional(),
          description: z.string().max(1000).nullable().optional(),
          active: z.boolean().optional(),
          override_score: z.number().min(0).max(10).nullable().optional(),
          override_reason: z.string().trim().min(3).max(1000).nullable().optional(),
        }),
        response: { 200: sourceOut, ...errorResponses },
      },
    },
    async (req) => {
      const body = req.body;
      const row = await app.withTenant(req, (tx, ctx) =>
        sourceService.update(tx, ctx, req.params.id, body, {
          reason: body.override_reason ?? undefined,
        }),
      );
      return sourceService.def.present!(row);
    },
  );

  app.post(
    '/signal-sources/:id/rotate-secret',
    {
      config: { permission: 'signals:manage' },
      schema: {
        tags,
        summary: 'New webhook secret (returned once)',
        params: idParams,
        response: { 200: sourceOut, ...errorResponses },
      },
    },
    async (req) => {
      const secret = newWebhookSecret();
      const row = await app.withTenant(req, (tx, ctx) =>
        sourceService.update(
          tx,
          ctx,
          req.params.id,
          { webhook_secret: secret },
          { reason: 'webhook secret rotated' },
        ),
      );
      return { ...sourceService.def.present!(row), webhook_secret: secret };
    },
  );

  // ---------- inbound webhooks (Standard Webhooks), raw body needed for the signature ----------
  await app.register(async (hooks: TypedApp) => {
    hooks.removeAllContentTypeParsers();
    hooks.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    hooks.post(
      '/sources/:id/webhook',
      {
        config: { public: true },
        schema: {
          tags,
          summary:
            'Inbound webhook of a source, signed with the Standard Webhooks scheme (webhook-id, webhook-timestamp, webhook-signature)',
          params: idParams,
          security: [],
          response: { 202: webhookResponse, ...errorResponses },
        },
      },
      async (req, reply) => {
        const raw = typeof req.body === 'string' ? req.body : '';
        const source = await app.platform.database.systemTx((tx) => findSourceForWebhook(tx, req.params.id));
        if (!source?.active || !source.webhook_secret) throw notFound('Source');
        try {
          new Webhook(source.webhook_secret).verify(raw, {
            'webhook-id': String(req.headers['webhook-id'] ?? ''),
            'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
            'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
          });
        } catch {
          throw unauthorized('Webhook signature is missing, invalid or too old');
        }
        const body = parseGuardedJson(raw, app.platform.config.limits.jsonMaxDepth);
        const ctx = {
          ...systemContext(source.tenant_id, `webhook:${source.key}`, `webhook ${source.key}`),
          requestId: req.id,
        };
        // A source with an active mapping takes foreign payloads (the mappings module maps, then ingests
        // or creates the CRM record, and records the run); every payload is kept as the source's sample.
        const webhookId = String(req.headers['webhook-id']);
        const mapped = await mapInboundWebhook(app.platform.database, ctx, source, body, webhookId);
        if (mapped) {
          app.platform.bus.nudge();
          return reply.status(202).send(mapped);
        }
        const items: unknown[] = Array.isArray(body)
          ? body
          : body && typeof body === 'object' && 'signals' in body && Array.isArray(body.signals)
            ? body.signals
            : [body];
        assertPayloadSizes(items, true, app.platform.config.limits.signalPayloadBytes);
        const result = await app.platform.database.tenantTx(source.tenant_id, (tx) =>
          ingestSignals(tx, ctx, items, {
            method: 'webhook',
            forceSource: source.key,
            eventIdPrefix: webhookId,
            extraProvenance: { source_id: source.id },
          }),
        );
        app.platform.bus.nudge();
        return reply.status(202).send(result);
      },
    );
  });
}
