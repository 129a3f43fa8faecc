/**
 * Sales quotas (targets): stored rows, validation, bulk set, and how a quota is resolved for any
 * period and scope the forecast shows.
 *
 * Stored rows (table `quotas`): one amount per (period, scope, scope_key) — period `YYYY-MM`
 * (period_kind month) or `YYYY-Qn` (quarter); scope total | rep | team | region; scope_key the
 * user / team / region id of the same tenant, or 'all' for total. Every write goes through
 * `quotaService` (ResourceService): one change_log row (audit + lineage) and an outbox event in
 * the caller's transaction; the row keeps its provenance in `source` (manual | api | import |
 * seed) and `created_by`.
 *
 * Resolution (quotaResolver), in this order:
 *  1. the row of that exact period and scope;
 *  2. time: a quarter without its own row = the sum of its month rows (those that exist); a month
 *     without its own row but with a quarter row = quarter / 3. A quarter made of months is never
 *     split back into months (no circular derivation);
 *  3. people: a team or region without its own quota (steps 1–2) = the sum of its reps' quotas;
 *     the total without its own quota = the sum of every rep's quota. A rep belongs to the team
 *     and region of their user profile; when the profile leaves one empty, to the team / region
 *     most of their opportunities carry (that is how the forecast groups their deals), so each
 *     rep counts in exactly one team and one region and nothing is counted twice;
 *  4. otherwise null (no quota).
 * Amounts are summed as stored, without currency conversion (the forecast does the same).
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { userService } from '../../platform/auth/auth.routes.js';
import { type ActorContext, systemContext } from '../../platform/auth/auth-context.js';
import type { Database, Tx } from '../../platform/db/database.js';
import { badRequest, type FieldError, unprocessable, zodFieldErrors } from '../../platform/http/problem.js';
import { type ResourceDef, ResourceService } from '../../platform/records/resource.js';
import { quotas } from './predict.schema.js';
import { loadNames, loadOpportunities, type OppRow } from './predict-data.js';

export const QUOTA_SCOPES = ['total', 'rep', 'team', 'region'] as const;
export type QuotaScope = (typeof QUOTA_SCOPES)[number];
export const QUOTA_SOURCES = ['manual', 'api', 'import', 'seed'] as const;
export type QuotaPeriodKind = 'month' | 'quarter';
/** The largest bulk set accepted in one request. */
export const MAX_QUOTAS_PER_SET = 5000;

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const QUARTER = /^\d{4}-Q[1-4]$/;
export const periodSchema = z
  .string()
  .regex(/^\d{4}-((0[1-9]|1[0-2])|Q[1-4])$/, 'YYYY-MM for a month or YYYY-Qn for a quarter');

export const quotaInputSchema = z
  .object({
    period_kind: z.enum(['month', 'quarter']),
    period: z.string().describe('YYYY-MM (month) or YYYY-Qn (quarter), matching period_kind'),
    scope: z.enum(QUOTA_SCOPES),
    scope_key: z
      .string()
      .max(100)
      .optional()
      .describe("User id (rep), team id, region id, or 'all' for total (the default for total)"),
    amount: z.number().min(0, 'must be ≥ 0').max(1e15),
    currency: z
      .string()
      .trim()
      .transform((s) => s.toUpperCase())
      .pipe(z.string().regex(/^[A-Z]{3}$/, 'a 3-letter currency code such as CNY'))
      .default('CNY'),
    note: z.string().max(1000).nullable().optional(),
    source: z
      .enum(['manual', 'api', 'import'])
      .optional()
      .describe('Where the figure comes from; default: manual from the web app, api otherwise'),
  })
  .superRefine((q, ctx) => {
    const format = q.period_kind === 'month' ? MONTH : QUARTER;
    if (!format.test(q.period))
      ctx.addIssue({
        code: 'custom',
        path: ['period'],
        message: q.period_kind === 'month' ? 'a month as YYYY-MM' : 'a quarter as YYYY-Qn (n = 1…4)',
      });
    if (q.scope === 'total' && q.scope_key !== undefined && q.scope_key !== 'all')
      ctx.addIssue({ code: 'custom', path: ['scope_key'], message: "must be 'all' for scope total" });
    if (q.scope !== 'total' && !q.scope_key)
      ctx.addIssue({ code: 'custom', path: ['scope_key'], message: `the ${q.scope} id is required` });
  });
export type QuotaInput = z.input<typeof quotaInputSchema>;
/** A validated item; scope_key is always set ('all' for total). */
type ParsedQuota = z.output<typeof quotaInputSchema> & { scope_key: string };

