import { and, asc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/change-log.js';
import { userService } from '../../platform/auth/auth.routes.js';
import { type ActorContext, systemContext } from '../../platform/auth/auth-context.js';
import { type Role, roleHas } from '../../platform/auth/permissions.js';
import {
  addCalendarMonths,
  addDays,
  addWorkingDays,
  addWorkingTime,
  DEFAULT_CALENDAR,
  daysBetween,
  endOfWorkingDay,
  isClockTime,
  isDay,
  localDay,
  minutesOf,
  unknownHolidayYears,
  type WorkingCalendar,
  workingDaysBetween,
  workingTimeBetween,
  zonedInstant,
} from '../../platform/calendar/working-calendar.js';
import type { Tx } from '../../platform/db/database.js';
import { emitEvent } from '../../platform/events/event-bus.js';
import { conflict, notFound, unprocessable } from '../../platform/http/problem.js';
import type { Platform } from '../../platform/platform.js';
import { contactService } from '../crm/crm.service.js';
import { privacyCalendarSettings, privacyCaseEvents, privacyCases } from './sovereignty-cases.schema.js';
import { runErasure } from './sovereignty-erasure.service.js';

// ---------- vocabulary ----------

export const CASE_KINDS = [
  'access',
  'rectification',
  'erasure',
  'restriction',
  'portability',
  'withdrawal',
  'objection',
] as const;
export type CaseKind = (typeof CASE_KINDS)[number];
export const CASE_CHANNELS = ['portal', 'phone', 'letter', 'email', 'staff'] as const;
export type CaseChannel = (typeof CASE_CHANNELS)[number];
export const REGIMES = ['gdpr', 'pipl'] as const;
export type Regime = (typeof REGIMES)[number];
export const CASE_STATES = [
  'received',
  'verifying',
  'in_progress',
  'waiting_on_requester',
  'completed',
  'rejected',
  'withdrawn',
] as const;
export type CaseState = (typeof CASE_STATES)[number];
export const OPEN_STATES: readonly CaseState[] = [
  'received',
  'verifying',
  'in_progress',
  'waiting_on_requester',
];
export const CLOSED_STATES: readonly CaseState[] = ['completed', 'rejected', 'withdrawn'];

/** The states a case may move to from each state (completed/rejected/withdrawn are final). */
export const TRANSITIONS: Record<CaseState, readonly CaseState[]> = {
  received: ['verifying', 'in_progress', 'waiting_on_requester', 'rejected', 'withdrawn'],
  verifying: ['in_progress', 'waiting_on_requester', 'rejected', 'withdrawn'],
  in_progress: ['waiting_on_requester', 'completed', 'rejected', 'withdrawn'],
  waiting_on_requester: ['verifying', 'in_progress', 'rejected', 'withdrawn'],
  completed: [],
  rejected: [],
  withdrawn: [],
};

/** States in business words (problem messages; zh-CN through the terms catalogue). */
export const STATE_WORDS: Record<CaseState, string> = {
  received: 'received',
  verifying: 'verifying identity',
  in_progress: 'in progress',
  waiting_on_requester: 'waiting on the requester',
  completed: 'completed',
  rejected: 'rejected',
  withdrawn: 'withdrawn',
};

/** Contact fields a rectification request may correct. */
export const RECTIFIABLE_FIELDS = ['name', 'name_en', 'emails', 'phones', 'title', 'department'] as const;

/** GDPR: one month, extendable once by up to two more. PIPL: working days (tenant setting, default 15). */
export const GDPR_MAX_EXTENSION_MONTHS = 2;
export const DEFAULT_PIPL_WORKING_DAYS = 15;
/** Warn this many working days before the due date (and again on the day). */
export const WARN_WORKING_DAYS = 3;

export type CaseRow = typeof privacyCases.$inferSelect;
export type CaseEventRow = typeof privacyCaseEvents.$inferSelect;

// ---------- settings ----------

export interface CaseSettings {
  default_regime: Regime;
  pipl_working_days: number;
  calendar: WorkingCalendar;
  updated_at: string | null;
}

export const DEFAULT_CASE_SETTINGS: CaseSettings = {
  default_regime: 'pipl',
  pipl_working_days: DEFAULT_PIPL_WORKING_DAYS,
  calendar: DEFAULT_CALENDAR,
  updated_at: null,
};

/** A tenant's case settings (defaults when it never set any). */
export async function getCaseSettings(tx: Tx, tenantId: string): Promise<CaseSettings> {
  const [row] = await tx
    .select()
    .from(privacyCalendarSettings)
    .where(eq(privacyCalendarSettings.tenant_id, tenantId));
  if (!row) return DEFAULT_CASE_SETTINGS;
  return {
    default_regime: row.default_regime === 'gdpr' ? 'gdpr' : 'pipl',
    pipl_working_days: row.pipl_working_days,
    calendar: {
      timeZone: row.time_zone,
      workStart: row.work_start,
      workEnd: row.work_end,
      lunch: row.lunch_start && row.lunch_end ? { start: row.lunch_start, end: row.lunch_end } : null,
      publicHolidays: true,
      extraHolidays: row.extra_holidays,
      extraWorkingDays: row.extra_working_days,
    },
    updated_at: row.updated_at.toISOString(),
  };
}

export interface CaseSettingsInput {
  default_regime: Regime;
  pipl_working_days: number;
  time_zone?: string;
  work_start: string;
  work_end: string;
  lunch: { start: string; end: string } | null;
  extra_holidays: string[];
  extra_working_days: string[];
}

/** Replaces a tenant's case settings (audited). Open PIPL cases keep the period they were opened with. */
export async function putCaseSettings(
  tx: Tx,
  ctx: ActorContext,
  input: CaseSettingsInput,
): Promise<CaseSettings> {
  const timeZone = input.time_zone ?? DEFAULT_CALENDAR.timeZone;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw unprocessable('Unknown time zone', [
      { field: 'time_zone', reason: 'not a time zone, such as Asia/Shanghai' },
    ]);
  }
  for (const f of ['work_start', 'work_end'] as const)
    if (!isClockTime(input[f]))
      throw unprocessable('Working hours are not valid', [
        { field: f, reason: 'enter a time such as 09:00' },
      ]);
  if (minutesOf(input.work_end) <= minutesOf(input.work_start))
    throw unprocessable('Working hours are not valid', [
      { field: 'work_end', reason: 'the working day must end after it starts' },
    ]);
  if (input.lunch) {
    if (!isClockTime(input.lunch.start) || !isClockTime(input.lunch.end))
      throw unprocessable('The lunch break is not valid', [
        { field: 'lunch', reason: 'enter times such as 12:00' },
      ]);
    const [ls, le] = [minutesOf(input.lunch.start), minutesOf(input.lunch.end)];
    if (le <= ls || ls < minutesOf(input.work_start) || le > minutesOf(input.work_end))
      throw unprocessable('The lunch break is not valid', [
        { field: 'lunch', reason: 'the lunch break must lie inside the working hours' },
      ]);
  }
  for (const f of ['extra_holidays', 'extra_working_days'] as const) {
    const bad = input[f].filter((d) => !isDay(d));
    if (bad.length)
      throw unprocessable('A day is not a date', [
        { field: f, reason: `not a date such as 2027-02-10: ${bad.join(', ')}` },
      ]);
  }
  const both = input.extra_holidays.filter((d) => input.extra_working_days.includes(d));
  if (both.length)
    throw unprocessable('A day cannot be both a holiday and a working day', [
      { field: 'extra_working_days', reason: `also listed as a holiday: ${both.join(', ')}` },
    ]);
  const before = await getCaseSettings(tx, ctx.tenantId);
  const values = {
    default_regime: input.default_regime,
    pipl_working_days: input.pipl_working_days,
    time_zone: timeZone,
    work_start: input.work_start,
    work_end: input.work_end,
    lunch_start: input.lunch?.start ?? null,
    lunch_end: input.lunch?.end ?? null,
    extra_holidays: [...new Set(input.extra_holidays)].sort(),
    extra_working_days: [...new Set(input.extra_working_days)].sort(),
    updated_by: ctx.actorId,
    updated_at: new Date(),
  };
  await tx
    .insert(privacyCalendarSettings)
    .values({ tenant_id: ctx.tenantId, ...values })
    .onConflictDoUpdate({ target: privacyCalendarSettings.tenant_id, set: values });
  const after = await getCaseSettings(tx, ctx.tenantId);
  await recordChange(
    tx,
    ctx,
    'privacy_calendar_settings',
    ctx.tenantId,
    before.updated_at ? 'update' : 'create',
    { settings: { old: before.updated_at ? settingsForAudit(before) : null, new: settingsForAudit(after) } },
  );
  return after;
}

