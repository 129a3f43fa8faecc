import { and, asc, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import jsonLogic, { type RulesLogic } from 'json-logic-js';
import { z } from 'zod';
import { changeLog } from '../../platform/audit/audit.schema.js';
import { changeLogRow, type FieldChanges, recordChange } from '../../platform/audit/change-log.js';
import { users } from '../../platform/auth/auth.schema.js';
import { type ActorContext, can, systemContext } from '../../platform/auth/auth-context.js';
import { insertRowsFast } from '../../platform/db/bulk-insert.js';
import { execRows, type Tx } from '../../platform/db/database.js';
import { domainEvents } from '../../platform/events/events.schema.js';
import { conflict, forbidden, notFound } from '../../platform/http/problem.js';
import { prop } from '../../platform/narrow.js';
import { type ResourceDef, ResourceService } from '../../platform/records/resource.js';
import { actorFacts, notifyRecordWrite, seesAll } from '../../platform/sharing/sharing.service.js';
import { type CrmDirectory, crmDirectory, type DirectoryAccount } from '../crm/crm-directory.service.js';
import { averageDailyTouches } from '../crm/crm-facts.service.js';
import { type Features, signalEvidence, signalFeatures } from '../signals/signal-features.service.js';
import { requeueIngested } from '../signals/signals.service.js';
import { DEFAULT_RULES, type RuleDefinition } from './default-rules.js';
import {
  interventionRules,
  interventionRuleVersions,
  interventionSignOffs,
  interventions,
} from './interventions.schema.js';
import { templateValue } from './template-values.js';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const DUE_HOURS: Record<string, number> = { critical: 4, high: 24, medium: 72, low: 168 };

export const ruleDefinitionSchema = z.object({
  description: z.string().max(2000).optional(),
  signal_types: z.array(z.string().regex(/^[a-z][a-z0-9_]{1,62}$/)).min(1),
  condition: z.record(z.string(), z.unknown()).refine((c) => {
    try {
      jsonLogic.apply(c as RulesLogic, { count: {}, latest: {}, rate: {}, baseline: {}, max_strength: {} });
      return true;
    } catch {
      return false;
    }
  }, 'not a valid JsonLogic expression'),
  window_days: z.number().int().min(1).max(365),
  severity: z.enum(SEVERITIES),
  cooldown_hours: z
    .number()
    .min(0)
    .max(24 * 90),
  due_hours: z
    .number()
    .min(1)
    .max(24 * 90)
    .optional(),
  title: z.string().min(1).max(300),
  what_changed: z.string().min(1).max(1000),
  talk_track: z.string().min(1).max(5000),
  resources: z.object({
    cases: z.array(z.string().max(300)).max(20).default([]),
    specialist: z.string().max(200).nullable().default(null),
    budget: z.number().min(0).nullable().default(null),
  }),
});

// ---------- rules (versioned) ----------

/** Creates the default rules for a tenant the first time they are needed (idempotent). */
export async function ensureDefaultRules(tx: Tx, ctx: ActorContext): Promise<void> {
  const existing = await tx
    .select({ key: interventionRules.key })
    .from(interventionRules)
    .where(eq(interventionRules.tenant_id, ctx.tenantId));
  const have = new Set(existing.map((r) => r.key));
  for (const d of DEFAULT_RULES) {
    if (have.has(d.key)) continue;
    const [rule] = await tx
      .insert(interventionRules)
      .values({ tenant_id: ctx.tenantId, key: d.key, name: d.name, is_default: true, current_version: 1 })
      .onConflictDoNothing()
      .returning();
    if (!rule) continue;
    await tx.insert(interventionRuleVersions).values({
      tenant_id: ctx.tenantId,
      rule_id: rule.id,
      version: 1,
      definition: d.definition,
      created_by_name: 'Zhongshu defaults',
    });
  }
}

export interface ActiveRule {
  id: string;
  key: string;
  name: string;
  version: number;
  definition: RuleDefinition;
}

export async function activeRules(tx: Tx, ctx: ActorContext): Promise<ActiveRule[]> {
  const rows = await tx
    .select({
      id: interventionRules.id,
      key: interventionRules.key,
      name: interventionRules.name,
      version: interventionRules.current_version,
      definition: interventionRuleVersions.definition,
    })
    .from(interventionRules)
    .innerJoin(
      interventionRuleVersions,
      and(
        eq(interventionRuleVersions.rule_id, interventionRules.id),
        eq(interventionRuleVersions.version, interventionRules.current_version),
      ),
    )
    .where(and(eq(interventionRules.tenant_id, ctx.tenantId), eq(interventionRules.active, true)));
  return rows as ActiveRule[];
}

/** The active rules, in one read while every default rule exists (they are created once). */
async function rulesToEvaluate(tx: Tx, ctx: ActorContext): Promise<ActiveRule[]> {
  const read = () =>
    tx
      .select({
        id: interventionRules.id,
        key: interventionRules.key,
        name: interventionRules.name,
        active: interventionRules.active,
        version: interventionRules.current_version,
        definition: interventionRuleVersions.definition,
      })
      .from(interventionRules)
      .leftJoin(
        interventionRuleVersions,
        and(
          eq(interventionRuleVersions.rule_id, interventionRules.id),
          eq(interventionRuleVersions.version, interventionRules.current_version),
        ),
      )
      .where(eq(interventionRules.tenant_id, ctx.tenantId));
  let rows = await read();
  const have = new Set(rows.map((r) => r.key));
  if (DEFAULT_RULES.some((d) => !have.has(d.key))) {
    await ensureDefaultRules(tx, ctx);
    rows = await read();
  }
  return rows.filter((r) => r.active && r.definition).map(({ active: _a, ...r }) => r as ActiveRule);
}

export async function listRules(tx: Tx, ctx: ActorContext) {
  await ensureDefaultRules(tx, ctx);
  const rules = await tx
    .select()
    .from(interventionRules)
    .where(eq(interventionRules.tenant_id, ctx.tenantId))
    .orderBy(asc(interventionRules.key));
  const versions = await tx
    .select()
    .from(interventionRuleVersions)
    .where(eq(interventionRuleVersions.tenant_id, ctx.tenantId))
    .orderBy(asc(interventionRuleVersions.version));
  return rules.map((r) => ({
    ...r,
    definition:
      versions.find((v) => v.rule_id === r.id && v.version === r.current_version)?.definition ?? null,
    versions: versions
      .filter((v) => v.rule_id === r.id)
      .map((v) => ({ version: v.version, created_at: v.created_at, created_by_name: v.created_by_name })),
  }));
}

export async function getRule(tx: Tx, ctx: ActorContext, id: string) {
  if (!z.uuid().safeParse(id).success) throw notFound('Rule');
  const [rule] = await tx
    .select()
    .from(interventionRules)
    .where(and(eq(interventionRules.tenant_id, ctx.tenantId), eq(interventionRules.id, id)));
  if (!rule) throw notFound('Rule');
  const versions = await tx
    .select()
    .from(interventionRuleVersions)
    .where(
      and(eq(interventionRuleVersions.tenant_id, ctx.tenantId), eq(interventionRuleVersions.rule_id, id)),
    )
    .orderBy(desc(interventionRuleVersions.version));
  return { ...rule, definition: versions[0]?.definition ?? null, versions };
}

export async function createRule(
  tx: Tx,
  ctx: ActorContext,
  input: { key: string; name: string; definition: RuleDefinition },
) {
  await ensureDefaultRules(tx, ctx);
  const [rule] = await tx
    .insert(interventionRules)
    .values({ tenant_id: ctx.tenantId, key: input.key, name: input.name, current_version: 1 })
    .onConflictDoNothing()
    .returning();
  if (!rule) throw conflict('A rule with this key exists', [{ field: 'key', reason: 'already exists' }]);
  await tx.insert(interventionRuleVersions).values({
    tenant_id: ctx.tenantId,
    rule_id: rule.id,
    version: 1,
    definition: input.definition,
    created_by: ctx.actorId,
    created_by_name: ctx.actorName,
  });
  await recordChange(tx, ctx, 'intervention_rules', rule.id, 'create', {
    key: { old: null, new: input.key },
    version: { old: null, new: 1 },
    definition: { old: null, new: input.definition },
  });
  return getRule(tx, ctx, rule.id);
}

/** A changed definition becomes a new version; bundles keep pointing at the version that fired them. */
export async function updateRule(
  tx: Tx,
  ctx: ActorContext,
  id: string,
  input: { name?: string; active?: boolean; definition?: RuleDefinition; change_reason?: string },
) {
  const rule = await getRule(tx, ctx, id);
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  let version = rule.current_version;
  if (input.definition) {
    version += 1;
    await tx.insert(interventionRuleVersions).values({
      tenant_id: ctx.tenantId,
      rule_id: id,
      version,
      definition: input.definition,
      created_by: ctx.actorId,
      created_by_name: ctx.actorName,
    });
    changes.version = { old: rule.current_version, new: version };
    changes.definition = { old: rule.definition, new: input.definition };
  }
  if (input.name !== undefined && input.name !== rule.name)
    changes.name = { old: rule.name, new: input.name };
  if (input.active !== undefined && input.active !== rule.active)
    changes.active = { old: rule.active, new: input.active };
  await tx
    .update(interventionRules)
    .set({
      name: input.name ?? rule.name,
      active: input.active ?? rule.active,
      current_version: version,
      updated_at: new Date(),
    })
    .where(and(eq(interventionRules.tenant_id, ctx.tenantId), eq(interventionRules.id, id)));
  if (Object.keys(changes).length)
    await recordChange(tx, ctx, 'intervention_rules', id, 'update', changes, { reason: input.change_reason });
  return getRule(tx, ctx, id);
}

// ---------- features (read through the signals module) ----------

export type { Features };

/**
 * Signal types a rule reads: its trigger types and any type its condition or its texts refer to
 * (count.x, latest.x.field, features.rate.x …).
 */
function typesReadBy(def: RuleDefinition): string[] {
  const referenced = [
    ...JSON.stringify([def.condition, def.title, def.what_changed, def.talk_track]).matchAll(
      /(?:count|baseline|rate|max_strength|latest)\.([a-z][a-z0-9_]*)/g,
    ),
  ].map((m) => m[1]);
  return [...new Set([...def.signal_types, ...referenced])];
}

/**
 * {{a.b.c}} → value at the path of ctx; missing values render as "—"; codes and booleans as words
 * in the template's language (企业微信, 被拒, 是 — not wecom, rejected, true).
 */
export function renderTemplate(template: string, context: Record<string, unknown>): string {
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, path: string) => {
    let cur: unknown = context;
    for (const p of path.split('.')) cur = prop(cur, p);
    if (cur === undefined || cur === null || cur === '') return '—';
    if (typeof cur === 'object') return JSON.stringify(cur);
    // names (account.name …) stay as written; signal values and flags become words
    return path.startsWith('account.') ? String(cur) : templateValue(cur, template);
  });
}