export type QuotaRow = typeof quotas.$inferSelect;

export const quotaService = new ResourceService({
  entity: 'quotas',
  label: 'Quota',
  table: quotas,
  fields: [
    'period',
    'period_kind',
    'scope',
    'scope_key',
    'amount',
    'currency',
    'note',
    'source',
    'created_by',
  ],
  sortable: {
    period: quotas.period,
    amount: quotas.amount,
    created_at: quotas.created_at,
    updated_at: quotas.updated_at,
  },
  defaultSort: 'period',
  filters: {
    period_kind: { column: quotas.period_kind, op: 'eq', schema: z.enum(['month', 'quarter']) },
    period: { column: quotas.period, op: 'in', schema: z.array(periodSchema).max(100) },
    scope: { column: quotas.scope, op: 'eq', schema: z.enum(QUOTA_SCOPES) },
    scope_key: { column: quotas.scope_key, op: 'eq', schema: z.string().max(100) },
  },
  search: (q) => sql`${quotas.note} ilike ${`%${q.replace(/[\\%_]/g, '\\$&')}%`}`,
} satisfies ResourceDef);

// ---------- periods ----------

export function quarterOfMonth(month: string): string {
  const [y, m] = month.split('-');
  return `${y}-Q${Math.floor((Number(m) - 1) / 3) + 1}`;
}

export function monthsOfQuarter(quarter: string): string[] {
  const [y, q] = quarter.split('-Q');
  const first = (Number(q) - 1) * 3 + 1;
  return [0, 1, 2].map((i) => `${y}-${String(first + i).padStart(2, '0')}`);
}

export function periodKindOf(period: string): QuotaPeriodKind {
  return period.includes('-Q') ? 'quarter' : 'month';
}

// ---------- writes ----------

function defaultSource(ctx: ActorContext): string {
  if (ctx.source === 'ui') return 'manual';
  if (ctx.source === 'seed') return 'seed';
  if (ctx.source.startsWith('import')) return 'import';
  return 'api';
}

const uniqueKey = (q: { period: string; scope: string; scope_key: string }) =>
  `${q.period}|${q.scope}|${q.scope_key}`;

/**
 * Checks every item (format, referenced user / team / region in this tenant, duplicates inside the
 * batch) and reports all problems at once, each named by the item's index and field (`3.amount`).
 */
async function validateQuotas(tx: Tx, ctx: ActorContext, items: unknown[]): Promise<ParsedQuota[]> {
  const parsed = z.array(quotaInputSchema).max(MAX_QUOTAS_PER_SET).safeParse(items, { reportInput: true });
  if (!parsed.success) throw badRequest('Invalid quotas', zodFieldErrors(parsed.error.issues));
  const names = await loadNames(tx, ctx.tenantId);
  const known: Record<Exclude<QuotaScope, 'total'>, [Map<string, string>, string]> = {
    rep: [names.users, 'user'],
    team: [names.teams, 'team'],
    region: [names.regions, 'region'],
  };
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  const out = parsed.data.map((q, i): ParsedQuota => {
    const item = { ...q, scope_key: q.scope === 'total' ? 'all' : (q.scope_key as string) };
    if (item.scope !== 'total') {
      const [ids, label] = known[item.scope];
      if (!ids.has(item.scope_key))
        errors.push({ field: `${i}.scope_key`, reason: `no such ${label} in this tenant` });
    }
    const key = uniqueKey(item);
    const first = seen.get(key);
    if (first !== undefined)
      errors.push({ field: `${i}.period`, reason: `the same period and scope as item ${first}` });
    else seen.set(key, i);
    return item;
  });
  if (errors.length) throw unprocessable('Some quotas cannot be stored; nothing was stored', errors);
  return out;
}

export interface SetQuotasResult {
  data: QuotaRow[];
  created: number;
  updated: number;
  unchanged: number;
}

/**
 * Upserts many quotas by (period, scope, scope_key), all or nothing: every item is validated
 * before the first write, and the caller's transaction holds the writes. New rows get one change
 * row each and one event for the batch; changed rows one change row and one event each.
 */
