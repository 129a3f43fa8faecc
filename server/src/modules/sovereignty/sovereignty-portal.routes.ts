import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import type { TypedApp } from '../../platform/http/app.js';
import { negotiateLocale } from '../../platform/http/locale.js';
import { notFound, ProblemError } from '../../platform/http/problem.js';
import { errorResponses } from '../../platform/records/resource-routes.js';
import { contactService } from '../crm/crm.service.js';
import { casesOfContact, openCase, type PrivacyCase } from './sovereignty-cases.service.js';
import { consentsOf, currentNotice, PURPOSE_KEYS, setConsent } from './sovereignty-consent.service.js';
import { collectPersonalData, subjectOf } from './sovereignty-erasure.service.js';
import { exportFile, exportStatus, startExport } from './sovereignty-export.service.js';
import { personalDataSectionOut } from './sovereignty-personal-data.out.js';
import {
  applyDirectCorrection,
  FIELD_LABELS,
  FIELD_POLICY,
  organisationsOf,
  portalProfile,
  requestPortalLogin,
  TooManyLogins,
  verifyPortalLogin,
} from './sovereignty-portal.service.js';
import {
  clearPortalCookie,
  endPortalSession,
  openPortalSession,
  type PortalVisitor,
  portalContext,
  portalUnauthorized,
  resolvePortalSession,
  selectPortalTenant,
  setPortalCookie,
} from './sovereignty-portal.session.js';

const tags = ['Customer portal'];
/** No staff credential applies: the portal's own cookie zs_portal (set by POST /portal/verify). */
const security: { [label: string]: string[] }[] = [];
const problem = errorResponses[400];
const portalErrors = { ...errorResponses, 429: problem };
/** Staff auth does not apply: the portal checks its own session (cookie zs_portal). */
const open = { public: true } as const;

const email = z.email('Enter an email address, such as name@example.com').trim().toLowerCase().max(320);
const organisation = z.object({
  tenant_id: z.string(),
  name: z.string().describe('The organisation (our customer) that holds the data'),
  contact_name: z.string().describe('Your name as that organisation has it'),
  account_name: z.string().nullable().describe('The company you are recorded at'),
});
const sessionOut = z.object({
  organisations: z.array(organisation),
  selected: organisation.nullable().describe('Null until you choose an organisation (you belong to several)'),
  expires_at: z.string().describe('The session ends then at the latest (and after 30 minutes idle)'),
});

/** The portal visitor of this request, or 401 (staff cookies and bearer tokens are never looked at). */
async function visitorOf(app: TypedApp, req: FastifyRequest): Promise<PortalVisitor> {
  const v = req.portalVisitor ?? (await resolvePortalSession(app.platform.database, req));
  if (!v) throw portalUnauthorized();
  req.portalVisitor = v;
  return v;
}

const chooseFirst = () =>
  new ProblemError(409, 'Conflict', 'Choose the organisation first', [
    { field: 'tenant', reason: 'choose an organisation' },
  ]);

/**
 * Runs fn in the chosen organisation's tenant as the contact (actor type customer, source
 * portal). The contact id always comes from the session, never from the request.
 */
async function asContact<T>(
  app: TypedApp,
  req: FastifyRequest,
  fn: (tx: Tx, ctx: ActorContext, contactId: string) => Promise<T>,
): Promise<T> {
  const v = await visitorOf(app, req);
  if (!v.tenantId || !v.contactId) throw chooseFirst();
  const { tenantId, contactId } = v;
  const result = await app.platform.database.tenantTx(tenantId, async (tx) => {
    const contact = await contactService.find(
      tx,
      portalContext(tenantId, contactId, 'portal', req.id),
      contactId,
    );
    // The contact was erased or merged away since the sign-in: the session is of no use any more.
    if (!contact) throw portalUnauthorized();
    return fn(tx, portalContext(tenantId, contactId, String(contact.name), req.id), contactId);
  });
  if (req.method !== 'GET') app.platform.bus.nudge();
  return result;
}

async function sessionView(app: TypedApp, v: PortalVisitor) {
  const orgs = (await organisationsOf(app.platform, v.candidates)).map((o) => ({
    tenant_id: o.tenant_id,
    name: o.tenant_name,
    contact_name: o.contact_name,
    account_name: o.account_name,
  }));
  return {
    organisations: orgs,
    selected: orgs.find((o) => o.tenant_id === v.tenantId) ?? null,
    expires_at: v.expiresAt.toISOString(),
  };
}