// ---------- circuit breaker (R-1.6) ----------

export const BREAKER_FACTOR = 1.8;

/**
 * Today's suggestions for a rep against BREAKER_FACTOR × their average daily effective touches
 * (a CRM fact: crm-facts.service.ts).
 */
export async function breakerStatus(tx: Tx, ctx: ActorContext, ownerId: string, now: Date) {
  const avg = await averageDailyTouches(tx, ctx, ownerId, now);
  const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const [{ n }] = await execRows<{ n: number }>(
    tx,
    sql`select count(*)::int as n from interventions where tenant_id = ${ctx.tenantId}::uuid and owner_id = ${ownerId}::uuid and created_at >= ${dayStart.toISOString()}::timestamptz`,
  );
  // A rep with no completed touches in the window is measured against a floor of one touch a day.
  const basis = Math.max(avg, 1);
  const threshold = Math.round(BREAKER_FACTOR * basis * 1000) / 1000;
  return {
    average_daily_touches: avg,
    threshold,
    suggested_today: Number(n),
    tripped: Number(n) > threshold,
    factor: BREAKER_FACTOR,
  };
}

// ---------- bundles ----------

/** Fields of a bundle whose changes are audited (change_log) and returned by /:id/lineage. */
const BUNDLE_FIELDS = [
  'status',
  'severity',
  'owner_id',
  'due_at',
  'delivery',
  'delivery_reason',
  'dismiss_reason',
  'sign_off_status',
  'outcome',
  'outcome_note',
  'occurrences',
  'signal_ids',
] as const;