function settingsForAudit(s: CaseSettings) {
  return { default_regime: s.default_regime, pipl_working_days: s.pipl_working_days, calendar: s.calendar };
}

// ---------- the clock ----------

export type ClockStatus = 'running' | 'due_soon' | 'due_today' | 'overdue' | 'paused' | 'stopped';

export interface CaseClock {
  /** days (GDPR: calendar) | working_days (PIPL) */
  unit: 'days' | 'working_days';
  /** The period: 1 month (+ extension) for GDPR, n working days for PIPL. */
  period: { months: number } | { working_days: number };
  /** The deadline instant and its local day (moves by the time spent waiting on the requester). */
  due_at: string;
  due_date: string;
  status: ClockStatus;
  /** Working days left after today up to the due date (0 = due today); null once overdue or stopped. */
  remaining_working_days: number | null;
  /** Calendar days left (0 = due today); null once overdue or stopped. */
  remaining_days: number | null;
  /** Calendar days past the due date (at least 1 once overdue); 0 otherwise. */
  overdue_days: number;
  /** Time the clock stood still (waiting on the requester), in ms; and in working minutes for PIPL. */
  paused_ms: number;
  paused_working_minutes: number | null;
  paused_since: string | null;
  /** For a closed case: whether it was closed by the deadline. */
  closed_on_time: boolean | null;
  /**
   * Years the working-day count runs through whose public holidays the calendar does not know yet
   * (enter them under the calendar settings): the due date may be too early.
   */
  holidays_unknown_years: number[];
}

interface StateChange {
  to_state: string | null;
  at: Date;
}

/** The intervals the case spent waiting on the requester (the open one ends at `now`). */
export function pausesOf(
  history: readonly StateChange[],
  now: Date,
): { from: Date; to: Date; open: boolean }[] {
  const out: { from: Date; to: Date; open: boolean }[] = [];
  let since: Date | null = null;
  for (const h of [...history].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    if (!h.to_state) continue;
    if (h.to_state === 'waiting_on_requester') {
      if (!since) since = h.at;
    } else if (since) {
      out.push({ from: since, to: h.at, open: false });
      since = null;
    }
  }
  if (since) out.push({ from: since, to: now, open: true });
  return out;
}

/**
 * The legal clock of a case, derived from its row (received_at, regime, PIPL period, GDPR
 * extension, closure) and its state history (pauses), as of `now`.
 * GDPR: the end of the day one calendar month (+ extension) after receipt, plus the time paused.
 * PIPL: the end of the working day n working days after receipt, plus the working time paused.
 */
export function computeClock(
  row: Pick<
    CaseRow,
    'regime' | 'received_at' | 'due_working_days' | 'extension_months' | 'state' | 'closed_at'
  >,
  history: readonly StateChange[],
  cal: WorkingCalendar,
  now: Date = new Date(),
): CaseClock {
  const closed = (CLOSED_STATES as readonly string[]).includes(row.state);
  const until = closed && row.closed_at ? row.closed_at : now;
  const pauses = pausesOf(history, until);
  const pausedMs = pauses.reduce((s, p) => s + Math.max(0, p.to.getTime() - p.from.getTime()), 0);
  const receivedDay = localDay(row.received_at, cal.timeZone);
  let dueAt: Date;
  let pausedWorking: number | null = null;
  let period: CaseClock['period'];
  if (row.regime === 'gdpr') {
    const months = 1 + (row.extension_months ?? 0);
    period = { months };
    const lastDay = addCalendarMonths(receivedDay, months);
    const base = zonedInstant(addDays(lastDay, 1), 0, cal.timeZone).getTime() - 1; // 23:59:59.999
    dueAt = new Date(base + pausedMs);
  } else {
    const n = row.due_working_days ?? DEFAULT_PIPL_WORKING_DAYS;
    period = { working_days: n };
    const base = endOfWorkingDay(addWorkingDays(receivedDay, n, cal), cal);
    pausedWorking = pauses.reduce((s, p) => s + workingTimeBetween(p.from, p.to, cal), 0);
    dueAt = addWorkingTime(base, pausedWorking, cal);
  }
  const dueDate = localDay(dueAt, cal.timeZone);
  const today = localDay(now, cal.timeZone);
  const openPause = pauses.find((p) => p.open);
  const clock: CaseClock = {
    unit: row.regime === 'gdpr' ? 'days' : 'working_days',
    period,
    due_at: dueAt.toISOString(),
    due_date: dueDate,
    status: 'running',
    remaining_working_days: null,
    remaining_days: null,
    overdue_days: 0,
    paused_ms: pausedMs,
    paused_working_minutes: pausedWorking,
    paused_since: closed ? null : (openPause?.from.toISOString() ?? null),
    closed_on_time: null,
    holidays_unknown_years: row.regime === 'gdpr' ? [] : unknownHolidayYears(receivedDay, dueDate, cal),
  };
  if (closed) {
    clock.status = 'stopped';
    clock.closed_on_time = until.getTime() <= dueAt.getTime();
    return clock;
  }
  if (now.getTime() > dueAt.getTime()) {
    clock.status = openPause ? 'paused' : 'overdue';
    clock.overdue_days = Math.max(1, daysBetween(dueDate, today));
    return clock;
  }
  clock.remaining_days = daysBetween(today, dueDate);
  clock.remaining_working_days = workingDaysBetween(today, dueDate, cal);
  if (openPause) clock.status = 'paused';
  else if (dueDate === today) clock.status = 'due_today';
  else if (clock.remaining_working_days <= WARN_WORKING_DAYS) clock.status = 'due_soon';
  return clock;
}

