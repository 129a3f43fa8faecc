import { z } from 'zod';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import { can } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import type { TypedApp } from '../../platform/http/app.js';
import { negotiateLocale } from '../../platform/http/locale.js';
import { forbidden, ProblemError } from '../../platform/http/problem.js';
import { errorResponses, idParams } from '../../platform/records/resource-routes.js';
import { contactService } from '../crm/crm.service.js';
import {
  consentHistory,
  consentsOf,
  createNotice,
  currentNotice,
  getNotice,
  liftRestriction,
  listNotices,
  PURPOSE_KEYS,
  PURPOSES,
  privacyDashboard,
  processingRecord,
  processingRecordCsv,
  publishNotice,
  restrictionOf,
  restrictProcessing,
  setConsent,
  updateNotice,
} from './sovereignty-consent.service.js';

const tags = ['Privacy'];
const text = z.object({ en: z.string(), zh: z.string() });
const purposeEnum = z
  .enum(PURPOSE_KEYS)
  .describe('marketing_email | profiling | partner_sharing | call_recording');

const purposeOut = z.object({
  key: purposeEnum,
  label: text,
  description: text,
  requires_consent: z
    .boolean()
    .describe('true: opt-in (denied until granted); false: allowed until withdrawn'),
  legal_basis: text,
});
const consentStateOut = z.object({
  purpose: purposeEnum,
  label: text,
  description: text,
  granted: z.boolean().describe('May the purpose be used now (false while processing is restricted)'),
  basis: z.enum(['recorded', 'default']).describe('recorded decision, or the purpose default'),
  requires_consent: z.boolean(),
  notice_version_id: z.string().nullable(),
  notice_version: z.number().nullable(),
  channel: z.enum(['portal', 'staff', 'import', 'webform']).nullable(),
  actor_name: z.string().nullable(),
  at: z.string().nullable(),
});
const consentEventOut = z.object({
  id: z.string(),
  contact_id: z.string(),
  purpose: purposeEnum,
  granted: z.boolean(),
  notice_version_id: z.string().nullable(),
  notice_version: z.number().nullable(),
  channel: z.enum(['portal', 'staff', 'import', 'webform']),
  actor_type: z.string(),
  actor_name: z.string().nullable(),
  note: z.string().nullable(),
  at: z.string(),
});
const restrictionOut = z.object({
  id: z.string(),
  contact_id: z.string(),
  reason: z.string(),
  case_id: z.string().nullable(),
  set_by_name: z.string().nullable(),
  set_at: z.string(),
  lifted_at: z.string().nullable(),
  lifted_by_name: z.string().nullable(),
  lift_reason: z.string().nullable(),
});
const noticeOut = z.object({
  id: z.string(),
  version: z.number(),
  title_zh: z.string(),
  title_en: z.string(),
  text_zh: z.string(),
  text_en: z.string(),
  status: z.enum(['draft', 'published']),
  published_at: z.string().nullable(),
  published_by_name: z.string().nullable(),
  created_by_name: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
const noticeIn = z.object({
  title_zh: z.string().trim().min(1).max(200),
  title_en: z.string().trim().min(1).max(200),
  text_zh: z.string().trim().min(1).max(100_000),
  text_en: z.string().trim().min(1).max(100_000),
});
const ratePoint = z.object({
  week: z.string().describe('Monday (UTC) the week starts'),
  granted: z.number(),
  withdrawn: z.number(),
  rate: z.number().nullable().describe('granted / decided at the end of the week; null when nobody decided'),
});
const dashboardOut = z.object({
  weeks: z.array(z.string()),
  purposes: z.array(
    z.object({
      purpose: purposeEnum,
      label: text,
      requires_consent: z.boolean(),
      current: z.object({ granted: z.number(), decided: z.number(), rate: z.number().nullable() }),
      points: z.array(ratePoint),
    }),
  ),
  contributions: z.array(z.object({ week: z.string(), corrections: z.number(), preferences: z.number() })),
  totals: z.object({ corrections: z.number(), preferences: z.number(), restricted: z.number() }),
  current_notice: noticeOut.nullable(),
});
const processingRecordOut = z.object({
  generated_at: z.string(),
  notice_version: z.number().nullable(),
  data_subjects: text,
  activities: z.array(
    z.object({
      purpose: z.string(),
      label: text,
      description: text,
      legal_basis: text,
      consent: z
        .enum(['opt_in', 'opt_out', 'not_required'])
        .describe(
          'opt_in: denied until granted; opt_out: allowed until withdrawn; not_required: another legal basis',
        ),
      data_categories: z.array(text),
      recipients: z.array(text),
      retention: text,
      enforced_at: z.array(z.string()),
    }),
  ),
});

/** A contact the caller may read (404 otherwise: unknown, other tenant, not shared). */
async function readableContact(tx: Tx, ctx: ActorContext, id: string) {
  return contactService.get(tx, ctx, id);
}

/** A contact the caller may edit (404 when not readable, 403 when only readable). */
async function editableContact(tx: Tx, ctx: ActorContext, id: string) {
  const { access } = await contactService.getWithAccess(tx, ctx, id);
  if (access !== 'edit') throw forbidden('You may view this record but not change it');
}

/** Consent, restriction, notices, dashboard and record-of-processing routes (staff side). */
export function consentRoutes(app: TypedApp): void {
  app.get(
    '/privacy/purposes',
    {
      config: { permission: 'crm:read' },
      schema: {
        tags,
        summary: 'The purposes a person consents to, with their default and legal basis',
        response: { 200: z.object({ data: z.array(purposeOut) }), ...errorResponses },
      },
    },
    async () => ({
      data: PURPOSES.map((p) => ({
        key: p.key,
        label: p.label,
        description: p.description,
        requires_consent: p.requiresConsent,
        legal_basis: p.basis,
      })),
    }),
  );

  app.get(
    '/contacts/:id/consents',
    {
      config: { permission: 'crm:read' },
      schema: {
        tags,
        summary:
          "A contact's consent per purpose (current state), its history and any restriction of processing",
        params: idParams,
        response: {
          200: z.object({
            data: z.array(consentStateOut),
            history: z.array(consentEventOut),
            restriction: restrictionOut.nullable(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const { id } = req.params;
        await readableContact(tx, ctx, id);
        const [data, history, restriction] = [
          await consentsOf(tx, ctx.tenantId, id),
          await consentHistory(tx, ctx.tenantId, id),
          await restrictionOf(tx, ctx.tenantId, id),
        ];
        return { data, history, restriction: restriction.active };
      }),
  );

  app.post(
    '/contacts/:id/consents',
    {
      config: { permission: 'crm:write' },
      schema: {
        tags,
        summary:
          'Record a grant or withdrawal the person gave staff (phone, letter, form): appended to the history with the notice version',
        params: idParams,
        body: z.object({
          purpose: purposeEnum,
          granted: z.boolean(),
          notice_version_id: z
            .uuid()
            .nullable()
            .optional()
            .describe('Notice version agreed to; default the current one'),
          channel: z
            .enum(['staff', 'import', 'webform'])
            .optional()
            .describe('How the person said it (default staff; webform and import need privacy:manage)'),
          note: z.string().max(1000).nullable().optional(),
        }),
        response: { 201: consentEventOut, ...errorResponses },
      },
    },
    async (req, reply) => {
      const out = await app.withTenant(req, async (tx, ctx) => {
        await editableContact(tx, ctx, req.params.id);
        const channel = req.body.channel ?? 'staff';
        // Where a consent came from is evidence: only privacy staff may say a form or an import (review item 11).
        if (channel !== 'staff' && !can(ctx, 'privacy:manage'))
          throw new ProblemError(
            403,
            'Forbidden',
            'Only privacy staff may record a consent from a form or an import',
            [{ field: 'channel', reason: 'record what the person told you with channel staff' }],
          );
        return setConsent(tx, ctx, {
          contactId: req.params.id,
          purpose: req.body.purpose,
          granted: req.body.granted,
          noticeVersionId: req.body.notice_version_id ?? null,
          channel,
          note: req.body.note ?? null,
        });
      });
      return reply.status(201).send(out);
    },
  );

  app.get(
    '/contacts/:id/restriction',
    {
      config: { permission: 'crm:read' },
      schema: {
        tags,
        summary: "A contact's restriction of processing: the active one and its history",
        params: idParams,
        response: {
          200: z.object({ active: restrictionOut.nullable(), history: z.array(restrictionOut) }),
          ...errorResponses,
        },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        await readableContact(tx, ctx, req.params.id);
        return restrictionOf(tx, ctx.tenantId, req.params.id);
      }),
  );

  app.post(
    '/contacts/:id/restriction',
    {
      config: { permission: 'privacy:manage' },
      schema: {
        tags,
        summary:
          'Restrict processing of a person: data kept but not scored, exported or sent to other systems (audited)',
        params: idParams,
        body: z.object({
          reason: z.string().trim().min(1).max(1000),
          case_id: z.uuid().nullable().optional().describe('The privacy case that asked for it'),
        }),
        response: { 201: restrictionOut, ...errorResponses },
      },
    },
    async (req, reply) => {
      const out = await app.withTenant(req, async (tx, ctx) => {
        await readableContact(tx, ctx, req.params.id);
        return restrictProcessing(tx, ctx, {
          contactId: req.params.id,
          reason: req.body.reason,
          caseId: req.body.case_id ?? null,
        });
      });
      return reply.status(201).send(out);
    },
  );

  app.post(
    '/contacts/:id/restriction/lift',
    {
      config: { permission: 'privacy:manage' },
      schema: {
        tags,
        summary: 'Lift the restriction of processing of a person, with the reason (audited)',
        params: idParams,
        body: z.object({ reason: z.string().trim().min(1).max(1000) }),
        response: { 200: restrictionOut, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        await readableContact(tx, ctx, req.params.id);
        return liftRestriction(tx, ctx, { contactId: req.params.id, reason: req.body.reason });
      }),
  );

  app.get(
    '/privacy/notices',
    {
      config: { permission: 'privacy:read' },
      schema: {
        tags,
        summary: 'Privacy notice versions, newest first (drafts and published)',
        response: {
          200: z.object({ data: z.array(noticeOut), current_id: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => ({
        data: await listNotices(tx, ctx.tenantId),
        current_id: (await currentNotice(tx, ctx.tenantId))?.id ?? null,
      })),
  );

  app.get(
    '/privacy/notices/current',
    {
      config: { permission: 'crm:read' },
      schema: {
        tags,
        summary: 'The current privacy notice (newest published version) people agree to; null when none is',
        response: { 200: z.object({ notice: noticeOut.nullable() }), ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => ({ notice: await currentNotice(tx, ctx.tenantId) })),
  );

  app.get(
    '/privacy/notices/:id',
    {
      config: { permission: 'privacy:read' },
      schema: {
        tags,
        summary: 'One privacy notice version',
        params: idParams,
        response: { 200: noticeOut, ...errorResponses },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => getNotice(tx, ctx.tenantId, req.params.id)),
  );

  app.post(
    '/privacy/notices',
    {
      config: { permission: 'privacy:manage' },
      schema: {
        tags,
        summary: 'Create the next privacy notice version (draft, or published at once with publish: true)',
        body: noticeIn.extend({ publish: z.boolean().optional() }),
        response: { 201: noticeOut, ...errorResponses },
      },
    },
    async (req, reply) => {
      const out = await app.withTenant(req, (tx, ctx) => createNotice(tx, ctx, req.body));
      return reply.status(201).send(out);
    },
  );

  app.patch(
    '/privacy/notices/:id',
    {
      config: { permission: 'privacy:manage' },
      schema: {
        tags,
        summary: 'Change a draft notice version (a published one is immutable: 409)',
        params: idParams,
        body: noticeIn.partial(),
        response: { 200: noticeOut, ...errorResponses },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => updateNotice(tx, ctx, req.params.id, req.body)),
  );

  app.post(
    '/privacy/notices/:id/publish',
    {
      config: { permission: 'privacy:manage' },
      schema: {
        tags,
        summary: 'Publish a draft notice version: it becomes the current notice, immutable from now on',
        params: idParams,
        response: { 200: noticeOut, ...errorResponses },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => publishNotice(tx, ctx, req.params.id)),
  );

  app.get(
    '/privacy/dashboard',
    {
      config: { permission: 'privacy:read' },
      schema: {
        tags,
        summary:
          'Consent rate per purpose per week (from the consent history) and what customers contributed through the portal',
        querystring: z.object({
          weeks: z.coerce
            .number()
            .int()
            .min(1)
            .max(104)
            .optional()
            .describe('Weeks back from now (default 12)'),
        }),
        response: { 200: dashboardOut, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, (tx, ctx) => privacyDashboard(tx, ctx.tenantId, { weeks: req.query.weeks })),
  );

  app.get(
    '/privacy/processing-record',
    {
      config: { permission: 'privacy:read' },
      schema: {
        tags,
        summary:
          'The record of processing: purposes, legal basis, data categories, recipients, retention (JSON, or CSV with format=csv)',
        querystring: z.object({
          format: z.enum(['json', 'csv']).optional(),
          lang: z.enum(['en', 'zh']).optional().describe('CSV language (default from Accept-Language)'),
        }),
        response: { 200: processingRecordOut.or(z.string()), ...errorResponses },
      },
    },
    async (req, reply) => {
      const notice = await app.withTenant(req, (tx, ctx) => currentNotice(tx, ctx.tenantId));
      const rec = processingRecord({
        llmConfigured: !!app.platform.config.llm,
        noticeVersion: notice?.version ?? null,
      });
      if (req.query.format !== 'csv') return rec;
      const lang =
        req.query.lang ?? (negotiateLocale(req.headers['accept-language']) === 'zh-CN' ? 'zh' : 'en');
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="processing-record-${rec.generated_at.slice(0, 10)}.csv"`,
        )
        .send(processingRecordCsv(rec, lang));
    },
  );
}
