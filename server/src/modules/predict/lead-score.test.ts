import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { systemContext } from '../../platform/auth/auth-context.js';
import { accountService, contactService, opportunityService } from '../crm/crm.service.js';
import {
  CONVERSION_DAYS,
  clearLeadModelCache,
  converted,
  LEAD_FEATURES,
  leadFeatureRow,
  observationTimeOf,
  seniorityOf,
} from './lead-score.service.js';
import { createRng } from './ml/random.js';
import type { LeadContactRow, LeadSnapshot } from './predict-data.js';

const DAY = 86_400_000;
let t: TestServer;
let contactIdsA: string[] = [];
let contactB: string;

/**
 * Tenant A: 260 new leads over 14 months, one account each, written through the CRM services
 * (back-dated, as an import from another CRM would be) and the signals API. Conversion follows a
 * real pattern: pricing-page views and e-mail replies in the lead's first week, and senior roles,
 * raise the chance that an opportunity is opened on the account within 90 days.
 */
async function seedLeads(tt: TestServer) {
  const rand = createRng(7); // deterministic synthetic history
  const now = Date.now();
  const db = tt.server.platform.database;
  const ctx = systemContext(tt.tenantA.id, 'test');
  const N = 260;
  const leads = Array.from({ length: N }, (_, i) => {
    const created = now - (5 + (i * 420) / N + rand()) * DAY;
    const pricing = rand() < 0.35;
    const reply = rand() < 0.3;
    const senior = rand() < 0.4;
    const z = -2 + 2.2 * (pricing ? 1 : 0) + 1.5 * (reply ? 1 : 0) + 1.0 * (senior ? 1 : 0);
    return { i, created, pricing, reply, senior, converts: rand() < 1 / (1 + Math.exp(-z)) };
  });
  const pipeline = await tt.request('GET', '/api/v1/pipelines', { token: tt.tenantA.tokens.admin });
  const pipelineId = pipeline.json().data[0].id;
  const ids = await db.tenantTx(tt.tenantA.id, async (tx) => {
    const accountIds = await accountService.bulkInsert(
      tx,
      ctx,
      leads.map((l) => ({
        name: `线索客户${l.i}有限公司`,
        domains: [`lead${l.i}.example.cn`],
        industry: l.i % 2 ? '制造业' : '医疗',
        employees: 200 + ((l.i * 37) % 900),
        created_at: new Date(l.created - 30 * DAY),
      })),
      { method: 'seed' },
    );
    const contactIds = await contactService.bulkInsert(
      tx,
      ctx,
      leads.map((l) => ({
        account_id: accountIds[l.i],
        name: `联系人${l.i}`,
        emails: [`p${l.i}@lead${l.i}.example.cn`],
        title: l.senior ? '采购总监' : '工程师',
        committee_role: l.senior ? 'procurement' : 'user',
        influence: l.senior ? 4 : 2,
        created_at: new Date(l.created),
      })),
      { method: 'seed' },
    );
    const opps = leads
      .filter((l) => l.converts && l.created + 10 * DAY < now)
      .map((l) => {
        const at = new Date(Math.min(now - DAY, l.created + (10 + rand() * 70) * DAY));
        return {
          name: `线索商机${l.i}`,
          account_id: accountIds[l.i],
          pipeline_id: pipelineId,
          stage: 'qualify',
          status: 'open',
          amount: 100000,
          expected_close_date: new Date(at.getTime() + 120 * DAY).toISOString().slice(0, 10),
          probability: 10,
          stage_changed_at: at,
          created_at: at,
        };
      });
    await opportunityService.bulkInsert(tx, ctx, opps, { method: 'seed' });
    return contactIds;
  });
  const items = leads.flatMap((l) => [
    ...(l.pricing
      ? [
          {
            type: 'intent_page_view',
            source: 'website',
            occurred_at: new Date(l.created + (1 + rand() * 5) * DAY).toISOString(),
            subject: { contact_id: ids[l.i] },
            payload: { page_category: 'pricing', url: 'https://zhongshu.example/pricing' },
            source_event_id: `pricing-${l.i}`,
          },
        ]
      : []),
    ...(l.reply
      ? [
          {
            type: 'email_reply',
            source: 'mail',
            occurred_at: new Date(l.created + (1 + rand() * 5) * DAY).toISOString(),
            subject: { contact_id: ids[l.i] },
            payload: { sentiment: 0.5 },
            source_event_id: `reply-${l.i}`,
          },
        ]
      : []),
    // noise: a website visit for every third lead, unrelated to conversion
    ...(l.i % 3 === 0
      ? [
          {
            type: 'website_visit',
            source: 'website',
            occurred_at: new Date(l.created + 2 * DAY).toISOString(),
            subject: { contact_id: ids[l.i] },
            payload: { url: 'https://zhongshu.example/' },
            source_event_id: `visit-${l.i}`,
          },
        ]
      : []),
  ]);
  const r = await tt.request('POST', '/api/v1/signals', { token: tt.tenantA.tokens.admin, body: items });
  expect(r.statusCode).toBe(202);
  await tt.server.platform.bus.settle();
  return ids;
}