// ---------- reading ----------

export interface CaseContact {
  id: string;
  name: string | null;
  emails: string[];
  account_name: string | null;
  /** False when the contact no longer exists (erased or deleted). */
  exists: boolean;
  /** False when record sharing hides the contact from the actor (no name, emails or account then). */
  readable: boolean;
}

export interface PrivacyCase {
  id: string;
  kind: CaseKind;
  channel: CaseChannel;
  regime: Regime;
  state: CaseState;
  contact_id: string;
  contact: CaseContact | null;
  details: string | null;
  payload: Record<string, unknown>;
  received_at: string;
  identity_verified: boolean;
  assignee_id: string | null;
  assignee_name: string | null;
  extension_months: number;
  extension_reason: string | null;
  resolution: string | null;
  proof_report_id: string | null;
  closed_at: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  clock: CaseClock;
  /** What the case can do next (for UIs): target states and actions. */
  next_states: CaseState[];
  can_extend: boolean;
}

export interface CaseHistoryEntry {
  id: number;
  kind: string;
  from_state: string | null;
  to_state: string | null;
  message: string | null;
  data: Record<string, unknown>;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  source: string;
  at: string;
}

async function historyRows(tx: Tx, tenantId: string, caseIds: readonly string[]): Promise<CaseEventRow[]> {
  if (caseIds.length === 0) return [];
  return tx
    .select()
    .from(privacyCaseEvents)
    .where(and(eq(privacyCaseEvents.tenant_id, tenantId), inArray(privacyCaseEvents.case_id, [...caseIds])))
    .orderBy(asc(privacyCaseEvents.at), asc(privacyCaseEvents.id));
}

async function contactsOf(
  tx: Tx,
  ctx: ActorContext,
  ids: readonly string[],
): Promise<Map<string, CaseContact>> {
  const found = await contactService.findMany(tx, lookupContext(ctx), ids);
  // A contact the actor may not read (record sharing) still exists: the case shows, the person not.
  const hidden = ids.filter((id) => !found.has(id));
  const existing = hidden.length
    ? await contactService.findMany(tx, systemContext(ctx.tenantId), hidden)
    : new Map<string, Record<string, unknown>>();
  const out = new Map<string, CaseContact>();
  for (const id of ids) {
    const c = found.get(id);
    out.set(id, {
      id,
      name: c ? String(c.name ?? '') : null,
      emails: c && Array.isArray(c.emails) ? (c.emails as string[]) : [],
      account_name: c && typeof c.account_name === 'string' ? c.account_name : null,
      exists: Boolean(c) || existing.has(id),
      readable: Boolean(c),
    });
  }
  return out;
}

async function userNames(tx: Tx, tenantId: string, ids: readonly string[]): Promise<Map<string, string>> {
  const found = await userService.findMany(tx, systemContext(tenantId), ids);
  return new Map([...found].map(([id, u]) => [id, String(u.name ?? '')]));
}

/** Staff look contacts up as themselves (sharing applies); a customer or job through the system. */
function lookupContext(ctx: ActorContext): ActorContext {
  return ctx.actorType === 'user' || ctx.actorType === 'api_key' ? ctx : systemContext(ctx.tenantId);
}

async function present(
  tx: Tx,
  ctx: ActorContext,
  rows: readonly CaseRow[],
  now = new Date(),
  settings?: CaseSettings,
): Promise<PrivacyCase[]> {
  if (rows.length === 0) return [];
  const s = settings ?? (await getCaseSettings(tx, ctx.tenantId));
  const history = await historyRows(
    tx,
    ctx.tenantId,
    rows.map((r) => r.id),
  );
  const byCase = new Map<string, CaseEventRow[]>();
  for (const h of history) byCase.set(h.case_id, [...(byCase.get(h.case_id) ?? []), h]);
  const contacts = await contactsOf(tx, ctx, [...new Set(rows.map((r) => r.contact_id))]);
  const names = await userNames(tx, ctx.tenantId, [
    ...new Set(rows.map((r) => r.assignee_id).filter((x): x is string => Boolean(x))),
  ]);
  return rows.map((r) =>
    presentOne(r, byCase.get(r.id) ?? [], s, contacts.get(r.contact_id) ?? null, names, now),
  );
}

function presentOne(
  r: CaseRow,
  history: readonly CaseEventRow[],
  s: CaseSettings,
  contact: CaseContact | null,
  names: Map<string, string>,
  now: Date,
): PrivacyCase {
  const state = r.state as CaseState;
  return {
    id: r.id,
    kind: r.kind as CaseKind,
    channel: r.channel as CaseChannel,
    regime: r.regime as Regime,
    state,
    contact_id: r.contact_id,
    contact,
    details: r.details,
    payload: (r.payload ?? {}) as Record<string, unknown>,
    received_at: r.received_at.toISOString(),
    identity_verified: r.identity_verified,
    assignee_id: r.assignee_id,
    assignee_name: r.assignee_id ? (names.get(r.assignee_id) ?? null) : null,
    extension_months: r.extension_months,
    extension_reason: r.extension_reason,
    resolution: r.resolution,
    proof_report_id: r.proof_report_id,
    closed_at: r.closed_at?.toISOString() ?? null,
    created_by: r.created_by,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
    clock: computeClock(r, history, s.calendar, now),
    next_states: [...(TRANSITIONS[state] ?? [])],
    can_extend:
      r.regime === 'gdpr' && r.extension_months === 0 && (OPEN_STATES as readonly string[]).includes(state),
  };
}

function presentHistory(h: CaseEventRow): CaseHistoryEntry {
  return {
    id: h.id,
    kind: h.kind,
    from_state: h.from_state,
    to_state: h.to_state,
    message: h.message,
    data: (h.data ?? {}) as Record<string, unknown>,
    actor_type: h.actor_type,
    actor_id: h.actor_id,
    actor_name: h.actor_name,
    source: h.source,
    at: h.at.toISOString(),
  };
}