export async function setQuotas(
  tx: Tx,
  ctx: ActorContext,
  items: unknown[],
  opts: { method?: string } = {},
): Promise<SetQuotasResult> {
  const valid = await validateQuotas(tx, ctx, items);
  if (valid.length === 0) return { data: [], created: 0, updated: 0, unchanged: 0 };
  const periods = [...new Set(valid.map((q) => q.period))];
  const existingRows = async () =>
    (await tx
      .select()
      .from(quotas)
      .where(and(eq(quotas.tenant_id, ctx.tenantId), inArray(quotas.period, periods)))) as QuotaRow[];
  const existing = new Map((await existingRows()).map((r) => [uniqueKey(r), r]));
  const toCreate: Record<string, unknown>[] = [];
  const toUpdate: { id: string; patch: Record<string, unknown> }[] = [];
  for (const q of valid) {
    const values = {
      amount: q.amount,
      currency: q.currency,
      note: q.note ?? null,
      source: q.source ?? defaultSource(ctx),
    };
    const row = existing.get(uniqueKey(q));
    if (row)
      toUpdate.push({ id: row.id, patch: q.note === undefined ? { ...values, note: row.note } : values });
    else
      toCreate.push({
        ...values,
        period: q.period,
        period_kind: q.period_kind,
        scope: q.scope,
        scope_key: q.scope_key,
        created_by: ctx.actorType === 'user' ? ctx.actorId : null,
      });
  }
  const change = { method: opts.method };
  await quotaService.bulkInsert(tx, ctx, toCreate, change);
  const changed = await quotaService.bulkUpdate(tx, ctx, toUpdate, change);
  const stored = new Map((await existingRows()).map((r) => [uniqueKey(r), r]));
  return {
    data: valid.map((q) => stored.get(uniqueKey(q)) as QuotaRow),
    created: toCreate.length,
    updated: changed.length,
    unchanged: toUpdate.length - changed.length,
  };
}

// ---------- resolution ----------

export interface QuotaMembership {
  /** rep (user id) → team id */
  team: Map<string, string>;
  /** rep (user id) → region id */
  region: Map<string, string>;
}

export interface QuotaResolver {
  /** The quota of a scope in a period (see the file header), or null when none applies. */
  quotaFor(scope: QuotaScope, key: string, period: string): number | null;
  /** The keys of a scope (rep / team / region ids) that have a quota in the period. */
  keysWithQuota(scope: Exclude<QuotaScope, 'total'>, period: string): string[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Pure resolution over stored rows and rep membership (the rules are in the file header). */
export function quotaResolver(
  rows: Pick<QuotaRow, 'period' | 'scope' | 'scope_key' | 'amount'>[],
  membership: QuotaMembership,
): QuotaResolver {
  const amounts = new Map(rows.map((r) => [uniqueKey(r), Number(r.amount)]));
  const reps = [...new Set(rows.filter((r) => r.scope === 'rep').map((r) => r.scope_key))].sort();
  const own = (scope: string, key: string, period: string) =>
    amounts.get(uniqueKey({ period, scope, scope_key: key }));

  const ownOrFromTime = (scope: string, key: string, period: string): number | null => {
    const direct = own(scope, key, period);
    if (direct !== undefined) return direct;
    if (periodKindOf(period) === 'quarter') {
      const months = monthsOfQuarter(period)
        .map((m) => own(scope, key, m))
        .filter((v): v is number => v !== undefined);
      return months.length ? months.reduce((a, b) => a + b, 0) : null;
    }
    const quarter = own(scope, key, quarterOfMonth(period));
    return quarter === undefined ? null : quarter / 3;
  };

  const membersOf = (scope: Exclude<QuotaScope, 'rep'>, key: string) =>
    scope === 'total' ? reps : reps.filter((r) => membership[scope].get(r) === key);

  const quotaFor = (scope: QuotaScope, key: string, period: string): number | null => {
    const mine = ownOrFromTime(scope, key, period);
    if (mine !== null) return round2(mine);
    if (scope === 'rep') return null;
    const parts = membersOf(scope, key)
      .map((rep) => ownOrFromTime('rep', rep, period))
      .filter((v): v is number => v !== null);
    return parts.length ? round2(parts.reduce((a, b) => a + b, 0)) : null;
  };

  const keysWithQuota = (scope: Exclude<QuotaScope, 'total'>, period: string) => {
    const candidates = new Set(rows.filter((r) => r.scope === scope).map((r) => r.scope_key));
    if (scope === 'team') for (const t of membership.team.values()) candidates.add(t);
    if (scope === 'region') for (const r of membership.region.values()) candidates.add(r);
    return [...candidates].filter((k) => quotaFor(scope, k, period) !== null).sort();
  };

  return { quotaFor, keysWithQuota };
}

/** The most frequent value (ties: the smallest, so the choice is stable). */
function mostFrequent(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  for (const [v, n] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1)))
    if (best === undefined || n > (counts.get(best) ?? 0)) best = v;
  return best;
}