beforeAll(async () => {
  t = await startTestServer();
  contactIdsA = await seedLeads(t);
  // Tenant B: three contacts, no history.
  const acc = await t.request('POST', '/api/v1/accounts', {
    token: t.tenantB.tokens.admin,
    body: { name: '苏州新线索科技有限公司' },
  });
  for (const [i, role] of ['executive', 'user', 'procurement'].entries()) {
    const r = await t.request('POST', '/api/v1/contacts', {
      token: t.tenantB.tokens.admin,
      body: { name: `B 联系人${i}`, account_id: acc.json().id, committee_role: role },
    });
    expect(r.statusCode).toBe(201);
    contactB = r.json().id;
  }
  await t.server.platform.bus.settle();
}, 180_000);

afterAll(async () => {
  await t?.close();
});

describe('lead score: features and label (pure)', () => {
  const created = Date.UTC(2026, 0, 1);
  const c: LeadContactRow = {
    id: 'c1',
    account_id: 'a1',
    title: '副总裁',
    department: null,
    committee_role: 'executive',
    influence: 5,
    stance: 'champion',
    emails: ['x@a1.cn'],
    phones: [],
    custom: { source: 'trade_show' },
    created_at: new Date(created),
  };
  const snap = (opps: { created: number; closed: number | null; status: string }[]): LeadSnapshot => ({
    contacts: [c],
    accounts: new Map([
      [
        'a1',
        {
          industry: '医疗',
          size: null,
          employees: 500,
          region_id: null,
          domains: ['a1.cn'],
          website: null,
          created_at: new Date(created - 100 * DAY),
        },
      ],
    ]),
    oppsByAccount: new Map([['a1', opps]]),
    activitiesByContact: new Map([['c1', [{ at: created + 60 * DAY, type: 'meeting' }]]]),
    signalsByContact: new Map([
      [
        'c1',
        [
          { at: created + 2 * DAY, type: 'intent_page_view:pricing' },
          { at: created + 20 * DAY, type: 'intent_page_view:pricing' },
        ],
      ],
    ]),
    signalsByAccount: new Map(),
    // the stance was set to champion 30 days in (after the observation time): at t it was neutral
    contactHistory: new Map([
      ['c1', [{ at: created + 30 * DAY, changes: { stance: { old: 'neutral', new: 'champion' } } }]],
    ]),
    regions: new Map(),
  });
  const col = (row: string[], name: string) => row[LEAD_FEATURES.findIndex((f) => f.name === name)];

  it('uses only what was known at the observation time', () => {
    const s = snap([{ created: created + 3 * DAY, closed: null, status: 'open' }]);
    const row = leadFeatureRow(s, c, observationTimeOf(c));
    expect(col(row, 'stance')).toBe('neutral');
    expect(col(row, 'sig_pricing_views')).toBe('1'); // the later view is not counted
    expect(col(row, 'act_meetings')).toBe('0');
    expect(col(row, 'acct_open_opps')).toBe('1');
    expect(col(row, 'email_domain_match')).toBe('1');
    expect(col(row, 'source')).toBe('trade_show');
    expect(col(row, 'seniority')).toBe('executive');
  });

  it('an opportunity opened before the observation time is a feature, not the label', () => {
    expect(converted(snap([{ created: created + 3 * DAY, closed: null, status: 'open' }]), c)).toBe(0);
    expect(converted(snap([{ created: created + 40 * DAY, closed: null, status: 'open' }]), c)).toBe(1);
    expect(
      converted(snap([{ created: created + (CONVERSION_DAYS + 1) * DAY, closed: null, status: 'open' }]), c),
    ).toBe(0);
    expect(seniorityOf('Sales Manager')).toBe('manager');
    expect(seniorityOf('采购总监')).toBe('director');
  });
});