async function caseRow(tx: Tx, tenantId: string, id: string, forUpdate = false): Promise<CaseRow> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('Privacy case');
  const q = tx
    .select()
    .from(privacyCases)
    .where(and(eq(privacyCases.tenant_id, tenantId), eq(privacyCases.id, id)));
  const [row] = await (forUpdate ? q.for('update') : q);
  if (!row) throw notFound('Privacy case');
  return row;
}

/** One case with its clock (404 when it is not the tenant's). */
export async function getCase(tx: Tx, ctx: ActorContext, id: string): Promise<PrivacyCase> {
  const [c] = await present(tx, ctx, [await caseRow(tx, ctx.tenantId, id)]);
  return c;
}

/** One case with its clock and its full history, oldest first. */
export async function getCaseWithHistory(
  tx: Tx,
  ctx: ActorContext,
  id: string,
): Promise<PrivacyCase & { history: CaseHistoryEntry[] }> {
  const c = await getCase(tx, ctx, id);
  const history = await historyRows(tx, ctx.tenantId, [id]);
  return { ...c, history: history.map(presentHistory) };
}

/** Every case of a contact, newest first (the portal shows them to the person). */
export async function casesOfContact(tx: Tx, tenantId: string, contactId: string): Promise<PrivacyCase[]> {
  const rows = await tx
    .select()
    .from(privacyCases)
    .where(and(eq(privacyCases.tenant_id, tenantId), eq(privacyCases.contact_id, contactId)))
    .orderBy(sql`${privacyCases.received_at} desc`);
  return present(tx, systemContext(tenantId, 'portal'), rows);
}

export interface CaseListQuery {
  state?: CaseState | 'open' | 'closed';
  kind?: CaseKind;
  /** A user id, 'me' or 'none'. */
  assignee?: string;
  overdue?: boolean;
  contact_id?: string;
  page?: number;
  page_size?: number;
}

export interface CasePage {
  data: PrivacyCase[];
  total: number;
  page: number;
  page_size: number;
}

/** The queue: filtered, the most urgent first (open cases by due date, then closed ones newest first). */
export async function listCases(tx: Tx, ctx: ActorContext, q: CaseListQuery): Promise<CasePage> {
  const where = [eq(privacyCases.tenant_id, ctx.tenantId)];
  if (q.state === 'open') where.push(inArray(privacyCases.state, [...OPEN_STATES]));
  else if (q.state === 'closed') where.push(inArray(privacyCases.state, [...CLOSED_STATES]));
  else if (q.state) where.push(eq(privacyCases.state, q.state));
  if (q.kind) where.push(eq(privacyCases.kind, q.kind));
  if (q.contact_id) where.push(eq(privacyCases.contact_id, q.contact_id));
  if (q.assignee === 'none') where.push(sql`${privacyCases.assignee_id} is null`);
  else if (q.assignee === 'me') {
    if (!ctx.actorId) where.push(sql`false`);
    else where.push(eq(privacyCases.assignee_id, ctx.actorId));
  } else if (q.assignee) where.push(eq(privacyCases.assignee_id, q.assignee));
  if (q.overdue) where.push(inArray(privacyCases.state, [...OPEN_STATES]));
  // Clocks are derived from each case's history, so the (small) queue is read whole and ordered here.
  const rows = await tx
    .select()
    .from(privacyCases)
    .where(and(...where))
    .orderBy(sql`${privacyCases.received_at} desc`)
    .limit(5000);
  let cases = await present(tx, ctx, rows);
  if (q.overdue) cases = cases.filter((c) => c.clock.status === 'overdue' || c.clock.overdue_days > 0);
  const open = (c: PrivacyCase) => (OPEN_STATES as readonly string[]).includes(c.state);
  cases.sort((a, b) => {
    if (open(a) !== open(b)) return open(a) ? -1 : 1;
    if (open(a)) return a.clock.due_at.localeCompare(b.clock.due_at);
    return (b.closed_at ?? '').localeCompare(a.closed_at ?? '');
  });
  const pageSize = Math.min(200, Math.max(1, q.page_size ?? 50));
  const page = Math.max(1, q.page ?? 1);
  return {
    data: cases.slice((page - 1) * pageSize, page * pageSize),
    total: cases.length,
    page,
    page_size: pageSize,
  };
}

// ---------- writing ----------

async function addHistory(
  tx: Tx,
  ctx: ActorContext,
  caseId: string,
  entry: {
    kind: string;
    from_state?: string | null;
    to_state?: string | null;
    message?: string | null;
    data?: Record<string, unknown>;
    at?: Date;
  },
): Promise<void> {
  await tx.insert(privacyCaseEvents).values({
    tenant_id: ctx.tenantId,
    case_id: caseId,
    kind: entry.kind,
    from_state: entry.from_state ?? null,
    to_state: entry.to_state ?? null,
    message: entry.message ?? null,
    data: entry.data ?? {},
    actor_type: ctx.actorType,
    actor_id: ctx.actorType === 'user' ? ctx.actorId : null,
    actor_name: ctx.actorName,
    source: ctx.source,
    ...(entry.at ? { at: entry.at } : {}),
  });
}

const AUDITED = [
  'state',
  'assignee_id',
  'identity_verified',
  'extension_months',
  'extension_reason',
  'resolution',
  'proof_report_id',
  'closed_at',
] as const;

/** Writes a patch to a case: the row, the change log (lineage) and the case history. */
async function writeCase(
  tx: Tx,
  ctx: ActorContext,
  existing: CaseRow,
  patch: Partial<CaseRow>,
  entry: Parameters<typeof addHistory>[3],
  reason?: string,
): Promise<CaseRow> {
  const [row] = await tx
    .update(privacyCases)
    .set({ ...patch, updated_at: new Date() })
    .where(and(eq(privacyCases.tenant_id, ctx.tenantId), eq(privacyCases.id, existing.id)))
    .returning();
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  for (const k of AUDITED)
    if (k in patch && String(existing[k] ?? '') !== String(row[k] ?? ''))
      changes[k] = { old: existing[k] ?? null, new: row[k] ?? null };
  if (Object.keys(changes).length)
    await recordChange(tx, ctx, 'privacy_cases', existing.id, 'update', changes, {
      reason: reason ?? entry.message ?? undefined,
    });
  await addHistory(tx, ctx, existing.id, entry);
  return row;
}

