/**
 * Lead score (SPEC ): how likely a new contact is to turn into pipeline, from its profile and
 * its early behaviour, trained per tenant on the tenant's own contacts. Same design as the win
 * model (win-probability.service.ts), and the same training pipeline (model-training.ts, over the
 * spec LEAD_MODEL): time-based split, the toolkit's binary pipeline with calibration chosen on a
 * validation tail, metrics per version in prediction_models (kind 'lead_score'), deterministic
 * rebuild from the stored snapshot, a labelled fallback.
 *
 * Label ("converted"). A contact converts when an opportunity is CREATED on its account in the
 * window (observation time, created_at + CONVERSION_DAYS]. Created, not won: lead scoring ranks
 * leads for follow-up, and the moment a lead becomes pipeline is the event sales controls and
 * sees within weeks; "won" adds the deal's own 2–7-month cycle and its outcome (which the win
 * model already predicts), so labels would mature half a year later and be far rarer. Opportunities
 * created before the observation time are not the label; they are a visible feature
 * (acct_open_opps), so nothing known at scoring time is relabelled as the outcome.
 * Only contacts whose window has fully elapsed (created_at + CONVERSION_DAYS ≤ now) and that
 * belong to an account are labelled; younger ones are scored, not learned from.
 *
 * Observation time t = created_at + OBSERVATION_DAYS. Features use only what was known at t:
 *  - profile: committee role, title and its seniority, department, influence, stance (as of t:
 *    later edits are undone from the change log), e-mail domain matching the account's domains,
 *    e-mail / phone present, source/channel (custom.source | lead_source | channel);
 *  - account: industry, size, employees, region, account age at t, opportunities open at t and
 *    won before t;
 *  - behaviour in the BEHAVIOUR_DAYS before t: activities involving the contact by type, signals
 *    on the contact by type (website visits, pricing views, other intent pages, e-mail replies,
 *    others) and signals on its account that name no contact.
 * Scoring uses t = now, i.e. "this contact's profile with its last 30 days of behaviour, read as a
 * new lead": for a contact months old this is the model applied outside its training ages.
 *
 * Split: labelled contacts by created_at; the last 20 % (≥ 10) are the test window. Fallback
 * (status 'fallback', method 'rules_fallback'): fewer than MIN_LEAD_HISTORY labelled contacts, one
 * class missing, or a model that loses to the base rate on the test window; contacts then get a
 * transparent rule score (fixed log-odds points around the tenant's base rate), labelled as such.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { upsertRows } from '../../platform/db/bulk-insert.js';
import type { Tx } from '../../platform/db/database.js';
import { conflict } from '../../platform/http/problem.js';
import { consentGateOf } from '../../platform/privacy/consent-gate.js';
import { sigmoid } from './ml/logistic-regression.model.js';
import {
  clearModelCache,
  type FeatureDef,
  factorOf,
  featureNumber,
  latestModel,
  type TopFactor,
} from './model-store.js';
import {
  activeSnapshot,
  type ModelSnapshotBase,
  type ModelSpec,
  modelScores,
  presentScore,
  readOrScore,
  type Score,
  scoreColumns,
  scoringScope,
  type TrainOptions,
  type TrainResult,
  trainModel,
} from './model-training.js';
import { contactScores } from './predict.schema.js';
import { type LeadContactRow, type LeadEvent, type LeadSnapshot, loadLeadSnapshot } from './predict-data.js';

export const MIN_LEAD_HISTORY = 60;
export const CONVERSION_DAYS = 90;
export const OBSERVATION_DAYS = 7;
export const BEHAVIOUR_DAYS = 30;
const DAY = 86_400_000;
const KIND = 'lead_score';

export const LEAD_FEATURES: FeatureDef[] = [
  { name: 'committee_role', kind: 'categorical', label: 'Buying-committee role' },
  { name: 'seniority', kind: 'categorical', label: 'Seniority (from title)' },
  { name: 'title', kind: 'categorical', label: 'Title' },
  { name: 'department', kind: 'categorical', label: 'Department' },
  { name: 'influence', kind: 'numeric', label: 'Influence (1–5)' },
  { name: 'stance', kind: 'categorical', label: 'Stance' },
  { name: 'email_domain_match', kind: 'numeric', label: "E-mail on the account's domain" },
  { name: 'has_email', kind: 'numeric', label: 'Has e-mail' },
  { name: 'has_phone', kind: 'numeric', label: 'Has phone' },
  { name: 'source', kind: 'categorical', label: 'Source / channel' },
  { name: 'industry', kind: 'categorical', label: 'Industry' },
  { name: 'account_size', kind: 'categorical', label: 'Account size' },
  { name: 'log_employees', kind: 'numeric', label: 'Employees (log)' },
  { name: 'region', kind: 'categorical', label: 'Region' },
  { name: 'account_age_days', kind: 'numeric', label: 'Account age (days)' },
  { name: 'acct_open_opps', kind: 'numeric', label: 'Open opportunities on the account' },
  { name: 'acct_won_before', kind: 'numeric', label: 'Opportunities won on the account before' },
  { name: 'act_calls', kind: 'numeric', label: 'Calls, last 30 days' },
  { name: 'act_meetings', kind: 'numeric', label: 'Meetings / visits, last 30 days' },
  { name: 'act_emails', kind: 'numeric', label: 'E-mails logged, last 30 days' },
  { name: 'act_other', kind: 'numeric', label: 'Other activities, last 30 days' },
  { name: 'sig_web_visits', kind: 'numeric', label: 'Website visits, last 30 days' },
  { name: 'sig_pricing_views', kind: 'numeric', label: 'Pricing page views, last 30 days' },
  { name: 'sig_intent_other', kind: 'numeric', label: 'Other high-intent page views, last 30 days' },
  { name: 'sig_email_replies', kind: 'numeric', label: 'E-mail replies, last 30 days' },
  { name: 'sig_other', kind: 'numeric', label: 'Other signals on the contact, last 30 days' },
  { name: 'acct_signals', kind: 'numeric', label: 'Account signals, last 30 days' },
  { name: 'acct_pricing_views', kind: 'numeric', label: 'Account pricing views, last 30 days' },
];
const FEATURE_NAMES = LEAD_FEATURES.map((f) => f.name);
const featureIndex = new Map(FEATURE_NAMES.map((n, j) => [n, j]));

export type LeadModelSnapshot = ModelSnapshotBase;

/** Seniority bucket from a title (Chinese or English). */
export function seniorityOf(title: string | null | undefined): string {
  const s = (title ?? '').toLowerCase();
  if (!s) return '';
  if (/(总裁|总经理|董事|ceo|cto|cio|cfo|coo|chief|president|founder|创始|副总|vp\b|vice president)/.test(s))
    return 'executive';
  if (/(总监|director|head|负责人|主任|总工)/.test(s)) return 'director';
  if (/(经理|manager|主管|lead|科长|部长)/.test(s)) return 'manager';
  return 'staff';
}

