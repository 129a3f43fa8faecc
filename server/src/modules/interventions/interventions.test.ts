import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { workingDaysWindow } from '../crm/crm-facts.service.js';
import { DEFAULT_RULES } from './default-rules.js';

let t: TestServer;
let admin: string;
let manager: string;
const now = () => new Date().toISOString();

beforeAll(async () => {
  t = await startTestServer();
  admin = t.tenantA.tokens.admin;
  manager = t.tenantA.tokens.manager;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

async function account(name: string, owner?: string) {
  const r = await t.request('POST', '/api/v1/accounts', {
    token: admin,
    body: { name, ...(owner ? { owner_id: owner } : {}) },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json().id as string;
}
async function send(
  accountId: string,
  type: string,
  payload: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  const r = await t.request('POST', '/api/v1/signals', {
    token: admin,
    body: { type, source: 'test', occurred_at: now(), subject: { account_id: accountId }, payload, ...extra },
  });
  expect(r.statusCode, r.body).toBe(202);
  expect(r.json().accepted + r.json().duplicates, r.body).toBe(1);
  return r.json().results[0].id as string;
}
async function bundles(accountId: string) {
  await t.server.platform.bus.settle();
  const r = await t.request('GET', `/api/v1/interventions?owner_id=any&account_id=${accountId}`, {
    token: manager,
  });
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as any[];
}

// For every default rule: signals that make it fire, and similar signals that must not.
const CASES: Record<
  string,
  { fire: [string, Record<string, unknown>][]; quiet: [string, Record<string, unknown>][] }
> = {
  website_visit_spike: {
    fire: Array.from({ length: 5 }, () => ['website_visit', { visits: 1 }]),
    quiet: Array.from({ length: 4 }, () => ['website_visit', { visits: 1 }]),
  },
  high_intent_pages: {
    fire: [['intent_page_view', { page_category: 'competitor_comparison' }]],
    quiet: [['intent_page_view', { page_category: 'pricing' }]],
  },
  competitor_negative_sentiment: {
    fire: [['competitor_sentiment', { competitor: 'X', sentiment: -0.8 }]],
    quiet: [['competitor_sentiment', { competitor: 'X', sentiment: 0.2 }]],
  },
  procurement_hiring: {
    fire: [['job_posting', { title: '采购经理', is_procurement: true }]],
    quiet: [['job_posting', { title: '工程师' }]],
  },
  tender_published: {
    fire: [['tender_notice', { title: '储能项目招标', budget: 5e6 }]],
    quiet: [['website_visit', { visits: 1 }]],
  },
  registry_change: {
    fire: [['registry_change', { field: 'legal_representative', old_value: '张三', new_value: '李四' }]],
    quiet: [['customs_record', { direction: 'import', volume_change_pct: 5 }]],
  },
  customs_volume_shift: {
    fire: [['customs_record', { direction: 'export', volume_change_pct: -45 }]],
    quiet: [['customs_record', { direction: 'export', volume_change_pct: 12 }]],
  },
  meeting_risk: {
    fire: [
      ['meeting_note', { platform: 'feishu', summary: '客户提到竞品报价更低', mentions_competitor: true }],
    ],
    quiet: [['meeting_note', { platform: 'wecom', summary: '进展顺利', sentiment: 0.6 }]],
  },
  email_negative: {
    fire: [['email_reply', { sentiment: -0.7 }]],
    quiet: [['email_reply', { sentiment: 0.1 }]],
  },
  call_rejected: {
    fire: [['call_outcome', { outcome: 'rejected' }]],
    quiet: [['call_outcome', { outcome: 'meeting_booked' }]],
  },
  usage_drop: {
    fire: [['product_usage', { metric: 'daily_active_users', change_pct: -40 }]],
    quiet: [['product_usage', { metric: 'daily_active_users', change_pct: -10 }]],
  },
  support_escalation: {
    fire: [['support_ticket', { priority: 'high', escalated: true }]],
    quiet: [['support_ticket', { priority: 'normal' }]],
  },
  payment_overdue: {
    fire: [['payment_overdue', { days_overdue: 45, amount: 120000 }]],
    quiet: [['payment_overdue', { days_overdue: 10 }]],
  },
  payment_overdue_critical: {
    fire: [['payment_overdue', { days_overdue: 120 }]],
    quiet: [['payment_overdue', { days_overdue: 60 }]],
  },
  champion_left: {
    fire: [['job_change', { person: '王芳', old_title: 'CTO', new_company: 'Initech' }]],
    quiet: [['job_change', { person: '王芳', new_title: 'VP', left_company: false }]],
  },
  team_attrition: {
    fire: [['team_attrition', { employee: '赵磊', role: 'rep' }]],
    quiet: [['funding_news', { kind: 'other' }]],
  },
  renewal_due: {
    fire: [['contract_renewal', { days_to_renewal: 60 }]],
    quiet: [['contract_renewal', { days_to_renewal: 200 }]],
  },
  funding_expansion: {
    fire: [['funding_news', { kind: 'funding', amount: 1e8, summary: 'B 轮融资' }]],
    quiet: [['team_attrition', { employee: 'x' }]],
  },
};

describe('default rules', () => {
  it('has a case for every default rule', () => {
    expect(Object.keys(CASES).sort()).toEqual(DEFAULT_RULES.map((r) => r.key).sort());
  });
  for (const [key, c] of Object.entries(CASES)) {
    it(`${key} fires, with evidence, and stays quiet below its threshold`, async () => {
      const yes = await account(`fire ${key}`);
      const ids: string[] = [];
      for (const [type, payload] of c.fire) ids.push(await send(yes, type, payload));
      const fired = (await bundles(yes)).filter((b) => b.rule_key === key);
      expect(fired, key).toHaveLength(1);
      const b = fired[0];
      expect(b.evidence).toMatchObject({ rule_key: key, rule_version: 1 });
      expect(b.evidence.rule_id).toBe(b.rule_id);
      expect(b.signal_ids.sort()).toEqual(ids.sort());
      expect(b.title).toContain(`fire ${key}`);
      expect(b.talk_track.length).toBeGreaterThan(10);
      expect(b.resources).toHaveProperty('cases');
      expect(new Date(b.due_at).getTime()).toBeGreaterThan(Date.now());
      const no = await account(`quiet ${key}`);
      for (const [type, payload] of c.quiet) await send(no, type, payload);
      expect(
        (await bundles(no)).filter((x) => x.rule_key === key),
        key,
      ).toHaveLength(0);
    });
  }
});

describe('cool-down and idempotency', () => {
  it('updates the open bundle instead of duplicating, and a replay changes nothing', async () => {
    const a = await account('冷却测试有限公司');
    const s1 = await send(a, 'tender_notice', { title: '一期' });
    expect(await bundles(a)).toHaveLength(1);
    const s2 = await send(a, 'tender_notice', { title: '二期' });
    const list = (await bundles(a)).filter((b) => b.rule_key === 'tender_published');
    expect(list).toHaveLength(1);
    expect(list[0].occurrences).toBe(2);
    expect(list[0].signal_ids.sort()).toEqual([s1, s2].sort());
    // replaying the same event (at-least-once delivery) is a no-op
    await t.server.platform.database.query(
      `update domain_events set dispatched_at = null, claimed_until = null where name = 'signals.ingested'`,
    );
    const again = (await bundles(a)).filter((b) => b.rule_key === 'tender_published');
    expect(again).toHaveLength(1);
    expect(again[0].occurrences).toBe(2);
    // once dismissed, the same rule stays quiet within its cool-down
    const d = await t.request('POST', `/api/v1/interventions/${again[0].id}/dismiss`, {
      token: manager,
      body: { reason: '已知项目，已在跟进' },
    });
    expect(d.statusCode, d.body).toBe(200);
    await send(a, 'tender_notice', { title: '三期' });
    expect((await bundles(a)).filter((b) => b.rule_key === 'tender_published')).toHaveLength(1);
  });
});

describe('circuit breaker', () => {
  it('holds back the suggestion that would exceed exactly 1.8 × average daily effective touches', async () => {
    const rep = t.tenantA.userIds.presales;
    const token = t.tenantA.tokens.presales;
    // 100 completed touches over the last 20 working days → 5 a day → threshold 9
    const { from } = workingDaysWindow(new Date());
    const days: Date[] = [];
    for (const d = new Date(from); days.length < 20; d.setUTCDate(d.getUTCDate() + 1)) {
      if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) days.push(new Date(d));
    }
    for (const day of days) {
      for (let i = 0; i < 5; i++) {
        const r = await t.request('POST', '/api/v1/activities', {
          token: admin,
          body: {
            type: 'call',
            subject: 'touch',
            occurred_at: new Date(day.getTime() + (9 + i) * 3600_000).toISOString(),
            status: 'done',
            owner_id: rep,
          },
        });
        expect(r.statusCode, r.body).toBe(201);
      }
    }
    // planned / note activities do not count
    await t.request('POST', '/api/v1/activities', {
      token: admin,
      body: {
        type: 'note',
        subject: 'n',
        occurred_at: new Date(days[3].getTime() + 3600_000).toISOString(),
        status: 'done',
        owner_id: rep,
      },
    });
    await t.request('POST', '/api/v1/activities', {
      token: admin,
      body: {
        type: 'call',
        subject: 'p',
        occurred_at: new Date(days[3].getTime() + 3600_000).toISOString(),
        status: 'planned',
        owner_id: rep,
      },
    });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const a = await account(`熔断客户${i}`, rep);
      await send(a, 'tender_notice', { title: `招标${i}` });
      const b = (await bundles(a))[0];
      ids.push(b.id);
      expect(b.delivery, `suggestion ${i + 1}`).toBe(i < 9 ? 'realtime' : 'brief');
    }
    const held = (await t.request('GET', `/api/v1/interventions/${ids[9]}`, { token })).json();
    expect(held.delivery_reason).toContain('1.8');
    // critical ones still go out in real time
    const c = await account('熔断客户-关键', rep);
    await send(c, 'job_change', { person: '李总' });
    expect((await bundles(c))[0]).toMatchObject({ severity: 'critical', delivery: 'realtime' });
    // the rep sees the breaker state and the weekly brief
    const inbox = await t.request('GET', '/api/v1/interventions?delivery=realtime', { token });
    expect(inbox.json().circuit_breaker).toMatchObject({
      average_daily_touches: 5,
      threshold: 9,
      suggested_today: 11,
      tripped: true,
    });
    expect(inbox.json().data.map((x: any) => x.id)).not.toContain(ids[9]);
    const brief = await t.request('GET', '/api/v1/briefs', { token });
    expect(brief.statusCode, brief.body).toBe(200);
    expect(brief.json().summary.count).toBe(1);
    expect(brief.json().accounts[0].items[0].id).toBe(ids[9]);
    // a rep may not read someone else's brief; a manager may
    expect(
      (await t.request('GET', `/api/v1/briefs?owner_id=${t.tenantA.userIds.rep}`, { token })).statusCode,
    ).toBe(403);
    expect(
      (await t.request('GET', `/api/v1/briefs?owner_id=${rep}`, { token: manager })).json().summary.count,
    ).toBe(1);
    // The team brief: a manager sees it rolled up over the people reporting to them, with each one's line.
    expect((await t.request('GET', '/api/v1/briefs?owner_id=team', { token })).statusCode).toBe(403);
    const setManager = (managerId: string | null) =>
      t.request('PATCH', `/api/v1/users/${rep}`, { token: admin, body: { manager_id: managerId } });
    expect((await setManager(t.tenantA.userIds.manager)).statusCode).toBe(200);
    try {
      const team = (await t.request('GET', '/api/v1/briefs?owner_id=team', { token: manager })).json();
      expect(team.scope).toBe('team');
      expect(team.members.map((m: any) => m.owner_id).sort()).toEqual(
        [t.tenantA.userIds.manager, rep].sort(),
      );
      expect(team.members[0]).toMatchObject({ owner_id: rep, count: 1, accounts: 1, tripped: true });
      expect(team.summary.count).toBe(1);
      expect(team.accounts[0].items[0]).toMatchObject({ id: ids[9], owner_id: rep });
      // Another tenant's manager sees none of it.
      const other = (
        await t.request('GET', '/api/v1/briefs?owner_id=team', { token: t.tenantB.tokens.manager })
      ).json();
      expect(other.summary.count).toBe(0);
      // The chain stays a chain: the manager cannot report to someone below them, nor to a stranger.
      for (const managerId of [rep, t.tenantB.userIds.manager]) {
        const cycle = await t.request('PATCH', `/api/v1/users/${t.tenantA.userIds.manager}`, {
          token: admin,
          headers: { 'accept-language': 'zh-CN' },
          body: { manager_id: managerId },
        });
        expect(cycle.statusCode, cycle.body).toBe(422);
        expect(cycle.json().errors[0].field).toBe('manager_id');
        expect(cycle.json().detail).toMatch(/上级/);
      }
    } finally {
      await setManager(null);
    }
  });
});

describe('accept, dismiss, outcome, sign-off', () => {
  it('dismiss needs a reason; accept queues for sign-off; only managers sign off, with a written basis', async () => {
    const repId = t.tenantA.userIds.rep;
    const rep = t.tenantA.tokens.rep;
    const a = await account('签核测试股份有限公司', repId);
    await send(a, 'usage_drop_unknown_type_is_rejected', {}).catch(() => undefined);
    await send(a, 'product_usage', { metric: 'dau', change_pct: -50 });
    await send(a, 'support_ticket', { priority: 'urgent' });
    const [b1, b2] = await bundles(a);
    expect(
      (await t.request('POST', `/api/v1/interventions/${b1.id}/dismiss`, { token: rep, body: {} }))
        .statusCode,
    ).toBe(400);
    expect(
      (
        await t.request('POST', `/api/v1/interventions/${b1.id}/dismiss`, {
          token: t.tenantA.tokens.csm,
          body: { reason: 'not mine' },
        })
      ).statusCode,
    ).toBe(403);
    const dis = await t.request('POST', `/api/v1/interventions/${b1.id}/dismiss`, {
      token: rep,
      body: { reason: '客户已续签' },
    });
    expect(dis.json()).toMatchObject({
      status: 'dismissed',
      dismiss_reason: '客户已续签',
      sign_off_status: 'not_required',
    });
    const acc = await t.request('POST', `/api/v1/interventions/${b2.id}/accept`, {
      token: rep,
      body: { note: '按建议跟进' },
    });
    expect(acc.json()).toMatchObject({ status: 'accepted', sign_off_status: 'pending' });
    const twice = await t.request('POST', `/api/v1/interventions/${b2.id}/accept`, { token: rep, body: {} });
    expect(twice.statusCode, twice.body).toBe(409);
    const queue = await t.request('GET', '/api/v1/interventions/sign-off-queue', {
      token: t.tenantA.tokens.regional_manager,
    });
    expect(queue.json().data.map((x: any) => x.id)).toContain(b2.id);
    expect((await t.request('GET', '/api/v1/interventions/sign-off-queue', { token: rep })).statusCode).toBe(
      403,
    );
    expect(
      (
        await t.request('POST', `/api/v1/interventions/${b2.id}/sign-off`, {
          token: rep,
          body: { decision: 'approved', basis: '我觉得可以的理由很充分' },
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await t.request('POST', `/api/v1/interventions/${b2.id}/sign-off`, {
          token: t.tenantA.tokens.coach,
          body: { decision: 'approved', basis: '我觉得可以的理由很充分' },
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await t.request('POST', `/api/v1/interventions/${b2.id}/sign-off`, {
          token: manager,
          body: { decision: 'approved', basis: 'ok' },
        })
      ).statusCode,
    ).toBe(400);
    const so = await t.request('POST', `/api/v1/interventions/${b2.id}/sign-off`, {
      token: t.tenantA.tokens.regional_manager,
      body: { decision: 'approved', basis: '使用量下降与工单升级同时出现，同意安排客户成功经理上门' },
    });
    expect(so.statusCode, so.body).toBe(200);
    expect(so.json().intervention.sign_off_status).toBe('approved');
    expect(
      (
        await t.request('POST', `/api/v1/interventions/${b2.id}/sign-off`, {
          token: manager,
          body: { decision: 'rejected', basis: '重复签核应当被拒绝，因为已经签过' },
        })
      ).statusCode,
    ).toBe(409);
    const out = await t.request('POST', `/api/v1/interventions/${b2.id}/outcome`, {
      token: rep,
      body: { outcome: 'helped', note: '客户恢复使用' },
    });
    expect(out.json()).toMatchObject({ outcome: 'helped' });
    const full = (await t.request('GET', `/api/v1/interventions/${b2.id}`, { token: manager })).json();
    expect(full.sign_offs).toHaveLength(1);
    expect(full.sign_offs[0]).toMatchObject({ decision: 'approved', signed_by_role: 'regional_manager' });
    // audited
    const changes = await t.server.platform.database.query<{ reason: string }>(
      `select reason from change_log where entity = 'interventions' and entity_id = $1 order by id`,
      [b2.id],
    );
    expect(changes.rows.some((r) => String(r.reason).startsWith('sign-off approved'))).toBe(true);
  });
});

describe('rules are versioned', () => {
  it('a new definition is a new version and later bundles cite it', async () => {
    const rules = (await t.request('GET', '/api/v1/rules', { token: t.tenantA.tokens.rep })).json().data;
    const fund = rules.find((r: any) => r.key === 'funding_expansion');
    expect(
      (await t.request('PUT', `/api/v1/rules/${fund.id}`, { token: manager, body: { active: false } }))
        .statusCode,
    ).toBe(403);
    const bad = await t.request('PUT', `/api/v1/rules/${fund.id}`, {
      token: admin,
      body: { definition: { ...fund.definition, condition: { nosuchop: [1] } } },
    });
    expect(bad.statusCode).toBe(400);
    const up = await t.request('PUT', `/api/v1/rules/${fund.id}`, {
      token: admin,
      body: { definition: { ...fund.definition, severity: 'medium' }, change_reason: 'funding matters more' },
    });
    expect(up.statusCode, up.body).toBe(200);
    expect(up.json()).toMatchObject({ current_version: 2 });
    const a = await account('版本测试');
    await send(a, 'funding_news', { kind: 'expansion' });
    const b = (await bundles(a)).find((x) => x.rule_key === 'funding_expansion');
    expect(b).toMatchObject({ rule_version: 2, severity: 'medium' });
    const created = await t.request('POST', '/api/v1/rules', {
      token: admin,
      body: {
        key: 'big_tender',
        name: 'Big tender',
        definition: {
          ...fund.definition,
          signal_types: ['tender_notice'],
          condition: { '>=': [{ var: 'latest.tender_notice.budget' }, 1e7] },
        },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
  });
});

describe('access control and tenant isolation', () => {
  it('401 without a token, 403 without permission, 404 across tenants', async () => {
    const a = await account('隔离测试', t.tenantA.userIds.rep);
    await send(a, 'tender_notice', { title: 'x' });
    const [b] = await bundles(a);
    const rule = (await t.request('GET', '/api/v1/rules', { token: admin })).json().data[0];
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/v1/interventions'],
      ['GET', '/api/v1/interventions/sign-off-queue'],
      ['GET', `/api/v1/interventions/${b.id}`],
      ['POST', `/api/v1/interventions/${b.id}/accept`, {}],
      ['POST', `/api/v1/interventions/${b.id}/dismiss`, { reason: 'because' }],
      ['POST', `/api/v1/interventions/${b.id}/outcome`, { outcome: 'won' }],
      [
        'POST',
        `/api/v1/interventions/${b.id}/sign-off`,
        { decision: 'approved', basis: 'long enough basis' },
      ],
      ['GET', '/api/v1/briefs'],
      ['GET', '/api/v1/rules'],
      ['GET', `/api/v1/rules/${rule.id}`],
      ['POST', '/api/v1/rules', {}],
      ['PUT', `/api/v1/rules/${rule.id}`, {}],
    ];
    for (const [method, url, body] of routes)
      expect((await t.request(method, url, { body })).statusCode, `${method} ${url}`).toBe(401);
    const other = t.tenantB.tokens.admin;
    for (const [method, url, body] of routes.filter(([, u]) => u.includes(b.id) || u.includes(rule.id))) {
      expect((await t.request(method, url, { token: other, body })).statusCode, `B: ${method} ${url}`).toBe(
        404,
      );
    }
    expect(
      (await t.request('GET', '/api/v1/interventions?owner_id=any', { token: other })).json().data,
    ).toHaveLength(0);
    expect(
      (
        await t.request('POST', `/api/v1/interventions/${b.id}/accept`, {
          token: t.tenantA.tokens.coach,
          body: {},
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await t.request('GET', '/api/v1/interventions?owner_id=any', { token: t.tenantA.tokens.rep }))
        .statusCode,
    ).toBe(403);
    // the account timeline shows the bundle
    const tl = (await t.request('GET', `/api/v1/accounts/${a}/timeline`, { token: admin })).json().data;
    expect(tl.some((i: any) => i.kind === 'intervention' && i.id === b.id)).toBe(true);
  });
});