async function emitCase(
  tx: Tx,
  ctx: ActorContext,
  name: string,
  c: PrivacyCase,
  extra: Record<string, unknown> = {},
) {
  await emitEvent(tx, {
    tenantId: ctx.tenantId,
    name,
    entity: 'privacy_cases',
    entityId: c.id,
    payload: { case: forEvent(c), source: ctx.source, ...extra },
  });
}

/** A case as events carry it: no free text or request data about the person (ids and the clock). */
function forEvent(c: PrivacyCase) {
  return {
    id: c.id,
    kind: c.kind,
    channel: c.channel,
    regime: c.regime,
    state: c.state,
    contact_id: c.contact_id,
    assignee_id: c.assignee_id,
    received_at: c.received_at,
    due_at: c.clock.due_at,
    due_date: c.clock.due_date,
    closed_at: c.closed_at,
  };
}

function oneOf<T extends string>(values: readonly T[], value: unknown, field: string, detail: string): T {
  if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
  throw unprocessable(detail, [{ field, reason: `must be one of: ${values.join(', ')}` }]);
}

export interface OpenCaseInput {
  kind: CaseKind;
  contactId: string;
  channel: CaseChannel;
  regime?: Regime;
  details?: string;
  payload?: Record<string, unknown>;
  /** A portal sign-in (or staff who checked) counts as verified identity: the case starts in progress. */
  identityVerified?: boolean;
  /** When the request reached us (a letter received earlier); default now. Never in the future. */
  receivedAt?: Date;
  assigneeId?: string | null;
}

/**
 * Opens a case for a contact: the legal clock starts at receipt (regime default: the tenant's).
 * A verified identity (portal sign-in) puts it straight in progress, else it is received.
 */
export async function openCase(tx: Tx, ctx: ActorContext, input: OpenCaseInput): Promise<PrivacyCase> {
  const kind = oneOf(CASE_KINDS, input.kind, 'kind', 'Unknown request kind');
  const channel = oneOf(CASE_CHANNELS, input.channel, 'channel', 'Unknown channel');
  const settings = await getCaseSettings(tx, ctx.tenantId);
  const regime =
    input.regime === undefined
      ? settings.default_regime
      : oneOf(REGIMES, input.regime, 'regime', 'Unknown regime');
  const contact = await contactService.find(tx, lookupContext(ctx), input.contactId);
  if (!contact)
    throw unprocessable('No such contact', [
      { field: 'contact_id', reason: 'pick the person from your contacts' },
    ]);
  const now = new Date();
  const receivedAt = input.receivedAt ?? now;
  if (receivedAt.getTime() > now.getTime() + 60_000)
    throw unprocessable('The receipt date is in the future', [
      { field: 'received_at', reason: 'a request cannot be received later than today' },
    ]);
  const payload = input.payload ?? {};
  if (kind === 'rectification' && payload.field !== undefined) checkRectification(payload, contact);
  if (input.assigneeId) await assertAssignable(tx, ctx.tenantId, input.assigneeId);
  const initial: CaseState = input.identityVerified ? 'in_progress' : 'received';
  const [row] = await tx
    .insert(privacyCases)
    .values({
      tenant_id: ctx.tenantId,
      kind,
      channel,
      regime,
      state: initial,
      contact_id: input.contactId,
      details: input.details?.trim() || null,
      payload,
      received_at: receivedAt,
      identity_verified: Boolean(input.identityVerified),
      assignee_id: input.assigneeId ?? null,
      due_working_days: regime === 'pipl' ? settings.pipl_working_days : null,
      created_by: ctx.actorType === 'user' ? ctx.actorId : null,
    })
    .returning();
  await recordChange(tx, ctx, 'privacy_cases', row.id, 'create', {
    kind: { old: null, new: kind },
    channel: { old: null, new: channel },
    regime: { old: null, new: regime },
    state: { old: null, new: initial },
    contact_id: { old: null, new: input.contactId },
    received_at: { old: null, new: receivedAt.toISOString() },
  });
  await addHistory(tx, ctx, row.id, {
    kind: 'opened',
    to_state: 'received',
    message: input.details?.trim() || null,
    data: { channel, regime, kind },
    at: receivedAt,
  });
  if (initial === 'in_progress')
    await addHistory(tx, ctx, row.id, {
      kind: 'state',
      from_state: 'received',
      to_state: 'in_progress',
      data: { identity_verified_by: channel === 'portal' ? 'portal_sign_in' : 'staff' },
      at: receivedAt,
    });
  if (input.assigneeId)
    await addHistory(tx, ctx, row.id, {
      kind: 'assigned',
      data: {
        assignee_id: input.assigneeId,
        assignee_name: (await userNames(tx, ctx.tenantId, [input.assigneeId])).get(input.assigneeId) ?? null,
      },
    });
  const c = await getCase(tx, ctx, row.id);
  await emitCase(tx, ctx, 'privacy_cases.opened', c);
  return c;
}

async function assertAssignable(tx: Tx, tenantId: string, userId: string): Promise<void> {
  const [u] = [...(await userService.findMany(tx, systemContext(tenantId), [userId])).values()];
  if (!u || u.active === false || !roleHas(u.role as Role, 'privacy:manage'))
    throw unprocessable('This person cannot work privacy cases', [
      { field: 'assignee_id', reason: 'pick a colleague who may work privacy cases' },
    ]);
}

function assertOpen(row: CaseRow, field = 'state'): void {
  if ((CLOSED_STATES as readonly string[]).includes(row.state))
    throw conflict(`This case is already ${STATE_WORDS[row.state as CaseState]}`, [
      { field, reason: 'a closed case cannot be changed' },
    ]);
}

/** Assigns the case to a colleague who may work privacy cases (null: unassigned). */
export async function assignCase(
  tx: Tx,
  ctx: ActorContext,
  id: string,
  assigneeId: string | null,
): Promise<PrivacyCase> {
  const row = await caseRow(tx, ctx.tenantId, id, true);
  assertOpen(row, 'assignee_id');
  if (assigneeId) await assertAssignable(tx, ctx.tenantId, assigneeId);
  if (row.assignee_id === assigneeId) return getCase(tx, ctx, id);
  await writeCase(
    tx,
    ctx,
    row,
    { assignee_id: assigneeId },
    {
      kind: 'assigned',
      data: {
        assignee_id: assigneeId,
        assignee_name: assigneeId
          ? ((await userNames(tx, ctx.tenantId, [assigneeId])).get(assigneeId) ?? null)
          : null,
        previous_assignee_id: row.assignee_id,
      },
    },
  );
  return getCase(tx, ctx, id);
}

export interface TransitionInput {
  to: CaseState;
  /** Required to reject; recorded with any move. */
  reason?: string;
  /** What was asked of the requester (waiting_on_requester) or said. */
  message?: string;
}