/** A contact's profile fields as of time t: updates made after t are undone from the change log. */
export function profileAt(snap: LeadSnapshot, c: LeadContactRow, t: number): LeadContactRow {
  const hist = snap.contactHistory.get(c.id);
  if (!hist?.length) return c;
  const out: Record<string, unknown> = { ...c };
  const undone = new Set<string>();
  for (const h of hist) {
    if (h.at <= t) continue;
    for (const [field, ch] of Object.entries(h.changes)) {
      if (undone.has(field) || !(field in out) || field === 'id' || field === 'created_at') continue;
      out[field] = ch?.old ?? null;
      undone.add(field); // the first change after t holds the value at t
    }
  }
  return out as unknown as LeadContactRow;
}

function emailDomainMatch(c: LeadContactRow, acc: { domains: string[]; website: string | null } | undefined) {
  if (!acc || c.emails.length === 0) return '';
  const domains = new Set(acc.domains.map((d) => d.toLowerCase().replace(/^www\./, '')));
  if (acc.website) {
    try {
      domains.add(new URL(acc.website).hostname.toLowerCase().replace(/^www\./, ''));
    } catch {
      /* not a URL */
    }
  }
  if (domains.size === 0) return '';
  const hit = c.emails.some((e) => {
    const d = e.split('@')[1]?.toLowerCase() ?? '';
    return [...domains].some((x) => d === x || d.endsWith(`.${x}`));
  });
  return hit ? '1' : '0';
}

const inWindow = (events: LeadEvent[] | undefined, t: number) =>
  (events ?? []).filter((e) => e.at <= t && e.at > t - BEHAVIOUR_DAYS * DAY);

