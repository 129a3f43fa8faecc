import { z } from 'zod';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import type { TypedApp } from '../../platform/http/app.js';
import { errorResponses, idParams } from '../../platform/records/resource-routes.js';
import {
  assignCase,
  CASE_CHANNELS,
  CASE_KINDS,
  CASE_STATES,
  carryOutErasure,
  commentCase,
  decideRectification,
  extendCase,
  getCaseSettings,
  getCaseWithHistory,
  listCases,
  openCase,
  parseReceivedAt,
  privacyManagers,
  putCaseSettings,
  REGIMES,
  requesterReplied,
  transitionCase,
} from './sovereignty-cases.service.js';

const tags = ['Privacy cases'];
const read = 'privacy:read' as const;
const manage = 'privacy:manage' as const;

const stateEnum = z.enum(CASE_STATES);
const clockOut = z.object({
  unit: z.enum(['days', 'working_days']).describe('GDPR counts calendar days, PIPL working days'),
  period: z.union([z.object({ months: z.number() }), z.object({ working_days: z.number() })]),
  due_at: z.string().describe('The deadline (moves by the time the case waited on the requester)'),
  due_date: z.string().describe('The deadline day (YYYY-MM-DD, in the calendar time zone)'),
  status: z.enum(['running', 'due_soon', 'due_today', 'overdue', 'paused', 'stopped']),
  remaining_working_days: z.number().nullable(),
  remaining_days: z.number().nullable(),
  overdue_days: z.number(),
  paused_ms: z.number(),
  paused_working_minutes: z.number().nullable(),
  paused_since: z.string().nullable(),
  closed_on_time: z.boolean().nullable(),
  holidays_unknown_years: z
    .array(z.number())
    .describe(
      'Years the working-day count runs through whose public holidays are not known yet (enter them under the calendar settings): the due date may be too early',
    ),
});
const caseOut = z.object({
  id: z.string(),
  kind: z.enum(CASE_KINDS),
  channel: z.enum(CASE_CHANNELS),
  regime: z.enum(REGIMES),
  state: stateEnum,
  contact_id: z.string(),
  contact: z
    .object({
      id: z.string(),
      name: z.string().nullable(),
      emails: z.array(z.string()),
      account_name: z.string().nullable(),
      exists: z.boolean(),
      readable: z.boolean().describe('False when record sharing hides the contact from you'),
    })
    .nullable(),
  details: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
  received_at: z.string(),
  identity_verified: z.boolean(),
  assignee_id: z.string().nullable(),
  assignee_name: z.string().nullable(),
  extension_months: z.number(),
  extension_reason: z.string().nullable(),
  resolution: z.string().nullable(),
  proof_report_id: z.string().nullable(),
  closed_at: z.string().nullable(),
  created_by: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  clock: clockOut,
  next_states: z.array(stateEnum),
  can_extend: z.boolean(),
});
const historyOut = z.object({
  id: z.number(),
  kind: z
    .string()
    .describe('opened | state | assigned | extended | comment | reply | rectification | erasure | warning'),
  from_state: z.string().nullable(),
  to_state: z.string().nullable(),
  message: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  actor_type: z.string(),
  actor_id: z.string().nullable(),
  actor_name: z.string().nullable(),
  source: z.string(),
  at: z.string(),
});
const caseWithHistory = caseOut.extend({ history: z.array(historyOut) });

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'enter a time such as 09:00');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'enter a date such as 2027-02-10');
const settingsOut = z.object({
  default_regime: z.enum(REGIMES),
  pipl_working_days: z.number(),
  time_zone: z.string(),
  work_start: z.string(),
  work_end: z.string(),
  lunch: z.object({ start: z.string(), end: z.string() }).nullable(),
  extra_holidays: z.array(z.string()),
  extra_working_days: z.array(z.string()),
  updated_at: z.string().nullable(),
});