/**
 * Moves a case to another state. Rejecting needs a reason; waiting on the requester needs what was
 * asked (the clock pauses until they reply); an erasure case completes only by carrying it out.
 */
export async function transitionCase(
  tx: Tx,
  ctx: ActorContext,
  id: string,
  input: TransitionInput,
): Promise<PrivacyCase> {
  const to = oneOf(CASE_STATES, input.to, 'to', 'Unknown case state');
  const row = await caseRow(tx, ctx.tenantId, id, true);
  const from = row.state as CaseState;
  if (!TRANSITIONS[from].includes(to))
    throw conflict(`A case that is ${STATE_WORDS[from]} cannot be moved to ${STATE_WORDS[to]}`, [
      TRANSITIONS[from].length
        ? { field: 'to', reason: `allowed next states: ${TRANSITIONS[from].join(', ')}` }
        : { field: 'to', reason: 'a closed case cannot be changed' },
    ]);
  const reason = input.reason?.trim() || undefined;
  const message = input.message?.trim() || undefined;
  if (to === 'rejected' && !reason)
    throw unprocessable('Say why the request is rejected', [
      { field: 'reason', reason: 'required to reject a request' },
    ]);
  if (to === 'waiting_on_requester' && !message && !reason)
    throw unprocessable('Say what the requester should send', [
      { field: 'message', reason: 'required to wait on the requester' },
    ]);
  if (to === 'completed' && row.kind === 'erasure')
    throw conflict('An erasure case is completed by carrying out the erasure', [
      { field: 'to', reason: 'use "carry out erasure"' },
    ]);
  const closing = (CLOSED_STATES as readonly string[]).includes(to);
  const patch: Partial<CaseRow> = { state: to };
  if (to === 'in_progress' && (from === 'received' || from === 'verifying')) patch.identity_verified = true;
  if (closing) {
    patch.closed_at = new Date();
    if (reason) patch.resolution = reason;
  }
  await writeCase(tx, ctx, row, patch, {
    kind: 'state',
    from_state: from,
    to_state: to,
    message: message ?? reason ?? null,
    data: reason ? { reason } : {},
  });
  const c = await getCase(tx, ctx, id);
  await emitCase(tx, ctx, 'privacy_cases.state_changed', c, { from, to });
  if (to === 'completed') await emitCase(tx, ctx, 'privacy_cases.completed', c);
  return c;
}

/** GDPR only, once: extends the deadline by 1 or 2 months, with the reason (told to the requester). */
export async function extendCase(
  tx: Tx,
  ctx: ActorContext,
  id: string,
  input: { months: number; reason: string },
): Promise<PrivacyCase> {
  const row = await caseRow(tx, ctx.tenantId, id, true);
  assertOpen(row);
  if (row.regime !== 'gdpr')
    throw conflict('Only a GDPR deadline can be extended', [
      { field: 'months', reason: 'the PIPL period of this case is fixed' },
    ]);
  if (row.extension_months > 0)
    throw conflict('The deadline was already extended once', [
      { field: 'months', reason: 'GDPR allows one extension' },
    ]);
  if (!Number.isInteger(input.months) || input.months < 1 || input.months > GDPR_MAX_EXTENSION_MONTHS)
    throw unprocessable('An extension is 1 or 2 months', [{ field: 'months', reason: 'enter 1 or 2' }]);
  const reason = input.reason?.trim();
  if (!reason)
    throw unprocessable('Say why the deadline is extended', [
      { field: 'reason', reason: 'required to extend the deadline' },
    ]);
  const before = await getCase(tx, ctx, id);
  await writeCase(
    tx,
    ctx,
    row,
    { extension_months: input.months, extension_reason: reason },
    { kind: 'extended', message: reason, data: { months: input.months, due_before: before.clock.due_date } },
    reason,
  );
  return getCase(tx, ctx, id);
}

/**
 * The requester answered (portal, mail, phone): recorded on the case; a case waiting on them goes
 * back to where it was (identity check or work) and its clock runs again.
 */
export async function requesterReplied(
  tx: Tx,
  ctx: ActorContext,
  caseId: string,
  message: string,
): Promise<PrivacyCase> {
  const row = await caseRow(tx, ctx.tenantId, caseId, true);
  assertOpen(row, 'message');
  const text = message?.trim() || null;
  if (row.state !== 'waiting_on_requester') {
    await addHistory(tx, ctx, caseId, { kind: 'reply', message: text });
    await tx.update(privacyCases).set({ updated_at: new Date() }).where(eq(privacyCases.id, caseId));
    return getCase(tx, ctx, caseId);
  }
  const history = await historyRows(tx, ctx.tenantId, [caseId]);
  const entered = [...history].reverse().find((h) => h.to_state === 'waiting_on_requester');
  const back: CaseState = entered?.from_state === 'verifying' ? 'verifying' : 'in_progress';
  const patch: Partial<CaseRow> = { state: back };
  if (back === 'in_progress' && entered?.from_state === 'received') patch.identity_verified = true;
  await writeCase(tx, ctx, row, patch, {
    kind: 'reply',
    from_state: 'waiting_on_requester',
    to_state: back,
    message: text,
  });
  const c = await getCase(tx, ctx, caseId);
  await emitCase(tx, ctx, 'privacy_cases.state_changed', c, {
    from: 'waiting_on_requester',
    to: back,
    reply: true,
  });
  return c;
}

/** A note on the case (history only). */
export async function commentCase(
  tx: Tx,
  ctx: ActorContext,
  id: string,
  message: string,
): Promise<PrivacyCase> {
  const row = await caseRow(tx, ctx.tenantId, id, true);
  const text = message?.trim();
  if (!text) throw unprocessable('Write a comment', [{ field: 'message', reason: 'the comment is empty' }]);
  await addHistory(tx, ctx, row.id, { kind: 'comment', message: text });
  await tx.update(privacyCases).set({ updated_at: new Date() }).where(eq(privacyCases.id, id));
  return getCase(tx, ctx, id);
}

function checkRectification(payload: Record<string, unknown>, contact: Record<string, unknown>): void {
  const field = payload.field;
  if (typeof field !== 'string' || !(RECTIFIABLE_FIELDS as readonly string[]).includes(field))
    throw unprocessable('This field cannot be corrected through a request', [
      { field: 'payload.field', reason: `one of: ${RECTIFIABLE_FIELDS.join(', ')}` },
    ]);
  const list = Array.isArray(contact[field]) || field === 'emails' || field === 'phones';
  const v = payload.value;
  const ok = list
    ? Array.isArray(v) && v.every((x) => typeof x === 'string')
    : (typeof v === 'string' && (field !== 'name' || v.trim() !== '')) || (v === null && field !== 'name');
  if (!ok)
    throw unprocessable('The corrected value does not fit the field', [
      { field: 'payload.value', reason: list ? 'a list of texts' : 'a text' },
    ]);
}