async function allUsers(tx: Tx, ctx: ActorContext): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  do {
    const page = await userService.list(tx, ctx, { limit: 500, cursor });
    out.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

/** Each rep's team and region: the user profile's, else the one most of their opportunities carry. */
export async function loadMembership(tx: Tx, tenantId: string, opps?: OppRow[]): Promise<QuotaMembership> {
  const users = await allUsers(tx, systemContext(tenantId, 'predict'));
  const deals = opps ?? (await loadOpportunities(tx, tenantId));
  const byOwner = new Map<string, OppRow[]>();
  for (const o of deals) if (o.owner_id) byOwner.set(o.owner_id, [...(byOwner.get(o.owner_id) ?? []), o]);
  const team = new Map<string, string>();
  const region = new Map<string, string>();
  for (const u of users) {
    const id = String(u.id);
    const own = byOwner.get(id) ?? [];
    const t =
      (u.team_id as string | null) ?? mostFrequent(own.map((o) => o.team_id).filter((x): x is string => !!x));
    const r =
      (u.region_id as string | null) ??
      mostFrequent(own.map((o) => o.region_id).filter((x): x is string => !!x));
    if (t) team.set(id, t);
    if (r) region.set(id, r);
  }
  return { team, region };
}

/** Loads the tenant's quotas of the given periods (and what they derive from) into a resolver. */
export async function loadQuotaResolver(
  tx: Tx,
  tenantId: string,
  periods: string[],
  opps?: OppRow[],
): Promise<QuotaResolver> {
  const related = new Set<string>();
  for (const p of periods) {
    related.add(p);
    if (periodKindOf(p) === 'quarter') for (const m of monthsOfQuarter(p)) related.add(m);
    else related.add(quarterOfMonth(p));
  }
  const rows = related.size
    ? await tx
        .select({
          period: quotas.period,
          scope: quotas.scope,
          scope_key: quotas.scope_key,
          amount: quotas.amount,
        })
        .from(quotas)
        .where(and(eq(quotas.tenant_id, tenantId), inArray(quotas.period, [...related])))
    : [];
  // Membership only matters when some rep quota has to be rolled up.
  const membership =
    rows.length > 0 ? await loadMembership(tx, tenantId, opps) : { team: new Map(), region: new Map() };
  return quotaResolver(rows, membership);
}

// ---------- demo ----------

const DEMO_QUOTA_UPLIFT = 1.15;

/**
 * Month quotas for the current and next quarter for every rep of a freshly seeded demo tenant:
 * each rep's mean monthly won revenue over the last 12 complete months × 1.15, rounded to
 * ¥10,000 (a rep without wins gets the team mean). Does nothing when the tenant has quotas.
 */
export async function seedDemoQuotas(
  database: Database,
  tenantId: string,
  now = new Date(),
): Promise<number> {
  return database.tenantTx(tenantId, async (tx) => {
    const [{ n }] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(quotas)
      .where(eq(quotas.tenant_id, tenantId));
    if (Number(n) > 0) return 0;
    const ctx = systemContext(tenantId, 'seed', 'Demo seed');
    const reps = (await userService.list(tx, ctx, { role: 'rep', active: 'true', limit: 500 })).data;
    if (reps.length === 0) return 0;
    const windowEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const windowStart = Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth(), 1);
    const wonByRep = new Map<string, number>();
    for (const o of await loadOpportunities(tx, tenantId)) {
      const closed = o.closed_at ? new Date(o.closed_at).getTime() : Number.NaN;
      if (o.status !== 'won' || !o.owner_id || !(closed >= windowStart && closed < windowEnd)) continue;
      wonByRep.set(o.owner_id, (wonByRep.get(o.owner_id) ?? 0) + o.amount);
    }
    const monthly = reps.map((r) => (wonByRep.get(String(r.id)) ?? 0) / 12);
    const withWins = monthly.filter((m) => m > 0);
    const fallback = withWins.length ? withWins.reduce((a, b) => a + b, 0) / withWins.length : 100_000;
    const quarterStart = Math.floor(now.getUTCMonth() / 3) * 3;
    const months = Array.from({ length: 6 }, (_, i) => {
      const d = new Date(Date.UTC(now.getUTCFullYear(), quarterStart + i, 1));
      return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    });
    const items = reps.flatMap((r, i) => {
      const amount = Math.max(
        10_000,
        Math.round(((monthly[i] || fallback) * DEMO_QUOTA_UPLIFT) / 10_000) * 10_000,
      );
      return months.map((period) => ({
        period_kind: 'month',
        period,
        scope: 'rep',
        scope_key: String(r.id),
        amount,
        currency: 'CNY',
      }));
    });
    const result = await setQuotas(tx, ctx, items, { method: 'seed' });
    return result.created;
  });
}