/** The privacy case queue and the tenant's case calendar. */
export function privacyCasesRoutes(app: TypedApp): void {
  app.get(
    '/privacy/cases',
    {
      config: { permission: read },
      schema: {
        tags,
        summary:
          'The privacy case queue: open cases by due date first; filter by state, kind, assignee, overdue',
        querystring: z.object({
          state: z.enum([...CASE_STATES, 'open', 'closed']).optional(),
          kind: z.enum(CASE_KINDS).optional(),
          assignee: z
            .union([z.uuid(), z.enum(['me', 'none'])])
            .optional()
            .describe('A user id, me or none'),
          overdue: z
            .enum(['true', 'false'])
            .transform((v) => v === 'true')
            .optional(),
          contact_id: z.uuid().optional(),
          page: z.coerce.number().int().min(1).optional(),
          page_size: z.coerce.number().int().min(1).max(200).optional(),
        }),
        response: {
          200: z.object({
            data: z.array(caseOut),
            total: z.number(),
            page: z.number(),
            page_size: z.number(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => listCases(tx, ctx, req.query)),
  );

  app.get(
    '/privacy/cases/assignees',
    {
      config: { permission: read },
      schema: {
        tags,
        summary: 'Colleagues who may work privacy cases (the assignee picker)',
        response: {
          200: z.object({ data: z.array(z.object({ id: z.string(), name: z.string(), email: z.string() })) }),
          ...errorResponses,
        },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => ({ data: await privacyManagers(tx, ctx.tenantId) })),
  );

  app.post(
    '/privacy/cases',
    {
      config: { permission: manage },
      schema: {
        tags,
        summary: "Open a case on a person's behalf (a request by phone, letter, email or in person)",
        body: z.object({
          kind: z.enum(CASE_KINDS),
          contact_id: z.uuid(),
          channel: z.enum(CASE_CHANNELS),
          regime: z.enum(REGIMES).optional().describe("Default: the tenant's"),
          details: z.string().max(5000).optional(),
          payload: z.record(z.string(), z.unknown()).optional().describe('Rectification: { field, value }'),
          identity_verified: z
            .boolean()
            .optional()
            .describe('The identity was checked already: starts in progress'),
          received_at: z.string().max(40).optional().describe('When the request reached us (default now)'),
          assignee_id: z.uuid().nullable().optional(),
        }),
        response: { 201: caseOut, ...errorResponses },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const created = await app.withTenant(req, (tx, ctx) =>
        openCase(tx, ctx, {
          kind: b.kind,
          contactId: b.contact_id,
          channel: b.channel,
          regime: b.regime,
          details: b.details,
          payload: b.payload,
          identityVerified: b.identity_verified,
          receivedAt: parseReceivedAt(b.received_at),
          assigneeId: b.assignee_id ?? null,
        }),
      );
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/privacy/cases/:id',
    {
      config: { permission: read },
      schema: {
        tags,
        summary: 'One case with its clock and history',
        params: idParams,
        response: { 200: caseWithHistory, ...errorResponses },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => getCaseWithHistory(tx, ctx, req.params.id)),
  );

  caseAction(
    app,
    'assign',
    'Assign the case to a colleague who may work privacy cases (null: unassign)',
    z.object({ assignee_id: z.uuid().nullable() }),
    (tx, ctx, id, b) => assignCase(tx, ctx, id, b.assignee_id),
  );
  caseAction(
    app,
    'transition',
    'Move the case: verifying, in_progress (identity verified), waiting_on_requester (pauses the clock; say what is asked), completed, rejected (with a reason), withdrawn',
    z.object({
      to: stateEnum,
      reason: z.string().max(2000).optional(),
      message: z.string().max(5000).optional(),
    }),
    (tx, ctx, id, b) => transitionCase(tx, ctx, id, b),
  );
  caseAction(
    app,
    'extend',
    'Extend a GDPR deadline once by 1 or 2 months, with the reason',
    z.object({ months: z.number().int().min(1).max(2), reason: z.string().min(1).max(2000) }),
    (tx, ctx, id, b) => extendCase(tx, ctx, id, b),
  );
  caseAction(
    app,
    'reply-received',
    'The requester answered (by phone, mail, letter): the clock runs again',
    z.object({ message: z.string().max(5000) }),
    (tx, ctx, id, b) => requesterReplied(tx, ctx, id, b.message),
  );
  caseAction(
    app,
    'comment',
    'Add a note to the case history',
    z.object({ message: z.string().max(5000) }),
    (tx, ctx, id, b) => commentCase(tx, ctx, id, b.message),
  );
  caseAction(
    app,
    'rectification',
    'Approve (apply to the contact, completes the case) or reject a requested correction',
    z.object({ decision: z.enum(['approve', 'reject']), reason: z.string().max(2000).optional() }),
    (tx, ctx, id, b) => decideRectification(tx, ctx, id, b),
  );

  app.post(
    '/privacy/cases/:id/erase',
    {
      config: { permission: manage },
      schema: {
        tags,
        summary:
          'Carry out an erasure case: erase the person everywhere, complete the case with the proof report',
        params: idParams,
        response: { 200: caseWithHistory, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        await carryOutErasure(app.platform, tx, ctx, req.params.id);
        return getCaseWithHistory(tx, ctx, req.params.id);
      }),
  );

  app.get(
    '/privacy/calendar',
    {
      config: { permission: read },
      schema: {
        tags,
        summary:
          'Case settings: default regime, PIPL working days, working hours, extra holidays and working days',
        response: { 200: settingsOut, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => settingsView(await getCaseSettings(tx, ctx.tenantId))),
  );

  app.put(
    '/privacy/calendar',
    {
      config: { permission: manage },
      schema: {
        tags,
        summary: 'Replace the case settings (audited); open PIPL cases keep the period they were opened with',
        body: z.object({
          default_regime: z.enum(REGIMES),
          pipl_working_days: z.number().int().min(1).max(60),
          time_zone: z.string().max(64).optional(),
          work_start: hhmm,
          work_end: hhmm,
          lunch: z.object({ start: hhmm, end: hhmm }).nullable(),
          extra_holidays: z.array(day).max(400),
          extra_working_days: z.array(day).max(400),
        }),
        response: { 200: settingsOut, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => settingsView(await putCaseSettings(tx, ctx, req.body))),
  );
}

function settingsView(s: Awaited<ReturnType<typeof getCaseSettings>>) {
  return {
    default_regime: s.default_regime,
    pipl_working_days: s.pipl_working_days,
    time_zone: s.calendar.timeZone,
    work_start: s.calendar.workStart,
    work_end: s.calendar.workEnd,
    lunch: s.calendar.lunch,
    extra_holidays: [...s.calendar.extraHolidays],
    extra_working_days: [...s.calendar.extraWorkingDays],
    updated_at: s.updated_at,
  };
}

/**
 * POST /privacy/cases/:id/<action> (privacy:manage): runs the case service's step with the body,
 * then answers the case with its history — the shape every case action shares.
 */
function caseAction<B extends z.ZodType>(
  app: TypedApp,
  action: string,
  summary: string,
  body: B,
  run: (tx: Tx, ctx: ActorContext, id: string, body: z.output<B>) => Promise<unknown>,
): void {
  app.post(
    `/privacy/cases/:id/${action}`,
    {
      config: { permission: manage },
      schema: {
        tags,
        summary,
        params: idParams,
        body,
        response: { 200: caseWithHistory, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        // The route already validated it; parsed again only to carry B's type (no cast).
        await run(tx, ctx, req.params.id, body.parse(req.body));
        return getCaseWithHistory(tx, ctx, req.params.id);
      }),
  );
}