/**
 * Approves (applies the requested correction to the contact through the CRM, with the case as the
 * reason and the portal as the source — the staff app shows "changed by the customer through the
 * portal") and completes the case, or rejects the correction with a reason.
 */
export async function decideRectification(
  tx: Tx,
  ctx: ActorContext,
  id: string,
  input: { decision: 'approve' | 'reject'; reason?: string },
): Promise<PrivacyCase> {
  const row = await caseRow(tx, ctx.tenantId, id, true);
  assertOpen(row, 'decision');
  const payload = (row.payload ?? {}) as Record<string, unknown>;
  if (row.kind !== 'rectification' || typeof payload.field !== 'string')
    throw conflict('This case asks for no correction', [
      { field: 'decision', reason: 'only a rectification with a field and value' },
    ]);
  if (input.decision === 'reject')
    return transitionCase(tx, ctx, id, { to: 'rejected', reason: input.reason });
  if (row.state !== 'in_progress')
    throw conflict('Verify the requester before applying the correction', [
      { field: 'decision', reason: `the case is ${STATE_WORDS[row.state as CaseState]}` },
    ]);
  const contact = await contactService.find(tx, systemContext(ctx.tenantId), row.contact_id);
  if (!contact)
    throw conflict('The contact no longer exists', [
      { field: 'contact_id', reason: 'it was deleted or erased' },
    ]);
  checkRectification(payload, contact);
  const field = payload.field;
  // The correction is the customer's (their request, approved): lineage reads "changed by the
  // customer through the portal", the reason names the case and who approved it.
  const portalCtx: ActorContext = {
    tenantId: ctx.tenantId,
    actorType: 'customer',
    actorId: null,
    actorName: String(contact.name ?? ''),
    role: 'admin',
    permissions: new Set(['*']),
    source: 'portal',
    requestId: ctx.requestId,
  };
  await contactService.update(
    tx,
    portalCtx,
    row.contact_id,
    { [field]: payload.value },
    { reason: `privacy case ${row.id}: correction requested by the customer, approved by ${ctx.actorName}` },
  );
  await addHistory(tx, ctx, row.id, {
    kind: 'rectification',
    message: input.reason?.trim() || null,
    data: { field, applied: true },
  });
  return transitionCase(tx, ctx, id, {
    to: 'completed',
    reason: input.reason?.trim() || undefined,
  });
}

/** An erasure is carried out only on an open erasure case whose requester was verified. */
function assertErasable(row: CaseRow): void {
  assertOpen(row);
  if (row.kind !== 'erasure')
    throw conflict('This case is not an erasure request', [
      { field: 'kind', reason: 'only erasure cases are erased' },
    ]);
  if (row.state !== 'in_progress')
    throw conflict('Verify the requester before erasing', [
      { field: 'state', reason: `the case is ${STATE_WORDS[row.state as CaseState]}` },
    ]);
}

/**
 * "Carry out erasure" on an erasure case in progress: erases the person everywhere (the erasure
 * service: ledger first, then every module, ending with a proof report) and completes the case
 * with the proof report id.
 */
export async function carryOutErasure(
  platform: Platform,
  tx: Tx,
  ctx: ActorContext,
  caseId: string,
): Promise<PrivacyCase> {
  const row = await caseRow(tx, ctx.tenantId, caseId, true);
  assertErasable(row);
  const report = await runErasure(platform, tx, ctx, { caseId, contactId: row.contact_id });
  // The cases about the person keep what the law requires (kind, dates, states, who), not their words.
  await anonymiseCasesOfContact(tx, ctx, row.contact_id);
  await writeCase(
    tx,
    ctx,
    row,
    { state: 'completed', closed_at: new Date(), proof_report_id: report.id, resolution: 'erased' },
    {
      kind: 'erasure',
      from_state: row.state,
      to_state: 'completed',
      data: { proof_report_id: report.id },
    },
  );
  const c = await getCase(tx, ctx, caseId);
  await emitCase(tx, ctx, 'privacy_cases.state_changed', c, { from: row.state, to: 'completed' });
  await emitCase(tx, ctx, 'privacy_cases.completed', c, { proof_report_id: report.id });
  return c;
}

/** The keys of a case event's data that hold no words of the person (kept when the person is erased). */
const CASE_EVENT_KEYS = [
  'channel',
  'regime',
  'kind',
  'identity_verified_by',
  'assignee_id',
  'assignee_name',
  'previous_assignee_id',
  'months',
  'due_before',
  'field',
  'applied',
  'proof_report_id',
  'level',
  'due_date',
  'mailed',
  'mailed_to',
];

/**
 * For the erasure of a person: the cases about them keep only what the law requires (kind,
 * dates, states, who handled it) — free text (details, resolution, extension reason, event
 * messages and any text in event data) and request data are blanked. Returns how many.
 */
export async function anonymiseCasesOfContact(tx: Tx, ctx: ActorContext, contactId: string): Promise<number> {
  const rows = await tx
    .update(privacyCases)
    .set({ details: null, payload: {}, resolution: null, extension_reason: null, updated_at: new Date() })
    .where(and(eq(privacyCases.tenant_id, ctx.tenantId), eq(privacyCases.contact_id, contactId)))
    .returning({ id: privacyCases.id });
  if (rows.length)
    await tx
      .update(privacyCaseEvents)
      .set({
        message: null,
        // Only the bookkeeping keys stay (states, ids, dates, levels); any other text goes (review item 10).
        data: sql`(select coalesce(jsonb_object_agg(e.key, e.value), '{}'::jsonb) from jsonb_each(${privacyCaseEvents.data}) e where e.key = any(${`{${CASE_EVENT_KEYS.join(',')}}`}::text[]))`,
      })
      .where(
        and(
          eq(privacyCaseEvents.tenant_id, ctx.tenantId),
          inArray(
            privacyCaseEvents.case_id,
            rows.map((r) => r.id),
          ),
        ),
      );
  return rows.length;
}

// ---------- deadline warnings (the sovereignty.case-clocks job) ----------

export type WarningLevel = 'soon' | 'today' | 'overdue';

function warningLevel(c: PrivacyCase): WarningLevel | null {
  if (c.clock.status === 'overdue') return 'overdue';
  if (c.clock.status === 'due_today') return 'today';
  if (c.clock.status === 'due_soon') return 'soon';
  return null;
}