/** One feature row (strings, as the toolkit's tables hold them) for contact c as of time t. */
export function leadFeatureRow(snap: LeadSnapshot, contact: LeadContactRow, t: number): string[] {
  const c = profileAt(snap, contact, t);
  const acc = c.account_id ? snap.accounts.get(c.account_id) : undefined;
  const opps = c.account_id ? (snap.oppsByAccount.get(c.account_id) ?? []) : [];
  const acts = inWindow(snap.activitiesByContact.get(c.id), t);
  const sigs = inWindow(snap.signalsByContact.get(c.id), t);
  const accSigs = c.account_id ? inWindow(snap.signalsByAccount.get(c.account_id), t) : [];
  const count = (list: LeadEvent[], pred: (type: string) => boolean) =>
    String(list.filter((e) => pred(e.type)).length);
  const source = c.custom.source ?? c.custom.lead_source ?? c.custom.channel;
  const values: Record<string, string> = {
    committee_role: c.committee_role ?? '',
    seniority: seniorityOf(c.title),
    title: c.title ?? '',
    department: c.department ?? '',
    influence: c.influence === null || c.influence === undefined ? '' : String(c.influence),
    stance: c.stance ?? '',
    email_domain_match: emailDomainMatch(c, acc),
    has_email: c.emails?.length ? '1' : '0',
    has_phone: c.phones?.length ? '1' : '0',
    source: typeof source === 'string' ? source : '',
    industry: acc?.industry ?? '',
    account_size: acc?.size ?? '',
    log_employees: acc?.employees ? featureNumber(Math.log1p(acc.employees)) : '',
    region: acc?.region_id ? (snap.regions.get(acc.region_id) ?? '') : '',
    account_age_days: acc ? featureNumber(Math.max(0, t - acc.created_at.getTime()) / DAY, 0) : '',
    acct_open_opps: String(opps.filter((o) => o.created <= t && (o.closed === null || o.closed > t)).length),
    acct_won_before: String(
      opps.filter((o) => o.status === 'won' && o.closed !== null && o.closed <= t).length,
    ),
    act_calls: count(acts, (x) => x === 'call'),
    act_meetings: count(acts, (x) => x === 'meeting' || x === 'visit'),
    act_emails: count(acts, (x) => x === 'email'),
    act_other: count(acts, (x) => !['call', 'meeting', 'visit', 'email'].includes(x)),
    sig_web_visits: count(sigs, (x) => x === 'website_visit'),
    sig_pricing_views: count(sigs, (x) => x === 'intent_page_view:pricing'),
    sig_intent_other: count(
      sigs,
      (x) => x.startsWith('intent_page_view:') && x !== 'intent_page_view:pricing',
    ),
    sig_email_replies: count(sigs, (x) => x === 'email_reply'),
    sig_other: count(
      sigs,
      (x) => x !== 'website_visit' && x !== 'email_reply' && !x.startsWith('intent_page_view:'),
    ),
    acct_signals: String(accSigs.length),
    acct_pricing_views: count(accSigs, (x) => x === 'intent_page_view:pricing'),
  };
  return FEATURE_NAMES.map((n) => values[n]);
}

export const observationTimeOf = (c: LeadContactRow) =>
  new Date(c.created_at).getTime() + OBSERVATION_DAYS * DAY;

/** 1 when an opportunity is created on the contact's account in (t, created_at + CONVERSION_DAYS]. */
export function converted(snap: LeadSnapshot, c: LeadContactRow): number {
  const t = observationTimeOf(c);
  const end = new Date(c.created_at).getTime() + CONVERSION_DAYS * DAY;
  const opps = c.account_id ? (snap.oppsByAccount.get(c.account_id) ?? []) : [];
  return opps.some((o) => o.created > t && o.created <= end) ? 1 : 0;
}

/** Contacts whose label is known at `now`, oldest first. */
export function labelledContacts(snap: LeadSnapshot, now: Date): LeadContactRow[] {
  return snap.contacts
    .filter((c) => c.account_id && new Date(c.created_at).getTime() + CONVERSION_DAYS * DAY <= now.getTime())
    .sort(
      (a, b) =>
        new Date(a.created_at).getTime() - new Date(b.created_at).getTime() || a.id.localeCompare(b.id),
    );
}

/**
 * Forget a platform's fitted models (tests: the next score rebuilds from the stored snapshot, as a
 * cold process would); takes a transaction of that platform or `platform.caches`.
 */
export const clearLeadModelCache = clearModelCache;

// ---------- rule fallback ----------

