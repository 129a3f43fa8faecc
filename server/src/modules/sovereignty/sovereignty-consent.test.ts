import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { systemContext } from '../../platform/auth/auth-context.js';
import { setConsent } from './sovereignty-consent.service.js';
import { seedPrivacyDemo } from './sovereignty-demo.js';

let t: TestServer;
let seq = 0;
const admin = () => t.tenantA.tokens.admin;

async function contact(
  server: TestServer,
  name: string,
  extra: Record<string, unknown> = {},
  token?: string,
) {
  const r = await server.request('POST', '/api/v1/contacts', {
    token: token ?? server.tenantA.tokens.admin,
    body: { name, emails: [`person${++seq}@example.cn`], title: '采购总监', ...extra },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json().id as string;
}

async function publishNotice(server: TestServer, token: string, version = '2026 版') {
  const r = await server.request('POST', '/api/v1/privacy/notices', {
    token,
    body: {
      title_zh: `隐私政策（${version}）`,
      title_en: `Privacy notice (${version})`,
      text_zh: '我们如何处理您的个人信息……',
      text_en: 'How we process your personal data…',
      publish: true,
    },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

async function consent(server: TestServer, id: string, body: Record<string, unknown>, token?: string) {
  return server.request('POST', `/api/v1/contacts/${id}/consents`, {
    token: token ?? server.tenantA.tokens.admin,
    body,
  });
}

beforeAll(async () => {
  t = await startTestServer();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('privacy notices', () => {
  it('admins create versions; published ones are immutable; one is current; others may not', async () => {
    const rep = await t.request('POST', '/api/v1/privacy/notices', {
      token: t.tenantA.tokens.rep,
      body: { title_zh: 'x', title_en: 'x', text_zh: 'x', text_en: 'x' },
    });
    expect(rep.statusCode).toBe(403);
    const draft = await t.request('POST', '/api/v1/privacy/notices', {
      token: admin(),
      body: { title_zh: '隐私政策', title_en: 'Privacy notice', text_zh: '第一版', text_en: 'First' },
    });
    expect(draft.statusCode, draft.body).toBe(201);
    expect(draft.json()).toMatchObject({ version: 1, status: 'draft' });
    const none = await t.request('GET', '/api/v1/privacy/notices/current', { token: t.tenantA.tokens.rep });
    expect(none.json().notice).toBeNull();

    const edit = await t.request('PATCH', `/api/v1/privacy/notices/${draft.json().id}`, {
      token: admin(),
      body: { text_zh: '第一版（修订）' },
    });
    expect(edit.statusCode, edit.body).toBe(200);
    const pub = await t.request('POST', `/api/v1/privacy/notices/${draft.json().id}/publish`, {
      token: admin(),
    });
    expect(pub.statusCode, pub.body).toBe(200);
    expect(pub.json()).toMatchObject({ status: 'published', text_zh: '第一版（修订）' });
    const frozen = await t.request('PATCH', `/api/v1/privacy/notices/${draft.json().id}`, {
      token: admin(),
      body: { text_zh: '偷偷改' },
    });
    expect(frozen.statusCode).toBe(409);
    const zh = await t.request('PATCH', `/api/v1/privacy/notices/${draft.json().id}`, {
      token: admin(),
      body: { text_zh: '偷偷改' },
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(zh.json().detail).toMatch(/[\u4e00-\u9fff]/);

    const v2 = await publishNotice(t, admin(), 'v2');
    expect(v2.version).toBe(2);
    const current = await t.request('GET', '/api/v1/privacy/notices/current', {
      token: t.tenantA.tokens.rep,
    });
    expect(current.json().notice.id).toBe(v2.id);
    const list = await t.request('GET', '/api/v1/privacy/notices', { token: t.tenantA.tokens.manager });
    expect(list.statusCode).toBe(200);
    expect(list.json().data.map((n: { version: number }) => n.version)).toEqual([2, 1]);
    expect(list.json().current_id).toBe(v2.id);
    // The audit trail has each step.
    const { rows } = await t.server.platform.database.query<{ action: string }>(
      `select action from change_log where entity = 'privacy_notices' and entity_id = $1 order by id`,
      [draft.json().id],
    );
    expect(rows.map((r) => r.action)).toEqual(['create', 'update', 'update']);

    // Another tenant sees none of it.
    const other = await t.request('GET', `/api/v1/privacy/notices/${v2.id}`, {
      token: t.tenantB.tokens.admin,
    });
    expect(other.statusCode).toBe(404);
    const otherCurrent = await t.request('GET', '/api/v1/privacy/notices/current', {
      token: t.tenantB.tokens.admin,
    });
    expect(otherCurrent.json().notice).toBeNull();
  });
});

describe('consent per purpose', () => {
  it('defaults, append-only history with the notice version, channel and actor', async () => {
    const id = await contact(t, '周婷');
    const r = await t.request('GET', `/api/v1/contacts/${id}/consents`, { token: t.tenantA.tokens.rep });
    expect(r.statusCode, r.body).toBe(200);
    const byPurpose = Object.fromEntries(r.json().data.map((c: { purpose: string }) => [c.purpose, c]));
    expect(Object.keys(byPurpose)).toEqual([
      'marketing_email',
      'profiling',
      'partner_sharing',
      'call_recording',
    ]);
    expect(byPurpose.marketing_email).toMatchObject({
      granted: false,
      basis: 'default',
      requires_consent: true,
    });
    expect(byPurpose.profiling).toMatchObject({ granted: true, basis: 'default', requires_consent: false });
    expect(byPurpose.profiling.label.zh).toBe('画像与 AI 评分');

    const current = (await t.request('GET', '/api/v1/privacy/notices/current', { token: admin() })).json()
      .notice;
    const g = await consent(
      t,
      id,
      { purpose: 'marketing_email', granted: true, note: '电话中口头同意' },
      t.tenantA.tokens.rep,
    );
    expect(g.statusCode, g.body).toBe(201);
    expect(g.json()).toMatchObject({
      purpose: 'marketing_email',
      granted: true,
      channel: 'staff',
      notice_version_id: current.id,
      notice_version: current.version,
    });
    const w = await consent(t, id, { purpose: 'marketing_email', granted: false, channel: 'webform' });
    expect(w.statusCode, w.body).toBe(201);
    const after = (await t.request('GET', `/api/v1/contacts/${id}/consents`, { token: admin() })).json();
    expect(after.data[0]).toMatchObject({
      purpose: 'marketing_email',
      granted: false,
      basis: 'recorded',
      channel: 'webform',
    });
    expect(after.history.map((h: { granted: boolean }) => h.granted)).toEqual([false, true]);
    expect(after.history[1].actor_name).toBeTruthy();
    // Every decision is audited.
    const { rows } = await t.server.platform.database.query<{ n: number }>(
      `select count(*)::int as n from change_log where entity = 'consent_events' and changes->'contact_id'->>'new' = $1`,
      [id],
    );
    expect(rows[0].n).toBe(2);

    const bad = await consent(t, id, { purpose: 'telepathy', granted: true });
    expect(bad.statusCode).toBe(400);
    const coach = await consent(t, id, { purpose: 'profiling', granted: false }, t.tenantA.tokens.coach);
    expect(coach.statusCode).toBe(403);
  });

  it('a rep records only what the person told them (channel staff); a form or an import needs privacy staff', async () => {
    const id = await contact(t, '冯雪');
    for (const channel of ['webform', 'import']) {
      const r = await t.request('POST', `/api/v1/contacts/${id}/consents`, {
        token: t.tenantA.tokens.rep,
        body: { purpose: 'marketing_email', granted: true, channel },
        headers: { 'accept-language': 'zh-CN' },
      });
      expect(r.statusCode, r.body).toBe(403);
      expect(r.json().errors[0]).toMatchObject({ field: 'channel' });
      expect(r.json().detail).toBe('只有隐私管理人员才能登记来自官网表单或批量导入的授权');
    }
    const after = (await t.request('GET', `/api/v1/contacts/${id}/consents`, { token: admin() })).json();
    expect(after.history).toEqual([]);
    const staff = await consent(
      t,
      id,
      { purpose: 'marketing_email', granted: true, channel: 'staff' },
      t.tenantA.tokens.rep,
    );
    expect(staff.statusCode, staff.body).toBe(201);
    const form = await consent(t, id, { purpose: 'marketing_email', granted: false, channel: 'webform' });
    expect(form.statusCode, form.body).toBe(201);
    expect(form.json()).toMatchObject({ channel: 'webform' });
  });

  it('a grant needs a published notice of the same organisation', async () => {
    const b = await t.request('POST', '/api/v1/contacts', {
      token: t.tenantB.tokens.admin,
      body: { name: 'B 公司联系人' },
    });
    const idB = b.json().id as string;
    const noNotice = await consent(
      t,
      idB,
      { purpose: 'marketing_email', granted: true },
      t.tenantB.tokens.admin,
    );
    expect(noNotice.statusCode).toBe(409);
    const noticeA = (await t.request('GET', '/api/v1/privacy/notices/current', { token: admin() })).json()
      .notice;
    const foreign = await consent(
      t,
      idB,
      { purpose: 'marketing_email', granted: true, notice_version_id: noticeA.id },
      t.tenantB.tokens.admin,
    );
    expect(foreign.statusCode).toBe(422);
    // A withdrawal needs no notice.
    const w = await consent(t, idB, { purpose: 'profiling', granted: false }, t.tenantB.tokens.admin);
    expect(w.statusCode, w.body).toBe(201);
  });

  it('cross-tenant and record sharing: another tenant’s contact is not found', async () => {
    const id = await contact(t, '郑洁');
    for (const [method, body] of [
      ['GET', undefined],
      ['POST', { purpose: 'profiling', granted: false }],
    ] as const) {
      const r = await t.request(method, `/api/v1/contacts/${id}/consents`, {
        token: t.tenantB.tokens.admin,
        body,
      });
      expect(r.statusCode).toBe(404);
    }
    const restr = await t.request('POST', `/api/v1/contacts/${id}/restriction`, {
      token: t.tenantB.tokens.admin,
      body: { reason: 'x' },
    });
    expect(restr.statusCode).toBe(404);

    // Private contacts: a rep who does not own one cannot see or change its consents.
    const setDefault = (access: string) =>
      t.request('PUT', '/api/v1/sharing/defaults', {
        token: admin(),
        body: { defaults: [{ entity: 'contacts', access }] },
      });
    const d = await setDefault('private');
    expect(d.statusCode, d.body).toBe(200);
    try {
      const mine = await contact(t, '私有联系人', {}, t.tenantA.tokens.presales);
      const other = await t.request('GET', `/api/v1/contacts/${mine}/consents`, {
        token: t.tenantA.tokens.rep,
      });
      expect(other.statusCode).toBe(404);
      const own = await t.request('GET', `/api/v1/contacts/${mine}/consents`, {
        token: t.tenantA.tokens.presales,
      });
      expect(own.statusCode).toBe(200);
    } finally {
      await setDefault('public_read_write');
    }
  });
});

describe('consent enforced (R-5.5)', () => {
  it('profiling: a withdrawn person has no lead score computed or kept; a grant brings it back', async () => {
    const id = await contact(t, '钱进');
    const first = await t.request('GET', `/api/v1/contacts/${id}/lead-score`, {
      token: t.tenantA.tokens.rep,
    });
    expect(first.statusCode, first.body).toBe(200);
    const stored = async () =>
      (
        await t.server.platform.database.query<{ n: number }>(
          'select count(*)::int as n from contact_scores where contact_id = $1',
          [id],
        )
      ).rows[0].n;
    expect(await stored()).toBe(1);

    const w = await consent(t, id, { purpose: 'profiling', granted: false });
    expect(w.statusCode, w.body).toBe(201);
    // Even before predict handled the event, the score is withheld from every read.
    const list = await t.request('GET', '/api/v1/predict/lead-scores', { token: admin() });
    expect(list.json().data.some((s: { contact_id: string }) => s.contact_id === id)).toBe(false);
    await t.settle();
    expect(await stored()).toBe(0);
    const again = await t.request('GET', `/api/v1/contacts/${id}/lead-score`, {
      token: t.tenantA.tokens.rep,
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toMatch(/画像/);
    expect(await stored()).toBe(0);
    // A profile change triggers a rescore: still nothing stored.
    await t.request('PATCH', `/api/v1/contacts/${id}`, { token: admin(), body: { title: '总经理' } });
    await t.settle();
    expect(await stored()).toBe(0);
    // A training run (full rescore) neither learns from nor scores them.
    const train = await t.request('POST', '/api/v1/predict/lead-score/train', { token: admin() });
    expect([200, 404], train.body).toContain(train.statusCode);
    expect(await stored()).toBe(0);

    await consent(t, id, { purpose: 'profiling', granted: true });
    await t.settle();
    expect(await stored()).toBe(1);
  });

  it('restriction: exports omit the person, webhooks withhold their payloads, scoring stops; lifting is audited', async () => {
    const received: string[] = [];
    const receiver: Server = createServer(async (req, res) => {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      received.push(raw);
      res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const ep = await t.request('POST', '/api/v1/webhooks/endpoints', {
        token: admin(),
        body: {
          url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
          event_types: ['contacts.*', 'processing_restrictions.*'],
        },
      });
      expect(ep.statusCode, ep.body).toBe(201);
      const id = await contact(t, '孔明亮');
      const open = await contact(t, '严冬');
      // Their creation went out before the restriction (the fan-out withholds what it handles after).
      await t.settle();

      const rep = await t.request('POST', `/api/v1/contacts/${id}/restriction`, {
        token: t.tenantA.tokens.rep,
        body: { reason: '客户要求限制处理' },
      });
      expect(rep.statusCode).toBe(403);
      const r = await t.request('POST', `/api/v1/contacts/${id}/restriction`, {
        token: admin(),
        body: { reason: '客户对数据准确性提出异议，核实期间限制处理' },
      });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ contact_id: id, lifted_at: null });

      const csv = await t.request('GET', '/api/v1/contacts/export?format=csv', { token: admin() });
      expect(csv.statusCode, csv.body).toBe(200);
      expect(csv.body).not.toContain(id);
      expect(csv.body).toContain(open);

      // A change to the restricted person is not sent; the restriction notice and others are.
      await t.request('PATCH', `/api/v1/contacts/${id}`, { token: admin(), body: { title: '副总裁' } });
      await t.request('PATCH', `/api/v1/contacts/${open}`, { token: admin(), body: { title: '副总裁' } });
      await t.settle();
      const { rows } = await t.server.platform.database.query<{ event_type: string; payload: unknown }>(
        `select event_type, payload from webhook_messages where tenant_id = $1 order by created_at`,
        [t.tenantA.id],
      );
      const about = (cid: string) => rows.filter((m) => JSON.stringify(m.payload).includes(cid));
      expect(about(id).map((m) => m.event_type)).toEqual([
        'contacts.created',
        'processing_restrictions.changed',
      ]);
      expect(about(open).map((m) => m.event_type)).toEqual(['contacts.created', 'contacts.updated']);
      expect(JSON.stringify(about(id))).not.toContain('副总裁');

      const score = await t.request('GET', `/api/v1/contacts/${id}/lead-score`, { token: admin() });
      expect(score.statusCode).toBe(409);
      const states = (await t.request('GET', `/api/v1/contacts/${id}/consents`, { token: admin() })).json();
      expect(states.restriction).toMatchObject({ contact_id: id });
      expect(states.data.every((c: { granted: boolean }) => !c.granted)).toBe(true);

      const lift = await t.request('POST', `/api/v1/contacts/${id}/restriction/lift`, {
        token: admin(),
        body: { reason: '核实完毕，数据准确' },
      });
      expect(lift.statusCode, lift.body).toBe(200);
      const twice = await t.request('POST', `/api/v1/contacts/${id}/restriction/lift`, {
        token: admin(),
        body: { reason: 'again' },
      });
      expect(twice.statusCode).toBe(409);
      const hist = (
        await t.request('GET', `/api/v1/contacts/${id}/restriction`, { token: t.tenantA.tokens.rep })
      ).json();
      expect(hist.active).toBeNull();
      expect(hist.history[0]).toMatchObject({ lift_reason: '核实完毕，数据准确' });
      const audit = await t.server.platform.database.query<{ action: string; reason: string }>(
        `select action, reason from change_log where entity = 'processing_restrictions' and entity_id = $1 order by id`,
        [r.json().id],
      );
      expect(audit.rows.map((a) => a.action)).toEqual(['create', 'update']);
      const csv2 = await t.request('GET', '/api/v1/contacts/export?format=csv', { token: admin() });
      expect(csv2.body).toContain(id);
    } finally {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});

describe('restriction in the activity and opportunity exports (review item 8)', () => {
  it('leaves out activities only the restricted person took part in; shared ones lose them, their notes and participants', async () => {
    const acc = await t.request('POST', '/api/v1/accounts', {
      token: admin(),
      body: { name: '皖江新材料有限公司' },
    });
    expect(acc.statusCode, acc.body).toBe(201);
    const accountId = acc.json().id as string;
    const id = await contact(t, '诸葛倩', { account_id: accountId, phones: ['13712345678'] });
    const open = await contact(t, '司马南', { account_id: accountId });
    const post = async (url: string, body: Record<string, unknown>) => {
      const r = await t.request('POST', url, { token: admin(), body });
      expect(r.statusCode, r.body).toBe(201);
      return r.json().id as string;
    };
    const at = '2026-11-20T10:00:00+08:00';
    const only = await post('/api/v1/activities', {
      type: 'call',
      subject: '回访诸葛倩',
      body: '诸葛倩说预算下季度才批',
      contact_ids: [id],
      occurred_at: at,
      account_id: accountId,
    });
    const both = await post('/api/v1/activities', {
      type: 'meeting',
      subject: '与诸葛倩、司马南的技术交流',
      body: '诸葛倩反对当前方案',
      participants: ['诸葛倩', '司马南'],
      contact_ids: [id, open],
      occurred_at: at,
      account_id: accountId,
    });
    const theirs = await post('/api/v1/activities', {
      type: 'visit',
      subject: '拜访司马南',
      body: '确认交付时间',
      contact_ids: [open],
      occurred_at: at,
      account_id: accountId,
    });
    const opp = await post('/api/v1/opportunities', {
      name: '皖江新材料产线改造',
      account_id: accountId,
      amount: 1_200_000,
      expected_close_date: '2027-03-31',
      stage: 'solution',
      close_reason: '诸葛倩（13712345678）倾向竞品',
    });
    const clean = await post('/api/v1/opportunities', {
      name: '皖江新材料二期',
      account_id: accountId,
      amount: 800_000,
      expected_close_date: '2027-06-30',
      stage: 'solution',
      close_reason: '预算已批',
    });
    await t.settle();
    const r = await t.request('POST', `/api/v1/contacts/${id}/restriction`, {
      token: admin(),
      body: { reason: '客户对记录内容有异议，核实期间限制处理' },
    });
    expect(r.statusCode, r.body).toBe(201);

    const acts = await t.request('GET', `/api/v1/activities/export?format=csv&account_id=${accountId}`, {
      token: admin(),
    });
    expect(acts.statusCode, acts.body).toBe(200);
    expect(acts.body).not.toContain(only);
    expect(acts.body).toContain(both);
    expect(acts.body).toContain(theirs);
    expect(acts.body).toContain('确认交付时间');
    expect(acts.body).not.toContain('诸葛倩');
    expect(acts.body).not.toContain(id);
    expect(acts.body).toContain(open);

    const opps = await t.request('GET', `/api/v1/opportunities/export?format=csv&account_id=${accountId}`, {
      token: admin(),
    });
    expect(opps.statusCode, opps.body).toBe(200);
    expect(opps.body).toContain(opp);
    expect(opps.body).toContain(clean);
    expect(opps.body).toContain('预算已批');
    expect(opps.body).not.toContain('诸葛倩');
    expect(opps.body).not.toContain('13712345678');

    // Lifted: everything is exported again.
    const lift = await t.request('POST', `/api/v1/contacts/${id}/restriction/lift`, {
      token: admin(),
      body: { reason: '核实完毕' },
    });
    expect(lift.statusCode, lift.body).toBe(200);
    const again = await t.request('GET', `/api/v1/activities/export?format=csv&account_id=${accountId}`, {
      token: admin(),
    });
    expect(again.body).toContain(only);
    expect(again.body).toContain('诸葛倩反对当前方案');
    const oppsAgain = await t.request(
      'GET',
      `/api/v1/opportunities/export?format=csv&account_id=${accountId}`,
      { token: admin() },
    );
    expect(oppsAgain.body).toContain('倾向竞品');
  });
});

describe('privacy dashboard and record of processing (R-5.6)', () => {
  it('weekly consent rate from the history, portal contributions; admins only', async () => {
    const db = t.server.platform.database;
    const ids = await Promise.all(['卫一', '卫二', '卫三', '卫四'].map((n) => contact(t, n)));
    const now = Date.now();
    const week = 7 * 86_400_000;
    await db.tenantTx(t.tenantA.id, async (tx) => {
      const staff = systemContext(t.tenantA.id, 'test', '测试');
      const portal = { ...systemContext(t.tenantA.id, 'portal', '卫一'), actorType: 'customer' as const };
      // Three weeks ago: 1 of 4 granted call recording; last week 3 of 4; this week one withdrew.
      await setConsent(tx, staff, {
        contactId: ids[0],
        purpose: 'call_recording',
        granted: true,
        channel: 'staff',
        at: new Date(now - 3 * week),
      });
      for (const i of [1, 2, 3])
        await setConsent(tx, staff, {
          contactId: ids[i],
          purpose: 'call_recording',
          granted: false,
          channel: 'import',
          at: new Date(now - 3 * week),
        });
      for (const i of [1, 2])
        await setConsent(tx, portal, {
          contactId: ids[i],
          purpose: 'call_recording',
          granted: true,
          channel: 'portal',
          at: new Date(now - week),
        });
      await setConsent(tx, portal, {
        contactId: ids[0],
        purpose: 'call_recording',
        granted: false,
        channel: 'portal',
      });
    });
    const rep = await t.request('GET', '/api/v1/privacy/dashboard', { token: t.tenantA.tokens.rep });
    expect(rep.statusCode).toBe(403);
    const r = await t.request('GET', '/api/v1/privacy/dashboard?weeks=5', {
      token: t.tenantA.tokens.manager,
    });
    expect(r.statusCode, r.body).toBe(200);
    const d = r.json();
    expect(d.weeks).toHaveLength(5);
    const calls = d.purposes.find((p: { purpose: string }) => p.purpose === 'call_recording');
    const rates = calls.points.map((p: { rate: number | null }) => p.rate);
    expect(rates[0]).toBeNull();
    expect(rates[1]).toBeCloseTo(0.25);
    expect(rates[3]).toBeCloseTo(0.75);
    expect(rates[4]).toBeCloseTo(0.5);
    expect(calls.current).toEqual({ granted: 2, decided: 4, rate: 0.5 });
    expect(d.totals.preferences).toBe(3);
    expect(d.contributions.at(-1).preferences).toBe(1);
    const b = (await t.request('GET', '/api/v1/privacy/dashboard', { token: t.tenantB.tokens.admin })).json();
    expect(b.purposes.find((p: { purpose: string }) => p.purpose === 'call_recording').current.decided).toBe(
      0,
    );
  });

  it('the record of processing as JSON and CSV', async () => {
    const rep = await t.request('GET', '/api/v1/privacy/processing-record', { token: t.tenantA.tokens.rep });
    expect(rep.statusCode).toBe(403);
    const j = await t.request('GET', '/api/v1/privacy/processing-record', { token: admin() });
    expect(j.statusCode, j.body).toBe(200);
    const rec = j.json();
    expect(rec.activities.map((a: { purpose: string }) => a.purpose)).toEqual(
      expect.arrayContaining([
        'customer_relationship',
        'marketing_email',
        'profiling',
        'partner_sharing',
        'call_recording',
      ]),
    );
    const current = (await t.request('GET', '/api/v1/privacy/notices/current', { token: admin() })).json()
      .notice;
    expect(rec.notice_version).toBe(current.version);
    for (const a of rec.activities) {
      expect(a.data_categories.length).toBeGreaterThan(0);
      expect(a.recipients.length).toBeGreaterThan(0);
      expect(a.retention.zh).toBeTruthy();
    }
    const csv = await t.request('GET', '/api/v1/privacy/processing-record?format=csv&lang=zh', {
      token: admin(),
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/attachment; filename="processing-record-/);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('用途,名称,说明,法律依据,同意方式,个人信息类别,接收方,保存期限');
    expect(lines.some((l) => l.startsWith('partner_sharing,与合作伙伴共享'))).toBe(true);
  });

  it('routes are in the OpenAPI document', async () => {
    const r = await t.request('GET', '/openapi.json');
    const paths = Object.keys(r.json().paths ?? {});
    for (const p of [
      '/api/v1/privacy/dashboard',
      '/api/v1/privacy/processing-record',
      '/api/v1/privacy/notices',
      '/api/v1/contacts/{id}/consents',
    ])
      expect(paths).toContain(p);
  });
});

describe('LLM talk-track rewrite without consent (R-5.5)', () => {
  let llmServer: Server;
  let requests: string[] = [];
  let s: TestServer;

  beforeAll(async () => {
    llmServer = createServer(async (req, res) => {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      requests.push(raw);
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: 'fake-chat-1',
          choices: [
            { index: 0, message: { role: 'assistant', content: '改写后的话术。' }, finish_reason: 'stop' },
          ],
        }),
      );
    });
    await new Promise<void>((resolve) => llmServer.listen(0, '127.0.0.1', resolve));
    s = await startTestServer({
      llm: {
        baseUrl: `http://127.0.0.1:${(llmServer.address() as AddressInfo).port}/v1`,
        apiKey: 'sk-test',
        model: 'fake-chat-1',
        timeoutMs: 3000,
      },
      outbound: { allow: ['127.0.0.1'] },
    });
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    llmServer?.closeAllConnections();
    await new Promise((resolve) => llmServer?.close(resolve));
  });

  async function tenderFor(name: string, contactId?: string) {
    const a = await s.request('POST', '/api/v1/accounts', {
      token: s.tenantA.tokens.admin,
      body: { name, industry: '新能源' },
    });
    const accountId = a.json().id as string;
    if (contactId)
      await s.request('PATCH', `/api/v1/contacts/${contactId}`, {
        token: s.tenantA.tokens.admin,
        body: { account_id: accountId },
      });
    const sig = await s.request('POST', '/api/v1/signals', {
      token: s.tenantA.tokens.admin,
      body: {
        type: 'tender_notice',
        source: 'test',
        occurred_at: new Date().toISOString(),
        subject: { account_id: accountId, ...(contactId ? { contact_id: contactId } : {}) },
        payload: { title: '储能项目招标', budget: 5e6 },
      },
    });
    expect(sig.statusCode, sig.body).toBe(202);
    await s.settle();
    const r = await s.request('GET', `/api/v1/interventions?owner_id=any&account_id=${accountId}`, {
      token: s.tenantA.tokens.manager,
    });
    expect(r.json().data, r.body).toHaveLength(1);
    return r.json().data[0].id as string;
  }

  const originOf = (id: string) =>
    vi.waitFor(
      async () => {
        const b = (
          await s.request('GET', `/api/v1/interventions/${id}`, { token: s.tenantA.tokens.manager })
        ).json();
        expect(b.resources.talk_track).toBeDefined();
        return b.resources.talk_track;
      },
      { timeout: 20_000, interval: 100 },
    );

  it('sends nothing when a person in the alert withdrew profiling; sends when they have not', async () => {
    const c = await contact(s, '韩梅梅');
    const w = await consent(s, c, { purpose: 'profiling', granted: false });
    expect(w.statusCode, w.body).toBe(201);
    requests = [];
    const withheld = await tenderFor('远景储能有限公司', c);
    const origin = await originOf(withheld);
    expect(origin).toMatchObject({ source: 'template' });
    expect(origin.llm_error).toMatch(/^withheld/);
    expect(requests).toHaveLength(0);

    const sent = await tenderFor('金风储能有限公司');
    expect((await originOf(sent)).source).toBe('llm');
    expect(requests).toHaveLength(1);
    expect(requests[0]).not.toContain('韩梅梅');
  });
});

describe('lineage everywhere (R-5.4)', () => {
  it('activities, signals, interventions, predictions and quotas say where they came from and by which method', async () => {
    const token = admin();
    const acc = (
      await t.request('POST', '/api/v1/accounts', { token, body: { name: '溯源测试有限公司' } })
    ).json();
    const c = await contact(t, '溯源联系人', { account_id: acc.id });
    const act = await t.request('POST', '/api/v1/activities', {
      token,
      body: {
        type: 'meeting',
        subject: '技术交流',
        occurred_at: new Date().toISOString(),
        account_id: acc.id,
        contact_ids: [c],
      },
    });
    expect(act.statusCode, act.body).toBe(201);
    const la = await t.request('GET', `/api/v1/activities/${act.json().id}/lineage`, {
      token: t.tenantA.tokens.rep,
    });
    expect(la.statusCode, la.body).toBe(200);
    expect(la.json().methods[0]).toMatchObject({ applies_to: 'record', kind: 'manual', source: 'api' });
    expect(la.json().data.find((f: { field: string }) => f.field === 'subject')).toMatchObject({
      value: '技术交流',
    });

    const sig = await t.request('POST', '/api/v1/signals', {
      token,
      body: {
        type: 'tender_notice',
        source: 'test',
        occurred_at: new Date().toISOString(),
        subject: { account_id: acc.id },
        payload: { title: '数据中心招标', budget: 1e6 },
      },
    });
    expect(sig.statusCode, sig.body).toBe(202);
    await t.settle();
    const sigId = (await t.request('GET', `/api/v1/signals?account_id=${acc.id}`, { token })).json().data[0]
      .id;
    const ls = await t.request('GET', `/api/v1/signals/${sigId}/lineage`, { token: t.tenantA.tokens.rep });
    expect(ls.statusCode, ls.body).toBe(200);
    expect(ls.json().methods[0]).toMatchObject({ applies_to: 'record', kind: 'sync', source: 'signal:test' });
    expect(ls.json().methods[1]).toMatchObject({ applies_to: 'subject' });

    const bundle = (
      await t.request('GET', `/api/v1/interventions?owner_id=any&account_id=${acc.id}`, {
        token: t.tenantA.tokens.manager,
      })
    ).json().data[0];
    const li = await t.request('GET', `/api/v1/interventions/${bundle.id}/lineage`, {
      token: t.tenantA.tokens.manager,
    });
    expect(li.statusCode, li.body).toBe(200);
    expect(li.json().methods).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          applies_to: 'record',
          kind: 'rule',
          rule_key: bundle.rule_key,
          rule_version: bundle.rule_version,
        }),
        expect.objectContaining({ applies_to: 'talk_track', kind: 'rule' }),
      ]),
    );

    const pipeline = (await t.request('GET', '/api/v1/pipelines', { token })).json().data[0];
    const opp = await t.request('POST', '/api/v1/opportunities', {
      token,
      body: {
        name: '溯源商机',
        account_id: acc.id,
        pipeline_id: pipeline.id,
        stage: pipeline.stages[0].key,
        amount: 100000,
        expected_close_date: new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10),
      },
    });
    expect(opp.statusCode, opp.body).toBe(201);
    const lp = await t.request('GET', `/api/v1/opportunities/${opp.json().id}/prediction/lineage`, {
      token: t.tenantA.tokens.rep,
    });
    expect(lp.statusCode, lp.body).toBe(200);
    expect(lp.json().methods[0]).toMatchObject({
      applies_to: 'score',
      kind: expect.stringMatching(/^(rule|model)$/),
    });
    expect(lp.json().methods[0].detail).toBeTruthy();
    const ll = await t.request('GET', `/api/v1/contacts/${c}/lead-score/lineage`, {
      token: t.tenantA.tokens.rep,
    });
    expect(ll.statusCode, ll.body).toBe(200);
    expect(ll.json().methods[0]).toMatchObject({ applies_to: 'score' });

    const q = await t.request('PUT', '/api/v1/quotas', {
      token,
      body: [{ period_kind: 'month', period: '2026-12', scope: 'total', amount: 1e6 }],
    });
    expect(q.statusCode, q.body).toBe(200);
    const quotaId = q.json().data[0].id;
    const lq = await t.request('GET', `/api/v1/quotas/${quotaId}/lineage`, { token: t.tenantA.tokens.rep });
    expect(lq.statusCode, lq.body).toBe(200);
    expect(lq.json().methods[0]).toMatchObject({ applies_to: 'record', kind: 'manual' });
    expect(lq.json().data.find((f: { field: string }) => f.field === 'amount')).toMatchObject({ value: 1e6 });

    // Another tenant finds none of them.
    for (const url of [
      `/api/v1/activities/${act.json().id}/lineage`,
      `/api/v1/signals/${sigId}/lineage`,
      `/api/v1/interventions/${bundle.id}/lineage`,
      `/api/v1/opportunities/${opp.json().id}/prediction/lineage`,
      `/api/v1/contacts/${c}/lead-score/lineage`,
      `/api/v1/quotas/${quotaId}/lineage`,
    ]) {
      const r = await t.request('GET', url, { token: t.tenantB.tokens.admin });
      expect(r.statusCode, url).toBe(404);
    }
    const paths = Object.keys((await t.request('GET', '/openapi.json')).json().paths);
    for (const p of [
      '/api/v1/activities/{id}/lineage',
      '/api/v1/signals/{id}/lineage',
      '/api/v1/interventions/{id}/lineage',
      '/api/v1/opportunities/{id}/prediction/lineage',
      '/api/v1/contacts/{id}/lead-score/lineage',
      '/api/v1/quotas/{id}/lineage',
    ])
      expect(paths).toContain(p);
  });
});

describe('privacy demo (issue 13 item 9)', () => {
  it('notices, consent spread with a rising trend, portal contacts, a restriction and open cases', async () => {
    const tb = t.tenantB;
    const acc = await t.request('POST', '/api/v1/accounts', {
      token: tb.tokens.admin,
      body: { name: '演示客户有限公司' },
    });
    for (let i = 0; i < 40; i++) {
      const r = await t.request('POST', '/api/v1/contacts', {
        token: tb.tokens.admin,
        body: { name: `演示联系人${i}`, account_id: acc.json().id, emails: [`demo${i}@demo-b.example.cn`] },
      });
      expect(r.statusCode, r.body).toBe(201);
    }
    const db = t.server.platform.database;
    // Tenant B has no notice yet (earlier tests only withdrew a consent there).
    const first = await seedPrivacyDemo(db, tb.id);
    expect(first).toMatchObject({ created: true, notices: 2, cases: 3 });
    expect(first.portal_contacts).toContain('lin.xiaowen@demo-customer.cn');
    expect((await seedPrivacyDemo(db, tb.id)).created).toBe(false);

    const d = (
      await t.request('GET', '/api/v1/privacy/dashboard?weeks=16', { token: tb.tokens.admin })
    ).json();
    for (const p of d.purposes) {
      const rates = p.points
        .map((x: { rate: number | null }) => x.rate)
        .filter((x: number | null) => x !== null);
      expect(rates.length).toBeGreaterThan(5);
      if (p.requires_consent) expect(rates.at(-1)).toBeGreaterThan(rates[0]);
      expect(p.current.rate).toBeGreaterThan(0.3);
      expect(p.current.rate).toBeLessThan(0.97);
    }
    expect(d.totals.preferences).toBeGreaterThan(10);
    expect(d.totals.corrections).toBe(6);
    expect(d.totals.restricted).toBe(1);
    expect(d.current_notice.version).toBe(2);

    const lin = (
      await t.request('GET', `/api/v1/contacts?q=${encodeURIComponent('lin.xiaowen')}`, {
        token: tb.tokens.admin,
      })
    ).json().data[0];
    const c = (
      await t.request('GET', `/api/v1/contacts/${lin.id}/consents`, { token: tb.tokens.admin })
    ).json();
    expect(c.data.find((x: { purpose: string }) => x.purpose === 'partner_sharing')).toMatchObject({
      granted: false,
      channel: 'portal',
      notice_version: 2,
    });
    const cases = await t.request('GET', '/api/v1/privacy/cases?state=open', { token: tb.tokens.admin });
    expect(cases.statusCode, cases.body).toBe(200);
    expect(cases.json().data.length).toBeGreaterThanOrEqual(3);
  });
});