describe('lead score routes', () => {
  const routes: [string, string][] = [
    ['POST', '/api/v1/predict/lead-score/train'],
    ['GET', '/api/v1/contacts/00000000-0000-4000-8000-000000000000/lead-score'],
    ['GET', '/api/v1/predict/lead-scores'],
  ];
  it.each(routes)('%s %s → 401 without a token', async (method, url) => {
    const r = await t.request(method, url);
    expect(r.statusCode).toBe(401);
  });

  it('403 for roles without predict:manage on train', async () => {
    for (const role of ['rep', 'coach', 'presales'] as const)
      expect(
        (await t.request('POST', '/api/v1/predict/lead-score/train', { token: t.tenantA.tokens[role] }))
          .statusCode,
      ).toBe(403);
  });

  it('trains on the tenant history (AUC > 0.7), stores metrics, scores every contact with factors', async () => {
    const r = await t.request('POST', '/api/v1/predict/lead-score/train', {
      token: t.tenantA.tokens.manager,
    });
    expect(r.statusCode).toBe(200);
    const b = r.json();
    expect(b.status).toBe('active');
    expect(b.method).toBe('model');
    expect(b.version).toBe(1);
    expect(b.metrics.auc).toBeGreaterThan(0.7);
    expect(b.metrics.beats_baseline).toBe(true);
    for (const k of ['auc', 'brier', 'logloss', 'ece']) expect(Number.isFinite(b.metrics[k])).toBe(true);
    expect(b.metrics.baseline.prior).toBeGreaterThan(0);
    expect(b.metrics.label).toMatch(/within 90 days/);
    expect(b.train_rows).toBeGreaterThan(100);
    expect(b.test_rows).toBeGreaterThanOrEqual(10);
    expect(b.scored).toBe(contactIdsA.length);

    const models = await t.request('GET', '/api/v1/predict/models?kind=lead_score', {
      token: t.tenantA.tokens.rep,
    });
    expect(models.statusCode).toBe(200);
    expect(models.json().data).toHaveLength(1);
    expect(models.json().data[0].id).toBe(b.model_id);
    expect(models.json().data[0].kind).toBe('lead_score');
    const detail = await t.request('GET', `/api/v1/predict/models/${b.model_id}`, {
      token: t.tenantA.tokens.rep,
    });
    expect(detail.json().metrics.reliability).toHaveLength(10);
    const win = await t.request('GET', '/api/v1/predict/models?kind=win_probability', {
      token: t.tenantA.tokens.rep,
    });
    expect(win.json().data.every((m: any) => m.kind === 'win_probability')).toBe(true);

    const all = await t.request('GET', '/api/v1/predict/lead-scores', { token: t.tenantA.tokens.rep });
    expect(all.statusCode).toBe(200);
    const scores = all.json().data;
    expect(new Set(scores.map((s: any) => s.contact_id))).toEqual(new Set(contactIdsA));
    const rows = await t.server.platform.database.query<{ n: number }>(
      `select count(*)::int as n from contact_scores where tenant_id = $1 and jsonb_array_length(top_factors) > 0 and method = 'model'`,
      [t.tenantA.id],
    );
    expect(Number(rows.rows[0].n)).toBe(contactIdsA.length);
    const one = await t.request('GET', `/api/v1/contacts/${contactIdsA[5]}/lead-score`, {
      token: t.tenantA.tokens.rep,
    });
    expect(one.statusCode).toBe(200);
    expect(one.json().method).toBe('model');
    expect(one.json().model_version).toBe(1);
    expect(one.json().top_factors.length).toBeGreaterThan(0);
    expect(one.json().top_factors[0]).toHaveProperty('label');

    // A cold process rebuilds the same model from the stored snapshot: the same scores.
    const before = new Map(scores.map((s: any) => [s.contact_id, s.score]));
    clearLeadModelCache(t.server.platform.caches);
    await t.request('POST', '/api/v1/contacts', {
      token: t.tenantA.tokens.admin,
      body: { name: '冷启动检查' },
    });
    const { scoreContacts } = await import('./lead-score.service.js');
    await t.server.platform.database.tenantTx(t.tenantA.id, (tx) => scoreContacts(tx, t.tenantA.id));
    const again = (
      await t.request('GET', '/api/v1/predict/lead-scores', { token: t.tenantA.tokens.rep })
    ).json().data;
    for (const s of again)
      if (before.has(s.contact_id)) expect(s.score).toBeCloseTo(before.get(s.contact_id) as number, 6);
  }, 120_000);

  it('rescores on contact create and update via the bus', async () => {
    const acc = (await t.request('GET', '/api/v1/accounts?limit=1', { token: t.tenantA.tokens.admin })).json()
      .data[0];
    const c = await t.request('POST', '/api/v1/contacts', {
      token: t.tenantA.tokens.admin,
      body: { name: '新线索', account_id: acc.id, committee_role: 'user' },
    });
    expect(c.statusCode).toBe(201);
    await t.server.platform.bus.settle();
    const id = c.json().id;
    const first = (await t.request('GET', '/api/v1/predict/lead-scores', { token: t.tenantA.tokens.admin }))
      .json()
      .data.find((s: any) => s.contact_id === id);
    expect(first.method).toBe('model');
    const p = await t.request('PATCH', `/api/v1/contacts/${id}`, {
      token: t.tenantA.tokens.admin,
      body: { title: '采购总监', committee_role: 'procurement' },
    });
    expect(p.statusCode).toBe(200);
    await t.server.platform.bus.settle();
    const second = (
      await t.request('GET', `/api/v1/contacts/${id}/lead-score`, { token: t.tenantA.tokens.admin })
    ).json();
    expect(new Date(second.computed_at).getTime()).toBeGreaterThan(new Date(first.computed_at).getTime());
    expect(second.score).not.toBe(first.score);
  }, 60_000);

  it('thin history → rule fallback, clearly labelled', async () => {
    const r = await t.request('POST', '/api/v1/predict/lead-score/train', { token: t.tenantB.tokens.admin });
    expect(r.statusCode).toBe(200);
    expect(r.json().status).toBe('fallback');
    expect(r.json().method).toBe('rules_fallback');
    expect(r.json().note).toMatch(/complete 90-day outcome/);
    const s = await t.request('GET', `/api/v1/contacts/${contactB}/lead-score`, {
      token: t.tenantB.tokens.rep,
    });
    expect(s.statusCode).toBe(200);
    expect(s.json().method).toBe('rules_fallback');
    expect(s.json().label).toMatch(/Rule score/);
    const models = await t.request('GET', '/api/v1/predict/models?kind=lead_score', {
      token: t.tenantB.tokens.rep,
    });
    expect(models.json().data[0].method).toBe('rules_fallback');
  });

  it('404 across tenants and for unknown ids', async () => {
    const b = t.tenantB.tokens.admin;
    expect(
      (await t.request('GET', `/api/v1/contacts/${contactIdsA[0]}/lead-score`, { token: b })).statusCode,
    ).toBe(404);
    expect(
      (
        await t.request('GET', '/api/v1/contacts/00000000-0000-4000-8000-000000000000/lead-score', {
          token: b,
        })
      ).statusCode,
    ).toBe(404);
    const list = await t.request('GET', '/api/v1/predict/lead-scores', { token: b });
    expect(list.json().data.some((s: any) => contactIdsA.includes(s.contact_id))).toBe(false);
  });

  it('the weekly retrain job trains a new lead-score version', async () => {
    const { retrainLeadAll, RETRAIN_LEAD_CRON } = await import('./predict.jobs.js');
    expect(RETRAIN_LEAD_CRON).toBe('30 3 * * 1');
    const out = await retrainLeadAll(t.server.platform, { tenantId: t.tenantA.id });
    expect(out[0].version).toBe(2);
    const models = await t.request('GET', '/api/v1/predict/models?kind=lead_score', {
      token: t.tenantA.tokens.admin,
    });
    const [latest, prev] = models.json().data;
    expect(latest.trigger).toBe('schedule');
    expect(prev.status).toBe('retired');
  }, 120_000);
});