/** Fixed log-odds points of the fallback score; each one that applies is shown as a factor. */
const RULES: { feature: string; points: number; applies: (v: string) => boolean }[] = [
  { feature: 'sig_pricing_views', points: 1.0, applies: (v) => Number(v) > 0 },
  { feature: 'sig_email_replies', points: 0.7, applies: (v) => Number(v) > 0 },
  { feature: 'act_meetings', points: 0.6, applies: (v) => Number(v) > 0 },
  { feature: 'sig_web_visits', points: 0.4, applies: (v) => Number(v) > 0 },
  { feature: 'acct_pricing_views', points: 0.4, applies: (v) => Number(v) > 0 },
  { feature: 'seniority', points: 0.5, applies: (v) => v === 'executive' || v === 'director' },
  {
    feature: 'committee_role',
    points: 0.3,
    applies: (v) => v === 'executive' || v === 'procurement' || v === 'finance',
  },
  { feature: 'stance', points: 0.5, applies: (v) => v === 'champion' },
  { feature: 'stance', points: 0.25, applies: (v) => v === 'supporter' },
  { feature: 'stance', points: -0.5, applies: (v) => v === 'blocker' },
  { feature: 'email_domain_match', points: 0.3, applies: (v) => v === '1' },
  { feature: 'has_email', points: -0.5, applies: (v) => v === '0' },
];
const DEFAULT_PRIOR = 0.15;

export function ruleScore(row: string[], prior: number): { p: number; factors: TopFactor[] } {
  const base = Math.log(prior / (1 - prior));
  const factors: TopFactor[] = [];
  for (const r of RULES) {
    const v = row[featureIndex.get(r.feature)!];
    if (r.applies(v)) factors.push(factorOf(LEAD_FEATURES, r.feature, row, r.points));
  }
  const z = base + factors.reduce((a, f) => a + f.contribution, 0);
  factors.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  return { p: sigmoid(z), factors: factors.slice(0, 5) };
}

// ---------- training ----------

export type LeadTrainResult = TrainResult<'rules_fallback'>;

/** The rule score's base rate: the labelled contacts' conversion rate, smoothed. */
const fallbackPrior = (y: number[]) => {
  const positives = y.reduce((a, b) => a + b, 0);
  return y.length ? (positives + 1) / (y.length + 2) : DEFAULT_PRIOR;
};

/** The lead model as a spec of the shared pipeline (model-training.ts). */
const LEAD_MODEL: ModelSpec<LeadSnapshot, LeadContactRow, 'rules_fallback'> = {
  kind: KIND,
  features: LEAD_FEATURES,
  minHistory: MIN_LEAD_HISTORY,
  fitOptions: {},
  fallbackMethod: 'rules_fallback',
  // Nobody who withdrew profiling consent is learned from.
  load: async (tx, tenantId) => {
    const snap = await loadLeadSnapshot(tx, tenantId);
    const denied = await consentGateOf(tx).denied(
      tx,
      tenantId,
      snap.contacts.map((c) => c.id),
      'profiling',
    );
    return denied.size ? { ...snap, contacts: snap.contacts.filter((c) => !denied.has(c.id)) } : snap;
  },
  examples(snap, now) {
    const items = labelledContacts(snap, now);
    return { items, y: items.map((c) => converted(snap, c)) };
  },
  rows(snap, labelled, y) {
    // A contact's row depends on nothing but the contact: one set serves evaluation and production.
    let rows: string[][] | null = null;
    const all = () => (rows ??= labelled.map((c) => leadFeatureRow(snap, c, observationTimeOf(c))));
    return {
      evaluation: (cut) => ({ train: all().slice(0, cut), test: all().slice(cut) }),
      production: () => ({
        rows: all(),
        extra: { prior: y.reduce((a, b) => a + b, 0) / y.length },
      }),
    };
  },
  splitBy: { name: 'created', at: (c) => c.created_at },
  notes: {
    history: `contacts with a complete ${CONVERSION_DAYS}-day outcome`,
    testWindow: 'newest labelled contacts',
    oneClass: (positives) => `${positives === 0 ? 'No' : 'Every'} labelled contact converted`,
    instead: 'using a rule score.',
  },
  historyMetrics: (labelled, y) => ({
    label: `opportunity created on the contact's account within ${CONVERSION_DAYS} days of the contact's creation (after the ${OBSERVATION_DAYS}-day observation point)`,
    labelled_contacts: labelled.length,
    converted: y.reduce((a, b) => a + b, 0),
    fallback_prior: fallbackPrior(y),
  }),
  fallbackModel: (_, y) => ({ prior: fallbackPrior(y) }),
  score: (tx, tenantId, snap, now) => scoreContacts(tx, tenantId, undefined, { snap, now }),
};