export const interventionService = new ResourceService({
  entity: 'interventions',
  label: 'Intervention',
  table: interventions,
  fields: BUNDLE_FIELDS,
  sortable: {
    created_at: interventions.created_at,
    due_at: interventions.due_at,
    last_fired_at: interventions.last_fired_at,
  },
  defaultSort: '-created_at',
  filters: {
    status: {
      column: interventions.status,
      op: 'in',
      schema: z.array(z.enum(['open', 'accepted', 'dismissed'])),
    },
    delivery: { column: interventions.delivery, op: 'eq', schema: z.enum(['realtime', 'brief']) },
    severity: { column: interventions.severity, op: 'in', schema: z.array(z.enum(SEVERITIES)) },
    account_id: { column: interventions.account_id, op: 'eq', schema: z.uuid() },
    owner_id: { column: interventions.owner_id, op: 'eq', schema: z.uuid() },
    rule_key: { column: interventions.rule_key, op: 'eq' },
    sign_off_status: { column: interventions.sign_off_status, op: 'eq' },
    from: {
      column: interventions.created_at,
      op: 'gte',
      schema: z.iso.datetime({ offset: true }).or(z.iso.date()),
    },
    to: {
      column: interventions.created_at,
      op: 'lte',
      schema: z.iso.datetime({ offset: true }).or(z.iso.date()),
    },
  },
  search: (q) => sql`${interventions.title} ilike ${`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`,
  // Bundles about accounts or opportunities the reader may not see are hidden, unless addressed to them.
  visibleWith: {
    references: [
      { entity: 'accounts', column: interventions.account_id },
      { entity: 'opportunities', column: interventions.opportunity_id },
    ],
    addressee: interventions.owner_id,
  },
} satisfies ResourceDef);

/** A uuid[] literal for `= any(...)` (ids that are not uuids are dropped). */
const uuidArray = (ids: string[]) => `{${ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id)).join(',')}}`;

/** A rule whose condition held on an account, with the features it held on. */
interface Fired {
  accountId: string;
  rule: ActiveRule;
  features: Features;
}

/** The rules the types an account just received trigger. */
const triggeredBy = (rules: ActiveRule[], types: string[]) =>
  rules.filter((r) => r.definition.signal_types.some((t) => types.includes(t)));

/**
 * Step 1, load features: for every account and each rule its received types trigger, the features
 * of only the types that rule reads, over the rule's window (one statement, signals module).
 */
async function loadFeatures(
  tx: Tx,
  ctx: ActorContext,
  rules: ActiveRule[],
  accountTypes: Record<string, string[]>,
  now: Date,
): Promise<Map<number, Map<string, Features>>> {
  const reads = new Map(rules.map((r) => [r.id, typesReadBy(r.definition)]));
  const wants = Object.entries(accountTypes).flatMap(([accountId, types]) =>
    triggeredBy(rules, types).map((r) => ({
      accountId,
      types: reads.get(r.id) ?? [],
      windows: [r.definition.window_days],
    })),
  );
  return signalFeatures(tx, ctx, { wants, now });
}

/** Step 2, match rules: the triggered rules whose JsonLogic condition holds on the features. */
function matchRules(
  rules: ActiveRule[],
  accountTypes: Record<string, string[]>,
  byWindow: Map<number, Map<string, Features>>,
): Fired[] {
  const fired: Fired[] = [];
  for (const [accountId, types] of Object.entries(accountTypes)) {
    for (const rule of triggeredBy(rules, types)) {
      const features = byWindow.get(rule.definition.window_days)?.get(accountId);
      if (!features) continue;
      let ok = false;
      try {
        ok = Boolean(jsonLogic.apply(rule.definition.condition as RulesLogic, features));
      } catch {
        ok = false;
      }
      if (ok) fired.push({ accountId, rule, features });
    }
  }
  return fired;
}

export interface EvaluationResult {
  created: string[];
  updated: string[];
  suppressed: number;
}

/**
 * The signals.ingested handler: for each account that got signals, evaluate the active rules whose
 * signal types it received, and create or update one bundle per (account, rule). Idempotent: a
 * replay finds the open bundle already holding the evidence and changes nothing.
 */
const MAX_EVIDENCE = 100;

export async function evaluateAccounts(
  tx: Tx,
  ctx: ActorContext,
  accountTypes: Record<string, string[]>,
  opts: { now?: Date; receivedAt?: string } = {},
): Promise<EvaluationResult> {
  const now = opts.now ?? new Date();
  const result: EvaluationResult = { created: [], updated: [], suppressed: 0 };
  const rules = await rulesToEvaluate(tx, ctx);
  // Only accounts that received a type some active rule is triggered by need an evaluation.
  const triggers = new Set(rules.flatMap((r) => r.definition.signal_types));
  const accountIds = Object.keys(accountTypes).filter((a) => accountTypes[a]?.some((t) => triggers.has(t)));
  if (!accountIds.length) return result;
  const run = await accountsForThisRun(tx, ctx, rules, accountTypes, accountIds);
  if (run.deferred.length)
    await requeueIngested(tx, ctx, Object.fromEntries(run.deferred.map((a) => [a, accountTypes[a]])), {
      receivedAt: opts.receivedAt,
    });
  const directory = await crmDirectory(tx, tenantWide(ctx));
  return evaluateStep(
    tx,
    ctx,
    rules,
    directory,
    Object.fromEntries(run.now.map((a) => [a, accountTypes[a]])),
    now,
    opts.receivedAt,
  );
}

/**
 * Per handler run at most: accounts whose evaluation may create a bundle, and accounts whose open
 * bundles would only be refreshed (a refresh costs ~3× an evaluation that fires nothing).
 */
export const CREATES_PER_RUN = 200;
export const REFRESHES_PER_RUN = 25;

/**
 * Bounded work per run, new bundles first: accounts where a triggered rule has no open bundle (the
 * evaluation may create one: what a rep waits for) up to CREATES_PER_RUN, and accounts whose open
 * bundles would only be refreshed up to REFRESHES_PER_RUN, each in arrival order; the rest is
 * re-queued (a signals.ingested carry-over in this transaction, merged with later ingests), so a
 * run stays short and a new bundle never waits behind hundreds of refreshes.
 */
async function accountsForThisRun(
  tx: Tx,
  ctx: ActorContext,
  rules: ActiveRule[],
  accountTypes: Record<string, string[]>,
  accountIds: string[],
): Promise<{ now: string[]; deferred: string[] }> {
  if (accountIds.length <= REFRESHES_PER_RUN) return { now: accountIds, deferred: [] };
  const open = await execRows<{ account_id: string; rule_key: string }>(
    tx,
    sql`select account_id, rule_key from interventions
         where tenant_id = ${ctx.tenantId}::uuid and status = 'open'
           and account_id = any(${uuidArray(accountIds)}::uuid[])`,
  );
  const hasOpen = new Set(open.map((o) => `${o.account_id}|${o.rule_key}`));
  const mayCreate = (a: string) =>
    rules.some(
      (r) =>
        r.definition.signal_types.some((t) => accountTypes[a].includes(t)) && !hasOpen.has(`${a}|${r.key}`),
    );
  const creates = accountIds.filter(mayCreate);
  const refreshes = accountIds.filter((a) => !mayCreate(a));
  return {
    now: [...creates.slice(0, CREATES_PER_RUN), ...refreshes.slice(0, REFRESHES_PER_RUN)],
    deferred: [...creates.slice(CREATES_PER_RUN), ...refreshes.slice(REFRESHES_PER_RUN)],
  };
}

/**
 * One bounded evaluation, in named steps: load features → match rules → build or refresh bundles
 * (against the open and recently closed bundles, with the newest evidence) → deliver (the circuit
 * breaker picks realtime or the weekly brief) → write.
 */
async function evaluateStep(
  tx: Tx,
  ctx: ActorContext,
  rules: ActiveRule[],
  directory: CrmDirectory,
  accountTypes: Record<string, string[]>,
  now: Date,
  receivedAt: string | undefined,
): Promise<EvaluationResult> {
  const result: EvaluationResult = { created: [], updated: [], suppressed: 0 };
  const fired = matchRules(rules, accountTypes, await loadFeatures(tx, ctx, rules, accountTypes, now));
  if (!fired.length) return result;
  const bundles = await recentBundles(tx, ctx, fired, now);
  const evidence = await evidenceOf(tx, ctx, fired, now);
  const plan = planBundles(fired, bundles, evidence, directory, now, receivedAt);
  result.suppressed += plan.suppressed;
  result.updated.push(...plan.refreshes.map((r) => String(r.before.id)));
  await chooseDelivery(tx, ctx, plan.creates, now);
  // New bundles in three statements (rows, change log, events), refreshed ones in a few more.
  result.created.push(...(await createBundles(tx, ctx, plan.creates)));
  // All refreshed bundles in a few statements (a sustained stream refreshes hundreds per batch).
  await refreshBundles(tx, ctx, plan.refreshes, {
    method: 'computed',
    reason: 'rule fired again on new signals while the bundle was open',
  });
  return result;
}

/** A bundle of a fired account as the evaluation reads it (texts and evidence only while open). */
interface KnownBundle {
  id: string;
  account_id: string;
  rule_key: string;
  status: string;
  signal_ids: string[];
  last_fired_at: string;
  occurrences: number;
  rule_version: number;
  title: string;
  risk: unknown;
  evidence: unknown;
}

/**
 * The open bundles of the fired accounts and the ones fired in the last 90 days (cool-downs). What
 * a refresh changes is read here for open bundles (their change log needs the old values).
 */
function recentBundles(tx: Tx, ctx: ActorContext, fired: Fired[], now: Date): Promise<KnownBundle[]> {
  return execRows<KnownBundle>(
    tx,
    sql`select id, account_id, rule_key, status, signal_ids, last_fired_at, occurrences, rule_version,
               case when status = 'open' then title end as title, case when status = 'open' then risk end as risk,
               case when status = 'open' then evidence end as evidence
          from interventions
        where tenant_id = ${ctx.tenantId}::uuid and account_id = any(${uuidArray([...new Set(fired.map((f) => f.accountId))])}::uuid[])
          and (status = 'open' or last_fired_at >= ${new Date(now.getTime() - 90 * 86_400_000).toISOString()}::timestamptz)
        order by last_fired_at desc`,
  );
}

/** Evidence for every fired (account, rule), in fired order: one statement, through the signals module. */
function evidenceOf(tx: Tx, ctx: ActorContext, fired: Fired[], now: Date): Promise<string[][]> {
  return signalEvidence(tx, ctx, {
    wants: fired.map((f) => ({
      accountId: f.accountId,
      types: f.rule.definition.signal_types,
      since: new Date(now.getTime() - f.rule.definition.window_days * 86_400_000),
    })),
    now,
    limit: 50,
  });
}

/** A bundle to create: its column values (delivery decided in chooseDelivery) and audit reason. */
interface PlannedCreate {
  values: Record<string, unknown> & { owner_id: string | null; severity: string };
  reason: string;
}
/** An open bundle to refresh: its old values and the patch. */
interface PlannedRefresh {
  before: Record<string, unknown>;
  patch: Record<string, unknown>;
}

/** What the template texts see of an account: its name, owner and industry. */
const accountFacts = (a: DirectoryAccount | undefined, accountId: string) =>
  a ? { id: a.id, name: a.name, owner_id: a.owner_id, industry: a.industry } : { id: accountId };

/**
 * Step 3, build or refresh: per fired (account, rule), an open bundle of the same rule is
 * refreshed with the new evidence (never duplicated; a replay changes nothing), a bundle acted on
 * within the rule's cool-down suppresses it, otherwise a new bundle is built.
 */
function planBundles(
  fired: Fired[],
  bundles: KnownBundle[],
  evidenceOf: string[][],
  directory: CrmDirectory,
  now: Date,
  receivedAt: string | undefined,
): { creates: PlannedCreate[]; refreshes: PlannedRefresh[]; suppressed: number } {
  const creates: PlannedCreate[] = [];
  const refreshes: PlannedRefresh[] = [];
  let suppressed = 0;
  for (const [k, f] of fired.entries()) {
    const { accountId, rule } = f;
    const signalIds = evidenceOf[k] ?? [];
    const mine = bundles.filter((r) => r.account_id === accountId && r.rule_key === rule.key);
    const open = mine.find((r) => r.status === 'open');
    if (open) {
      const refresh = refreshOf(open, f, signalIds, directory, now);
      if (refresh) refreshes.push(refresh);
      else suppressed++; // replay or nothing new: idempotent
      continue;
    }
    const cooldownStart = now.getTime() - rule.definition.cooldown_hours * 3600_000;
    if (mine.some((r) => r.status !== 'open' && new Date(r.last_fired_at).getTime() >= cooldownStart)) {
      suppressed++;
      continue; // acted on within the cool-down: do not nag again
    }
    creates.push(newBundle(f, signalIds, directory, now, receivedAt));
  }
  return { creates, refreshes, suppressed };
}

/** The evidence a bundle keeps: the signals, the rule version and the features it fired on. */
function evidenceFor(f: Fired, signalIds: string[]) {
  return {
    signal_ids: signalIds,
    rule_id: f.rule.id,
    rule_key: f.rule.key,
    rule_version: f.rule.version,
    features: pickFeatures(f.features, f.rule.definition.signal_types),
  };
}

/**
 * The refresh of an open bundle by the rule firing again, or null when the bundle already holds
 * every signal. Evidence keeps the newest MAX_EVIDENCE signals: under a sustained stream an
 * ever-growing array made every update (and its audit row) larger, and the handler fell minutes
 * behind.
 */
function refreshOf(
  open: KnownBundle,
  f: Fired,
  signalIds: string[],
  directory: CrmDirectory,
  now: Date,
): PlannedRefresh | null {
  const known = new Set(open.signal_ids);
  if (signalIds.every((sid) => known.has(sid))) return null;
  const { rule, features } = f;
  const def = rule.definition;
  const merged = [...new Set([...signalIds, ...open.signal_ids])].slice(0, MAX_EVIDENCE);
  const tctx = {
    account: accountFacts(directory.accounts.get(f.accountId), f.accountId),
    features,
    latest: features.latest,
    rule: { key: rule.key, name: rule.name },
  };
  return {
    before: { ...open },
    patch: {
      signal_ids: merged,
      evidence: { ...evidenceFor(f, signalIds), signal_ids: merged },
      occurrences: open.occurrences + 1,
      last_fired_at: now,
      rule_version: rule.version,
      title: renderTemplate(def.title, tctx),
      risk: { severity: def.severity, what_changed: renderTemplate(def.what_changed, tctx) },
    },
  };
}

/**
 * A new bundle: about the account's largest open opportunity, addressed to the account's owner
 * (else that opportunity's), texts rendered from the rule's templates.
 */
function newBundle(
  f: Fired,
  signalIds: string[],
  directory: CrmDirectory,
  now: Date,
  receivedAt: string | undefined,
): PlannedCreate {
  const { accountId, rule, features } = f;
  const def = rule.definition;
  const account = directory.accounts.get(accountId);
  const opp = [...directory.opportunities.values()]
    .filter((o) => o.account_id === accountId && o.status === 'open')
    .sort((a, b) => b.amount - a.amount)[0];
  const ownerId = account?.owner_id ?? opp?.owner_id ?? null;
  const tctx = {
    account: { ...accountFacts(account, accountId), opportunity: opp ?? null },
    features,
    latest: features.latest,
    rule: { key: rule.key, name: rule.name },
  };
  return {
    reason: `rule ${rule.key} v${rule.version}`,
    values: {
      account_id: accountId,
      opportunity_id: opp?.id ?? null,
      rule_id: rule.id,
      rule_key: rule.key,
      rule_version: rule.version,
      severity: def.severity,
      title: renderTemplate(def.title, tctx),
      risk: { severity: def.severity, what_changed: renderTemplate(def.what_changed, tctx) },
      talk_track: renderTemplate(def.talk_track, tctx),
      resources: def.resources,
      owner_id: ownerId,
      due_at: new Date(now.getTime() + (def.due_hours ?? DUE_HOURS[def.severity]) * 3600_000),
      evidence: evidenceFor(f, signalIds),
      signal_ids: signalIds,
      delivery: 'realtime',
      delivery_reason: null,
      first_fired_at: now,
      last_fired_at: now,
      fire_latency_ms: receivedAt ? Date.now() - new Date(receivedAt).getTime() : null,
    },
  };
}

/**
 * Step 4, deliver: a new bundle reaches its owner in real time unless the circuit breaker trips
 * (critical ones always do); then it waits in the weekly strategy brief. Bundles planned earlier
 * in this step count as made today, as if created one by one.
 */
async function chooseDelivery(tx: Tx, ctx: ActorContext, creates: PlannedCreate[], now: Date) {
  const plannedFor = new Map<string, number>();
  for (const { values } of creates) {
    const ownerId = values.owner_id;
    if (!ownerId) continue;
    const planned = plannedFor.get(ownerId) ?? 0;
    plannedFor.set(ownerId, planned + 1);
    if (values.severity === 'critical') continue;
    const b = await breakerStatus(tx, ctx, ownerId, now);
    const nth = b.suggested_today + planned + 1;
    if (nth > b.threshold) {
      values.delivery = 'brief';
      values.delivery_reason = `Circuit breaker: this would be suggestion ${nth} today, above ${BREAKER_FACTOR} × your average ${b.average_daily_touches} effective touches a day (threshold ${b.threshold}); moved to the weekly strategy brief. 熔断：今日建议数超过日均有效触达的 ${BREAKER_FACTOR} 倍，已转入周度策略简报。`;
    }
  }
}

/**
 * Creates many bundles with what interventionService.create writes for one — the row, its
 * change_log 'create' entry (method computed, the firing rule as reason) and an
 * `interventions.created` event carrying the stored row — in three statements instead of three
 * per bundle (a stream of 5,000 signals/s creates dozens per handler run).
 */
async function createBundles(
  tx: Tx,
  ctx: ActorContext,
  items: { values: Record<string, unknown>; reason: string }[],
): Promise<string[]> {
  if (!items.length) return [];
  const rows = (await tx
    .insert(interventions)
    .values(items.map((i) => ({ ...i.values, tenant_id: ctx.tenantId }) as typeof interventions.$inferInsert))
    .returning()) as Record<string, unknown>[];
  const reasonOf = new Map(items.map((i) => [`${i.values.account_id}|${i.values.rule_key}`, i.reason]));
  const logs = rows.map((row) => {
    const changes: FieldChanges = {};
    for (const f of BUNDLE_FIELDS)
      if (row[f] !== null && row[f] !== undefined) changes[f] = { old: null, new: row[f] };
    return changeLogRow(ctx, 'interventions', String(row.id), 'create', changes, {
      method: 'computed',
      reason: reasonOf.get(`${row.account_id}|${row.rule_key}`),
    });
  });
  await insertRowsFast(tx, changeLog, logs);
  await insertRowsFast(
    tx,
    domainEvents,
    rows.map((row) => ({
      tenant_id: ctx.tenantId,
      name: 'interventions.created',
      entity: 'interventions',
      entity_id: String(row.id),
      payload: { record: row, source: ctx.source },
    })),
  );
  notifyRecordWrite('interventions', ctx.tenantId);
  return rows.map((r) => String(r.id));
}

/** The columns a refresh writes (signal_ids, evidence, occurrences, last_fired_at, version, texts). */
const REFRESHED = {
  signal_ids: 'uuid[]',
  evidence: 'jsonb',
  occurrences: 'integer',
  last_fired_at: 'timestamptz',
  rule_version: 'integer',
  title: 'text',
  risk: 'jsonb',
} as const;

/**
 * Refreshes open bundles with what interventionService.bulkUpdate writes — the columns, one
 * change_log 'update' entry per bundle with the fields that changed (old and new), and one
 * `interventions.updated` event each — in three statements, from the old values the handler
 * already read (bulkUpdate re-reads and locks every column of every bundle, most of a refresh's
 * time under a stream). A bundle that is no longer open by then is left alone. Runs as the rules'
 * system context (no record-level sharing applies).
 */
async function refreshBundles(
  tx: Tx,
  ctx: ActorContext,
  items: { before: Record<string, unknown>; patch: Record<string, unknown> }[],
  opts: { method: string; reason: string },
): Promise<string[]> {
  const changed = items
    .map(({ before, patch }) => {
      const changes: FieldChanges = {};
      for (const [k, v] of Object.entries(patch))
        if (!sameValue(before[k], v)) changes[k] = { old: before[k] ?? null, new: v };
      return { id: String(before.id), patch, changes };
    })
    .filter((c) => Object.keys(c.changes).length > 0);
  if (!changed.length) return [];
  const at = new Date();
  const columns = Object.entries(REFRESHED);
  const updated = await execRows<{ id: string }>(
    tx,
    sql`update interventions t
           set ${sql.raw(columns.map(([c]) => `"${c}" = x."${c}"`).join(', '))}, updated_at = ${at.toISOString()}::timestamptz
          from jsonb_to_recordset(${JSON.stringify(changed.map((c) => ({ id: c.id, ...c.patch })))}::jsonb)
               as x(id uuid, ${sql.raw(columns.map(([c, type]) => `"${c}" ${type}`).join(', '))})
         where t.id = x.id and t.tenant_id = ${ctx.tenantId}::uuid and t.status = 'open'
        returning t.id`,
  );
  const done = new Set(updated.map((r) => String(r.id)));
  const applied = changed.filter((c) => done.has(c.id));
  await insertRowsFast(
    tx,
    changeLog,
    applied.map((c) => changeLogRow(ctx, 'interventions', c.id, 'update', c.changes, opts)),
  );
  await insertRowsFast(
    tx,
    domainEvents,
    applied.map((c) => ({
      tenant_id: ctx.tenantId,
      name: 'interventions.updated',
      entity: 'interventions',
      entity_id: c.id,
      payload: { changed: Object.keys(c.changes), source: ctx.source },
    })),
  );
  if (applied.length) notifyRecordWrite('interventions', ctx.tenantId);
  return applied.map((c) => c.id);
}

/** Equality as the change log sees it: instants by time, numbers by value, the rest as JSON. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date)
    return new Date(a as Date | string).getTime() === new Date(b as Date | string).getTime();
  if (typeof a === 'number' || typeof b === 'number')
    return a !== null && b !== null && Number(a) === Number(b);
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function pickFeatures(f: Features, types: string[]) {
  const pick = <T>(o: Record<string, T>) =>
    Object.fromEntries(types.filter((t) => t in o).map((t) => [t, o[t]]));
  return {
    window_days: f.window_days,
    count: pick(f.count),
    baseline: pick(f.baseline),
    rate: pick(f.rate),
    max_strength: pick(f.max_strength),
    latest: pick(f.latest),
  };
}

// ---------- acting on bundles ----------

const FIELD_ROLES = new Set(['rep', 'presales', 'csm', 'marketing']);

async function forAction(tx: Tx, ctx: ActorContext, id: string) {
  const row = await interventionService.find(tx, ctx, id, true);
  if (!row) throw notFound('Intervention');
  if (FIELD_ROLES.has(ctx.role) && row.owner_id && row.owner_id !== ctx.actorId)
    throw forbidden('This intervention is addressed to someone else');
  return row;
}

export async function acceptIntervention(tx: Tx, ctx: ActorContext, id: string, note?: string) {
  const row = await forAction(tx, ctx, id);
  if (row.status !== 'open') throw conflict(`The intervention is already ${row.status}`);
  // AI output is input only (R-1.7): the strategy built on it waits for a manager's sign-off.
  return interventionService.update(
    tx,
    ctx,
    id,
    { status: 'accepted', acted_at: new Date(), acted_by: ctx.actorId, sign_off_status: 'pending' },
    { reason: note },
  );
}

export async function dismissIntervention(tx: Tx, ctx: ActorContext, id: string, reason: string) {
  const row = await forAction(tx, ctx, id);
  if (row.status !== 'open') throw conflict(`The intervention is already ${row.status}`);
  return interventionService.update(
    tx,
    ctx,
    id,
    { status: 'dismissed', acted_at: new Date(), acted_by: ctx.actorId, dismiss_reason: reason },
    { reason },
  );
}

export async function recordOutcome(tx: Tx, ctx: ActorContext, id: string, outcome: string, note?: string) {
  const row = await forAction(tx, ctx, id);
  if (row.status === 'open')
    throw conflict('Accept or dismiss the intervention before recording its outcome');
  return interventionService.update(
    tx,
    ctx,
    id,
    { outcome, outcome_note: note ?? null, outcome_at: new Date() },
    { reason: note },
  );
}

export async function signOff(
  tx: Tx,
  ctx: ActorContext,
  id: string,
  decision: 'approved' | 'rejected',
  basis: string,
) {
  if (!can(ctx, 'interventions:sign_off')) throw forbidden();
  const row = await interventionService.find(tx, ctx, id, true);
  if (!row) throw notFound('Intervention');
  if (row.sign_off_status !== 'pending')
    throw conflict(`Nothing to sign off: sign-off status is ${row.sign_off_status}`);
  if (row.acted_by && row.acted_by === ctx.actorId)
    throw forbidden('A strategy cannot be signed off by the person who proposed it');
  const [s] = await tx
    .insert(interventionSignOffs)
    .values({
      tenant_id: ctx.tenantId,
      intervention_id: id,
      decision,
      basis,
      signed_by: ctx.actorId,
      signed_by_name: ctx.actorName,
      signed_by_role: ctx.role,
    })
    .returning();
  const updated = await interventionService.update(
    tx,
    ctx,
    id,
    { sign_off_status: decision },
    { reason: `sign-off ${decision}: ${basis}` },
  );
  return { intervention: updated, sign_off: s };
}

export async function signOffsOf(tx: Tx, ctx: ActorContext, id: string) {
  return tx
    .select()
    .from(interventionSignOffs)
    .where(
      and(eq(interventionSignOffs.tenant_id, ctx.tenantId), eq(interventionSignOffs.intervention_id, id)),
    )
    .orderBy(asc(interventionSignOffs.created_at));
}

// ---------- weekly brief ----------

export function weekOf(now: Date): { start: Date; end: Date } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const dow = (start.getUTCDay() + 6) % 7; // Monday = 0
  start.setUTCDate(start.getUTCDate() - dow);
  const end = new Date(start);
  end.setUTCDate(end.getUTCDate() + 7);
  return { start, end };
}

/** One brief item, as the brief shows it. */
function briefItem(i: typeof interventions.$inferSelect) {
  return {
    id: i.id,
    title: i.title,
    severity: i.severity,
    rule_key: i.rule_key,
    status: i.status,
    delivery_reason: i.delivery_reason,
    created_at: i.created_at.toISOString(),
    talk_track: i.talk_track,
    owner_id: i.owner_id,
  };
}

/** The held-back (brief) bundles of these owners created in the week of `now`, newest first. */
async function briefRows(tx: Tx, ctx: ActorContext, ownerIds: string[], now: Date) {
  const { start, end } = weekOf(now);
  if (ownerIds.length === 0) return { start, end, rows: [] };
  const rows = await tx
    .select()
    .from(interventions)
    .where(
      and(
        eq(interventions.tenant_id, ctx.tenantId),
        inArray(interventions.owner_id, ownerIds),
        eq(interventions.delivery, 'brief'),
        gte(interventions.created_at, start),
        sql`${interventions.created_at} < ${end.toISOString()}::timestamptz`,
      ),
    )
    .orderBy(desc(interventions.created_at));
  return { start, end, rows };
}

function briefBody(
  rows: (typeof interventions.$inferSelect)[],
  directory: CrmDirectory,
  start: Date,
  end: Date,
) {
  const byAccount = new Map<string, typeof rows>();
  for (const r of rows) byAccount.set(r.account_id, [...(byAccount.get(r.account_id) ?? []), r]);
  const bySeverity: Record<string, number> = {};
  for (const r of rows) bySeverity[r.severity] = (bySeverity[r.severity] ?? 0) + 1;
  return {
    week_start: start.toISOString().slice(0, 10),
    week_end: new Date(end.getTime() - 86_400_000).toISOString().slice(0, 10),
    summary: { count: rows.length, accounts: byAccount.size, by_severity: bySeverity },
    accounts: [...byAccount.entries()].map(([accountId, items]) => ({
      account_id: accountId,
      account_name: directory.accounts.get(accountId)?.name ?? null,
      items: items.map(briefItem),
    })),
  };
}

export async function weeklyBrief(tx: Tx, ctx: ActorContext, ownerId: string, now: Date) {
  const { start, end, rows } = await briefRows(tx, ctx, [ownerId], now);
  const directory = await crmDirectory(tx, tenantWide(ctx));
  return {
    scope: 'person' as const,
    owner_id: ownerId,
    circuit_breaker: await breakerStatus(tx, ctx, ownerId, now),
    members: null,
    ...briefBody(rows, directory, start, end),
  };
}

/**
 * The team's brief for a manager: everyone below them in the manager chain (themselves included);
 * a manager nobody reports to gets their team; an admin with neither gets every active user. One
 * line per member (held back this week, accounts, whether their circuit breaker is tripped today),
 * then the accounts of all of them with each item's owner.
 */
export async function teamBrief(tx: Tx, ctx: ActorContext, now: Date) {
  const facts = await actorFacts(tx, ctx);
  let ids = facts.chain.length > 1 ? facts.chain : facts.teammates.length > 1 ? facts.teammates : [];
  const active = await tx
    .select({ id: users.id, name: users.name, active: users.active })
    .from(users)
    .where(eq(users.tenant_id, ctx.tenantId));
  if (ids.length === 0) ids = seesAll(ctx) ? active.filter((u) => u.active !== false).map((u) => u.id) : [];
  if (ids.length === 0 && facts.userId) ids = [facts.userId];
  const names = new Map(active.map((u) => [u.id, u.name]));
  const { start, end, rows } = await briefRows(tx, ctx, ids, now);
  const directory = await crmDirectory(tx, tenantWide(ctx));
  const members = [];
  for (const id of ids) {
    const mine = rows.filter((r) => r.owner_id === id);
    const breaker = await breakerStatus(tx, ctx, id, now);
    members.push({
      owner_id: id,
      name: names.get(id) ?? null,
      count: mine.length,
      accounts: new Set(mine.map((r) => r.account_id)).size,
      tripped: breaker.tripped,
      suggested_today: breaker.suggested_today,
      threshold: breaker.threshold,
    });
  }
  members.sort((a, b) => b.count - a.count || String(a.name).localeCompare(String(b.name), 'zh-CN'));
  return {
    scope: 'team' as const,
    owner_id: facts.userId ?? ctx.actorId ?? '',
    circuit_breaker: null,
    members,
    ...briefBody(rows, directory, start, end),
  };
}

/**
 * The CRM directory is cached per tenant, so it is always built from every record of the tenant (a
 * system context), never from what one user may see under record-level sharing.
 */
function tenantWide(ctx: ActorContext): ActorContext {
  return systemContext(ctx.tenantId, ctx.source, ctx.actorName);
}