/** The customer portal's routes (R-5.1, R-5.2) under /api/v1/portal: its own session, never staff's. */
export function portalRoutes(app: TypedApp): void {
  app.decorateRequest('portalVisitor', null);
  const secure = app.platform.config.cookieSecure;

  app.post(
    '/portal/login',
    {
      config: open,
      schema: {
        tags,
        security,
        summary:
          'Ask for a sign-in code and link by e-mail (same answer whether the address is known or not)',
        body: z.object({ email }),
        response: { 202: z.object({ accepted: z.literal(true) }), ...portalErrors },
      },
    },
    async (req, reply) => {
      try {
        await requestPortalLogin(app.platform, {
          email: req.body.email,
          ip: req.ip,
          locale: negotiateLocale(req.headers['accept-language']),
          // A fixed public address when configured: a forged Host header cannot point the link elsewhere.
          linkBase: app.platform.config.publicUrl ?? `${req.protocol}://${req.host}`,
        });
      } catch (err) {
        if (err instanceof TooManyLogins) reply.header('retry-after', String(err.retryAfterSeconds));
        throw err;
      }
      return reply.code(202).send({ accepted: true });
    },
  );

  app.post(
    '/portal/verify',
    {
      config: open,
      schema: {
        tags,
        security,
        summary:
          'Sign in with the e-mailed code (with the address) or the link’s token; sets the portal cookie',
        body: z.union([
          z.object({
            email,
            code: z
              .string()
              .trim()
              .regex(/^\d{6}$/, 'the 6 digits from the mail'),
          }),
          z.object({ token: z.string().min(10).max(200) }),
        ]),
        response: { 200: sessionOut, ...portalErrors },
      },
    },
    async (req, reply) => {
      const candidates = await verifyPortalLogin(app.platform, req.body);
      const locale = negotiateLocale(req.headers['accept-language']);
      const s = await openPortalSession(app.platform.database, candidates, locale);
      setPortalCookie(reply, s.token, secure);
      const v: PortalVisitor = {
        sessionId: s.id,
        candidates,
        tenantId: candidates.length === 1 ? candidates[0].tenant_id : null,
        contactId: candidates.length === 1 ? candidates[0].contact_id : null,
        locale,
        expiresAt: s.expiresAt,
      };
      return sessionView(app, v);
    },
  );

  app.get(
    '/portal/session',
    {
      config: open,
      schema: {
        tags,
        security,
        summary: 'The portal session: organisations and the one chosen',
        response: { 200: sessionOut, ...portalErrors },
      },
    },
    async (req) => sessionView(app, await visitorOf(app, req)),
  );

  app.get(
    '/portal/organisations',
    {
      config: open,
      schema: {
        tags,
        security,
        summary: 'The organisations that hold data about you (choose one after signing in)',
        response: { 200: z.object({ items: z.array(organisation) }), ...portalErrors },
      },
    },
    async (req) => ({ items: (await sessionView(app, await visitorOf(app, req))).organisations }),
  );

  app.post(
    '/portal/organisations/:tenant/select',
    {
      config: open,
      schema: {
        tags,
        security,
        summary: 'Choose the organisation whose data about you the portal shows',
        params: z.object({ tenant: z.string().describe('tenant_id from /portal/organisations') }),
        response: { 200: sessionOut, ...portalErrors },
      },
    },
    async (req) => {
      const v = await visitorOf(app, req);
      const pick = await selectPortalTenant(app.platform.database, v, req.params.tenant);
      if (!pick) throw notFound('Organisation');
      return sessionView(app, { ...v, tenantId: pick.tenant_id, contactId: pick.contact_id });
    },
  );

  app.post(
    '/portal/logout',
    {
      config: open,
      schema: {
        tags,
        security,
        summary: 'Sign out of the portal',
        response: { 204: z.null(), ...portalErrors },
      },
    },
    async (req, reply) => {
      const v = await resolvePortalSession(app.platform.database, req);
      if (v) await endPortalSession(app.platform.database, v.sessionId);
      clearPortalCookie(reply, secure);
      return reply.code(204).send();
    },
  );

  const lineageOut = z
    .object({
      method: z.string(),
      source: z.string(),
      actor_type: z.string(),
      actor_name: z.string().nullable(),
      at: z.string(),
    })
    .nullable();
  const fieldOut = z.object({
    key: z.string(),
    label: z.object({ en: z.string(), zh: z.string() }),
    value: z.unknown(),
    policy: z.enum(['direct', 'request']),
    lineage: lineageOut,
  });

  app.get(
    '/portal/me/profile',
    {
      config: open,
      schema: {
        tags,
        security,
        summary:
          'Your record: each field with where its value came from, and whether you can correct it directly',
        response: { 200: z.object({ items: z.array(fieldOut) }), ...portalErrors },
      },
    },
    async (req) => ({ items: await asContact(app, req, (tx, ctx, id) => portalProfile(tx, ctx, id)) }),
  );

  app.post(
    '/portal/me/corrections',
    {
      config: open,
      schema: {
        tags,
        security,
        summary:
          'Correct a field: name, English name, title, phone and language are changed at once; anything else becomes a rectification request',
        body: z.object({
          field: z.enum(
            Object.keys(FIELD_POLICY) as [keyof typeof FIELD_POLICY, ...(keyof typeof FIELD_POLICY)[]],
          ),
          value: z.string().max(2000),
          note: z.string().max(2000).optional(),
        }),
        response: {
          200: z.object({
            applied: z.boolean().describe('true: changed now; false: sent as a request (see case)'),
            case: z.object({ id: z.string(), due_at: z.string() }).nullable(),
          }),
          ...portalErrors,
        },
      },
    },
    async (req) => {
      const { field, value, note } = req.body;
      return asContact(app, req, async (tx, ctx, contactId) => {
        if (FIELD_POLICY[field] === 'direct') {
          await applyDirectCorrection(tx, ctx, contactId, field, value);
          return { applied: true, case: null };
        }
        // Fields a case can apply once staff approve carry `field`; the company and anything else
        // are described for staff to handle by hand.
        const appliable = field === 'emails' || field === 'department';
        const list = (v: string) =>
          v
            .split(/[,，;；\s]+/)
            .map((x) => x.trim().toLowerCase())
            .filter(Boolean);
        const c = await openCase(tx, ctx, {
          kind: 'rectification',
          contactId,
          channel: 'portal',
          payload: appliable
            ? { field, value: field === 'emails' ? list(value) : value.trim(), note: note ?? null }
            : { requested_field: field, value: value.trim(), note: note ?? null },
          details: appliable
            ? note
            : `${FIELD_LABELS[field].zh} / ${FIELD_LABELS[field].en}: ${value.trim()}${note ? ` — ${note}` : ''}`,
          identityVerified: true,
        });
        return { applied: false, case: { id: c.id, due_at: c.clock.due_at } };
      });
    },
  );

  const consentOut = z.object({
    purpose: z.string(),
    label: z.object({ en: z.string(), zh: z.string() }),
    description: z.object({ en: z.string(), zh: z.string() }),
    granted: z.boolean(),
    basis: z.enum(['recorded', 'default']),
    requires_consent: z.boolean(),
    notice_version_id: z.string().nullable(),
    notice_version: z.number().nullable(),
    channel: z.string().nullable(),
    actor_name: z.string().nullable(),
    at: z.string().nullable(),
  });
  const noticeOut = z
    .object({
      id: z.string(),
      version: z.number(),
      title_zh: z.string(),
      title_en: z.string(),
      text_zh: z.string(),
      text_en: z.string(),
      published_at: z.string().nullable(),
    })
    .nullable();
  const consentsView = async (tx: Tx, ctx: ActorContext, contactId: string) => {
    const n = await currentNotice(tx, ctx.tenantId);
    return {
      notice: n
        ? {
            id: n.id,
            version: n.version,
            title_zh: n.title_zh,
            title_en: n.title_en,
            text_zh: n.text_zh,
            text_en: n.text_en,
            published_at: n.published_at,
          }
        : null,
      items: await consentsOf(tx, ctx.tenantId, contactId),
    };
  };
  const consentsResponse = z.object({ notice: noticeOut, items: z.array(consentOut) });

  app.get(
    '/portal/me/consents',
    {
      config: open,
      schema: {
        tags,
        security,
        summary: 'Your consent per purpose, with the privacy notice now in force',
        response: { 200: consentsResponse, ...portalErrors },
      },
    },
    async (req) => asContact(app, req, consentsView),
  );

  app.put(
    '/portal/me/consents/:purpose',
    {
      config: open,
      schema: {
        tags,
        security,
        summary: 'Grant or withdraw consent for one purpose, agreeing to the given notice version',
        params: z.object({ purpose: z.enum(PURPOSE_KEYS) }),
        body: z.object({
          granted: z.boolean(),
          notice_version_id: z
            .string()
            .nullable()
            .optional()
            .describe('The notice version you read (default: current)'),
        }),
        response: { 200: consentsResponse, ...portalErrors },
      },
    },
    async (req) =>
      asContact(app, req, async (tx, ctx, contactId) => {
        await setConsent(tx, ctx, {
          contactId,
          purpose: req.params.purpose,
          granted: req.body.granted,
          noticeVersionId: req.body.notice_version_id ?? null,
          channel: 'portal',
        });
        return consentsView(tx, ctx, contactId);
      }),
  );

  const requestOut = z.object({
    id: z.string(),
    kind: z.string(),
    state: z.string(),
    channel: z.string(),
    regime: z.string(),
    received_at: z.string(),
    due_at: z.string(),
    due_date: z.string(),
    clock_status: z.string(),
    closed_at: z.string().nullable(),
    resolution: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()),
  });
  const presentRequest = (c: PrivacyCase) => ({
    id: c.id,
    kind: c.kind,
    state: c.state,
    channel: c.channel,
    regime: c.regime,
    received_at: c.received_at,
    due_at: c.clock.due_at,
    due_date: c.clock.due_date,
    clock_status: c.clock.status,
    closed_at: c.closed_at,
    resolution: c.resolution,
    payload: c.payload,
  });

  app.get(
    '/portal/me/requests',
    {
      config: open,
      schema: {
        tags,
        security,
        summary: 'Your requests (corrections, deletion …) with their state and the date we must answer by',
        response: { 200: z.object({ items: z.array(requestOut) }), ...portalErrors },
      },
    },
    async (req) =>
      asContact(app, req, async (tx, ctx, contactId) => ({
        items: (await casesOfContact(tx, ctx.tenantId, contactId)).map(presentRequest),
      })),
  );

  app.post(
    '/portal/me/erasure',
    {
      config: open,
      schema: {
        tags,
        security,
        summary: 'Ask for everything about you to be deleted (opens an erasure request on the legal clock)',
        body: z.object({ confirm: z.literal(true), note: z.string().max(2000).optional() }),
        response: { 201: requestOut, ...portalErrors },
      },
    },
    async (req, reply) => {
      const c = await asContact(app, req, (tx, ctx, contactId) =>
        openCase(tx, ctx, {
          kind: 'erasure',
          contactId,
          channel: 'portal',
          details: req.body.note,
          identityVerified: true,
        }),
      );
      return reply.code(201).send(presentRequest(c));
    },
  );

  app.get(
    '/portal/me/data',
    {
      config: open,
      schema: {
        tags,
        security,
        summary:
          'Everything held about you, from every part of the product, each datum with where it came from',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(500).default(100).describe('Records per section'),
        }),
        response: { 200: z.object({ sections: z.array(personalDataSectionOut) }), ...portalErrors },
      },
    },
    async (req) =>
      asContact(app, req, async (tx, ctx, contactId) => ({
        sections: await collectPersonalData(app.platform, tx, await subjectOf(tx, ctx.tenantId, contactId), {
          limit: req.query.limit,
        }),
      })),
  );

  const exportOut = z.object({
    id: z.string(),
    status: z.enum(['queued', 'running', 'done', 'failed']),
    progress: z.object({ done: z.number(), total: z.number() }),
    records: z.number().nullable(),
    file_bytes: z.number().nullable(),
    error: z.string().nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
    expires_at: z.string(),
  });
  const exportParams = z.object({
    id: z.uuid('Not a valid id').describe('Export id from POST /portal/me/exports'),
  });
  const presentStatus = (s: z.infer<typeof exportOut> & { contact_id?: string }) => {
    const { contact_id: _own, ...rest } = s;
    return rest;
  };

  app.post(
    '/portal/me/exports',
    {
      config: open,
      schema: {
        tags,
        security,
        summary: 'Start an export of everything held about you (JSON and CSV in a zip)',
        response: { 202: exportOut, ...portalErrors },
      },
    },
    async (req, reply) => {
      const who = await asContact(app, req, async (_tx, ctx, contactId) => ({ ctx, contactId }));
      const s = await startExport(app.platform, who.ctx, who.contactId);
      return reply.code(202).send(presentStatus(s));
    },
  );

  app.get(
    '/portal/me/exports/:id',
    {
      config: open,
      schema: {
        tags,
        security,
        summary: 'Progress of your export',
        params: exportParams,
        response: { 200: exportOut, ...portalErrors },
      },
    },
    async (req) =>
      presentStatus(
        await asContact(app, req, (tx, _ctx, contactId) => exportStatus(tx, req.params.id, { contactId })),
      ),
  );

  app.get(
    '/portal/me/exports/:id/file',
    {
      config: open,
      schema: {
        tags,
        security,
        summary: 'Download your finished export (zip)',
        params: exportParams,
        response: {
          200: z.string().describe('application/zip: data.json, one CSV per section, README'),
          ...portalErrors,
        },
      },
    },
    async (req, reply) => {
      const file = await asContact(app, req, (tx, _ctx, contactId) =>
        exportFile(app.platform, tx, req.params.id, { contactId }),
      );
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .header('cache-control', 'no-store')
        .send(file.data);
    },
  );
}