export function trainLeadModel(tx: Tx, tenantId: string, opts: TrainOptions = {}): Promise<LeadTrainResult> {
  return trainModel(tx, tenantId, LEAD_MODEL, opts);
}

// ---------- scoring ----------

/**
 * Scores contacts (all, or the given ids) at t = now with the active model, or with the rule
 * score when there is none / it is a fallback version; upserts contact_scores. Deleted contacts
 * lose their row. Idempotent: the row is recomputed from the current data.
 */
export async function scoreContacts(
  tx: Tx,
  tenantId: string,
  ids?: string[],
  opts: { snap?: LeadSnapshot; now?: Date } = {},
): Promise<number> {
  const now = opts.now ?? new Date();
  const snap = opts.snap ?? (await loadLeadSnapshot(tx, tenantId, ids));
  // Consent: people who withdrew profiling (or whose processing is restricted) are not
  // scored, and a score they had is removed — as for a deleted contact.
  const gate = consentGateOf(tx);
  const { pool: scope, gone } = scoringScope(snap.contacts, ids);
  const denied = await gate.denied(
    tx,
    tenantId,
    scope.map((c) => c.id),
    'profiling',
  );
  const pool = scope.filter((c) => !denied.has(c.id));
  gone.push(...denied);
  if (!ids) {
    // A full rescore (training) loads no one who is denied: drop the scores they still have.
    const scored = await tx
      .select({ id: contactScores.contact_id })
      .from(contactScores)
      .where(eq(contactScores.tenant_id, tenantId));
    const withheld = await gate.denied(
      tx,
      tenantId,
      scored.map((r) => r.id),
      'profiling',
    );
    gone.push(...withheld);
  }
  if (gone.length)
    await tx
      .delete(contactScores)
      .where(and(eq(contactScores.tenant_id, tenantId), inArray(contactScores.contact_id, gone)));
  if (pool.length === 0) return 0;
  const m = await latestModel(tx, tenantId, KIND);
  const snapModel = activeSnapshot<LeadModelSnapshot>(m);
  const rows = pool.map((c) => leadFeatureRow(snap, c, now.getTime()));
  let results: Score<'rules_fallback'>[];
  if (m && snapModel) {
    results = modelScores(tx, LEAD_MODEL, m, snapModel, rows);
  } else {
    const stored = m?.model as Partial<LeadModelSnapshot> | undefined;
    const prior = Math.min(0.95, Math.max(0.01, stored?.prior ?? DEFAULT_PRIOR));
    results = rows.map((r) => ({ ...ruleScore(r, prior), method: 'rules_fallback' as const }));
  }
  const values = pool.map((c, i) => {
    const { p, ...columns } = scoreColumns(m, results[i], now);
    return { tenant_id: tenantId, contact_id: c.id, score: p, ...columns };
  });
  await upsertRows(tx, contactScores, values, [contactScores.tenant_id, contactScores.contact_id]);
  return pool.length;
}

export const LEAD_FALLBACK_LABEL = 'Rule score (not enough contact history for a trained model)';

/** The 409 of a contact who withdrew profiling consent: no lead score is computed or kept for them. */
export const leadScoreWithheld = () =>
  conflict('No lead score: this person has withdrawn consent to profiling, or processing is restricted');

export async function getLeadScore(tx: Tx, tenantId: string, contactId: string) {
  if ((await consentGateOf(tx).denied(tx, tenantId, [contactId], 'profiling')).has(contactId))
    throw leadScoreWithheld();
  const r = await readOrScore(
    () =>
      tx
        .select()
        .from(contactScores)
        .where(and(eq(contactScores.tenant_id, tenantId), eq(contactScores.contact_id, contactId))),
    () => scoreContacts(tx, tenantId, [contactId]),
    'Lead score',
  );
  return { contact_id: contactId, score: r.score, ...presentScore<'rules_fallback'>(r, LEAD_FALLBACK_LABEL) };
}

export async function listLeadScores(tx: Tx, tenantId: string) {
  const rows = await tx
    .select({
      contact_id: contactScores.contact_id,
      score: contactScores.score,
      method: contactScores.method,
      model_version: contactScores.model_version,
      computed_at: contactScores.computed_at,
    })
    .from(contactScores)
    .where(eq(contactScores.tenant_id, tenantId));
  const denied = await consentGateOf(tx).denied(
    tx,
    tenantId,
    rows.map((r) => r.contact_id),
    'profiling',
  );
  return rows
    .filter((r) => !denied.has(r.contact_id))
    .map((r) => ({ ...r, computed_at: new Date(r.computed_at).toISOString() }));
}