const KIND_WORDS: Record<CaseKind, { zh: string; en: string }> = {
  access: { zh: '查阅复制', en: 'access' },
  rectification: { zh: '更正补充', en: 'rectification' },
  erasure: { zh: '删除', en: 'erasure' },
  restriction: { zh: '限制处理', en: 'restriction' },
  portability: { zh: '转移（可携带）', en: 'portability' },
  withdrawal: { zh: '撤回同意', en: 'consent withdrawal' },
  objection: { zh: '拒绝处理', en: 'objection' },
};

/** Privacy managers of a tenant (active users whose role may work privacy cases). */
export async function privacyManagers(
  tx: Tx,
  tenantId: string,
): Promise<{ id: string; name: string; email: string }[]> {
  const page = await userService.list(tx, systemContext(tenantId), { limit: 200, active: 'true' });
  return page.data
    .filter((u) => u.active !== false && roleHas(u.role as Role, 'privacy:manage'))
    .map((u) => ({ id: String(u.id), name: String(u.name ?? ''), email: String(u.email ?? '') }));
}

/**
 * One tenant's sweep: for every open case whose clock reached a warning level (3 working days
 * before, on the day, overdue) not yet warned for its current due date, mails the assignee (or the
 * privacy managers when unassigned), records it on the case and emits due_soon / overdue.
 */
export async function sweepTenantClocks(
  platform: Platform,
  tx: Tx,
  tenantId: string,
  now = new Date(),
): Promise<{ warned: number }> {
  const ctx = systemContext(tenantId, 'job:sovereignty.case-clocks', 'Zhongshu');
  const rows = await tx
    .select()
    .from(privacyCases)
    .where(and(eq(privacyCases.tenant_id, tenantId), notInArray(privacyCases.state, [...CLOSED_STATES])));
  const cases = await present(tx, ctx, rows, now);
  let warned = 0;
  for (const c of cases) {
    const level = warningLevel(c);
    if (!level) continue;
    const key = `${level}:${c.clock.due_date}`;
    const row = rows.find((r) => r.id === c.id);
    if (!row || row.warnings_sent.includes(key)) continue;
    const managers = c.assignee_id ? [] : await privacyManagers(tx, tenantId);
    const to = c.assignee_id
      ? (await userService.findMany(tx, ctx, [c.assignee_id])).get(c.assignee_id)?.email
      : managers.map((m) => m.email).filter(Boolean);
    const recipients = (Array.isArray(to) ? to : to ? [String(to)] : []).filter(Boolean);
    const sent = recipients.length ? await platform.mail.send(warningMail(c, level, recipients)) : null;
    await tx
      .update(privacyCases)
      .set({ warnings_sent: [...row.warnings_sent, key] })
      .where(eq(privacyCases.id, c.id));
    await addHistory(tx, ctx, c.id, {
      kind: 'warning',
      data: {
        level,
        due_date: c.clock.due_date,
        mailed_to: recipients,
        mailed: sent?.sent ?? false,
        ...(sent && !sent.sent ? { mail_error: sent.reason } : {}),
      },
    });
    await emitCase(tx, ctx, level === 'overdue' ? 'privacy_cases.overdue' : 'privacy_cases.due_soon', c, {
      level,
    });
    warned++;
  }
  return { warned };
}

function warningMail(c: PrivacyCase, level: WarningLevel, to: string[]) {
  const who = c.contact?.name || '（已删除的联系人）';
  const kind = KIND_WORDS[c.kind];
  const left =
    level === 'overdue'
      ? { zh: `已逾期 ${c.clock.overdue_days} 天`, en: `overdue by ${c.clock.overdue_days} day(s)` }
      : level === 'today'
        ? { zh: '今天到期', en: 'due today' }
        : c.clock.unit === 'working_days'
          ? {
              zh: `还剩 ${c.clock.remaining_working_days} 个工作日`,
              en: `${c.clock.remaining_working_days} working day(s) left`,
            }
          : { zh: `还剩 ${c.clock.remaining_days} 天`, en: `${c.clock.remaining_days} day(s) left` };
  const subjectZh = level === 'overdue' ? '隐私申请已逾期' : '隐私申请即将到期';
  const subjectEn = level === 'overdue' ? 'Privacy request overdue' : 'Privacy request due soon';
  return {
    to,
    subject: `【中枢】${subjectZh}：${who}的${kind.zh}申请（${c.clock.due_date}） / ${subjectEn}`,
    text: [
      `${who}的${kind.zh}申请（${c.regime.toUpperCase()}）法定期限为 ${c.clock.due_date}，${left.zh}。`,
      `请在「隐私 → 申请工单」中处理：/privacy/cases/${c.id}`,
      '',
      `The ${kind.en} request of ${c.contact?.name || 'an erased contact'} (${c.regime.toUpperCase()}) is due on ${c.clock.due_date}: ${left.en}.`,
      `Work it under Privacy → Requests: /privacy/cases/${c.id}`,
    ].join('\n'),
  };
}

/** The job: every tenant with open cases, each in its own transaction. */
export async function sweepCaseClocks(
  platform: Platform,
  now = new Date(),
): Promise<{ tenants: number; warned: number }> {
  const tenants = await platform.database.systemTx(async (tx) =>
    (
      await tx
        .selectDistinct({ tenant_id: privacyCases.tenant_id })
        .from(privacyCases)
        .where(notInArray(privacyCases.state, [...CLOSED_STATES]))
    ).map((r) => r.tenant_id),
  );
  let warned = 0;
  for (const tenantId of tenants)
    warned += (
      await platform.database.tenantTx(tenantId, (tx) => sweepTenantClocks(platform, tx, tenantId, now))
    ).warned;
  return { tenants: tenants.length, warned };
}

const ISO_DAY_OR_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses a YYYY-MM-DD / ISO date-time receipt date: not in the future, at most a year back (422
 * naming the field otherwise; review item 13: "1" or "0001-01-01" would start a clock centuries overdue).
 */
export function parseReceivedAt(value: string | undefined, now = new Date()): Date | undefined {
  if (!value) return undefined;
  const d = ISO_DAY_OR_INSTANT.test(value.trim()) ? new Date(value.trim()) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime()))
    throw unprocessable('The receipt date is not a date', [
      { field: 'received_at', reason: 'enter a date such as 2026-03-01' },
    ]);
  if (d.getTime() > now.getTime() + 60_000)
    throw unprocessable('The receipt date is in the future', [
      { field: 'received_at', reason: 'a request cannot be received later than today' },
    ]);
  const yearAgo = new Date(now);
  yearAgo.setFullYear(yearAgo.getFullYear() - 1);
  if (d.getTime() < yearAgo.getTime())
    throw unprocessable('The receipt date is more than a year ago', [
      { field: 'received_at', reason: 'enter the day the request reached you, within the last year' },
    ]);
  return d;
}
