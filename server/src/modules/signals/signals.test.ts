import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { normalizeCompanyName } from './subject-matcher.js';

let t: TestServer;
let admin: string;
let rep: string;
let acc: { id: string; name: string };
let acc2: { id: string };
let contact: { id: string };
const now = () => new Date().toISOString();
const CREDIT = '91310000MA1FL8XQ37'; // valid check digit

beforeAll(async () => {
  t = await startTestServer();
  admin = t.tenantA.tokens.admin;
  rep = t.tenantA.tokens.rep;
  const a = await t.request('POST', '/api/v1/accounts', {
    token: admin,
    body: {
      name: '宁德新能源科技有限公司',
      aliases: ['ATL'],
      domains: ['atl-battery.com'],
      credit_code: CREDIT,
      owner_id: t.tenantA.userIds.rep,
    },
  });
  expect(a.statusCode, a.body).toBe(201);
  acc = a.json();
  const b = await t.request('POST', '/api/v1/accounts', {
    token: admin,
    body: { name: 'Globex Trading Co., Ltd.', domains: ['globex.example'] },
  });
  acc2 = b.json();
  const c = await t.request('POST', '/api/v1/contacts', {
    token: admin,
    body: { name: '李伟', account_id: acc.id, emails: ['li.wei@atl-battery.com'] },
  });
  contact = c.json();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const sig = (over: Record<string, unknown> = {}) => ({
  type: 'website_visit',
  source: 'web-analytics',
  occurred_at: now(),
  subject: { domain: 'atl-battery.com' },
  payload: { url: 'https://example.com/pricing', visits: 3 },
  ...over,
});

describe('POST /signals', () => {
  it('answers 202 with per-item results for a mixed batch; bad items never reject the others', async () => {
    const res = await t.request('POST', '/api/v1/signals', {
      token: rep,
      body: [
        sig(),
        sig({ type: 'no_such_type' }),
        sig({ subject: { company_name: '完全不存在的公司' } }),
        sig({ occurred_at: 'yesterday' }),
        sig({ type: 'payment_overdue', payload: { days_overdue: 'many' } }),
        sig({ subject: {} }),
      ],
    });
    expect(res.statusCode, res.body).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 2, duplicates: 0, rejected: 4 });
    expect(body.results.map((r: any) => r.status)).toEqual([
      'accepted',
      'rejected',
      'accepted',
      'rejected',
      'rejected',
      'rejected',
    ]);
    expect(body.results[0]).toMatchObject({ index: 0, matched: true });
    expect(body.results[2]).toMatchObject({ index: 2, matched: false });
    expect(body.results[1].reason).toContain('unknown signal type');
    expect(body.results[3].reason).toContain('occurred_at');
    expect(body.results[4].reason).toContain('days_overdue');
    // accepted ones are stored; the unmatched one is kept
    const stored = await t.request('GET', `/api/v1/signals/${body.results[2].id}`, { token: rep });
    expect(stored.statusCode).toBe(200);
    expect(stored.json()).toMatchObject({ matched: false, account_id: null, provenance: { method: 'api' } });
  });

  it('accepts one object as well as an array, and rejects arrays over 5,000 / empty', async () => {
    const one = await t.request('POST', '/api/v1/signals', { token: rep, body: sig() });
    expect(one.statusCode).toBe(202);
    expect(one.json().accepted).toBe(1);
    const big = await t.request('POST', '/api/v1/signals', {
      token: rep,
      body: Array.from({ length: 5001 }, () => sig()),
    });
    expect(big.statusCode).toBe(400);
    const empty = await t.request('POST', '/api/v1/signals', { token: rep, body: [] });
    expect(empty.statusCode).toBe(400);
  });

  it('is idempotent by idempotency_key and by source + source_event_id (also within one batch)', async () => {
    const first = await t.request('POST', '/api/v1/signals', {
      token: rep,
      body: [
        sig({ idempotency_key: 'k-1' }),
        sig({
          source: 'erp',
          type: 'payment_overdue',
          payload: { days_overdue: 10 },
          source_event_id: 'inv-9',
        }),
        sig({ idempotency_key: 'k-1' }),
      ],
    });
    const r1 = first.json();
    expect(r1).toMatchObject({ accepted: 2, duplicates: 1 });
    expect(r1.results[2].id).toBe(r1.results[0].id);
    const again = await t.request('POST', '/api/v1/signals', {
      token: rep,
      body: [
        sig({ idempotency_key: 'k-1' }),
        sig({
          source: 'erp',
          type: 'payment_overdue',
          payload: { days_overdue: 10 },
          source_event_id: 'inv-9',
        }),
        sig({ idempotency_key: 'k-2' }),
      ],
    });
    const r2 = again.json();
    expect(r2).toMatchObject({ accepted: 1, duplicates: 2 });
    expect(r2.results[0]).toMatchObject({ status: 'duplicate', id: r1.results[0].id });
    expect(r2.results[1]).toMatchObject({ status: 'duplicate', id: r1.results[1].id });
    const list = await t.request('GET', '/api/v1/signals?source=erp', { token: rep });
    expect(list.json().data.filter((s: any) => s.source_event_id === 'inv-9')).toHaveLength(1);
  });

  it('lists with filters and cursor pagination, and shows signals on the account timeline', async () => {
    await t.request('POST', '/api/v1/signals', {
      token: rep,
      body: Array.from({ length: 5 }, (_, i) =>
        sig({ type: 'tender_notice', source: 'tender-platform', payload: { title: `招标 ${i}` } }),
      ),
    });
    const p1 = await t.request('GET', `/api/v1/signals?type=tender_notice&account_id=${acc.id}&limit=3`, {
      token: rep,
    });
    expect(p1.statusCode, p1.body).toBe(200);
    expect(p1.json().data).toHaveLength(3);
    const p2 = await t.request(
      'GET',
      `/api/v1/signals?type=tender_notice&account_id=${acc.id}&limit=3&cursor=${p1.json().next_cursor}`,
      { token: rep },
    );
    expect(p2.statusCode, p2.body).toBe(200);
    expect(p2.json().data).toHaveLength(2);
    expect(p2.json().next_cursor).toBeNull();
    const tl = await t.request('GET', `/api/v1/accounts/${acc.id}/timeline`, { token: rep });
    expect(tl.json().data.some((i: any) => i.kind === 'signal' && i.title === 'tender_notice')).toBe(true);
    const future = await t.request('GET', `/api/v1/signals?from=2099-01-01`, { token: rep });
    expect(future.json().data).toHaveLength(0);
  });
});

describe('entity resolution', () => {
  it('normalises Chinese and English company names', () => {
    expect(normalizeCompanyName('宁德新能源科技有限公司')).toBe(
      normalizeCompanyName('宁德新能源科技股份有限公司'),
    );
    expect(normalizeCompanyName('宁德新能源科技（中国）有限公司')).toBe('宁德新能源科技');
    expect(normalizeCompanyName('ＡＢＣ　Ｔｅｃｈ有限公司')).toBe('abctech');
    expect(normalizeCompanyName('Globex Trading Co., Ltd.')).toBe('globextrading');
    expect(normalizeCompanyName('GLOBEX TRADING CO LTD')).toBe('globextrading');
    expect(normalizeCompanyName('Globex Trading, Inc.')).toBe('globextrading');
    expect(normalizeCompanyName('华为集团')).toBe('华为');
  });

  it('matches by id, email, domain, credit code, names and aliases', async () => {
    const cases: [Record<string, string>, string | null, string][] = [
      [{ account_id: '00000000-0000-4000-8000-000000000000' }, null, ''],
      [{ contact_id: '' }, null, 'reject'],
      [{ email: 'LI.WEI@atl-battery.com' }, 'acc', 'email'],
      [{ email: 'someone.else@atl-battery.com' }, 'acc', 'email_domain'],
      [{ domain: 'https://www.atl-battery.com/about' }, 'acc', 'domain'],
      [{ credit_code: CREDIT.toLowerCase() }, 'acc', 'credit_code'],
      [{ company_name: '宁德新能源科技股份有限公司' }, 'acc', 'company_name'],
      [{ company_name: '宁德新能源科技（中国）有限公司' }, 'acc', 'company_name'],
      [{ company_name: 'ＡＴＬ' }, 'acc', 'company_name'],
      [{ company_name: 'GLOBEX TRADING CO LTD' }, 'acc2', 'company_name'],
      [{ company_name: 'Globex Trading Inc.' }, 'acc2', 'company_name'],
      [{ company_name: 'Initech' }, null, ''],
    ];
    const res = await t.request('POST', '/api/v1/signals', {
      token: rep,
      body: cases.map(([subject]) => sig({ subject })),
    });
    const body = res.json();
    for (let i = 0; i < cases.length; i++) {
      const [, expected, method] = cases[i];
      const r = body.results[i];
      if (method === 'reject') {
        expect(r.status).toBe('rejected');
        continue;
      }
      const s = (await t.request('GET', `/api/v1/signals/${r.id}`, { token: rep })).json();
      expect(s.account_id, JSON.stringify(cases[i][0])).toBe(
        expected === 'acc' ? acc.id : expected === 'acc2' ? acc2.id : null,
      );
      expect(s.matched).toBe(expected !== null);
      if (method) expect(s.match_method).toBe(method);
      if (method === 'email') expect(s.contact_id).toBe(contact.id);
    }
  });

  it('keeps unmatched signals for review; linking learns the alias (audited) and re-resolves the queue', async () => {
    const res = await t.request('POST', '/api/v1/signals', {
      token: rep,
      body: [
        sig({ subject: { company_name: '新能源ATL电池（东莞）有限公司' } }),
        sig({
          type: 'tender_notice',
          payload: { title: 'x' },
          subject: { company_name: '新能源ATL电池有限公司' },
        }),
      ],
    });
    const [first, second] = res.json().results;
    const queue = await t.request('GET', '/api/v1/signals/unmatched', { token: rep });
    expect(queue.json().data.map((s: any) => s.id)).toEqual(expect.arrayContaining([first.id, second.id]));
    const link = await t.request('POST', `/api/v1/signals/${first.id}/link`, {
      token: rep,
      body: { account_id: acc.id },
    });
    expect(link.statusCode, link.body).toBe(200);
    expect(link.json().learned.aliases).toEqual(['新能源ATL电池（东莞）有限公司']);
    expect(link.json().also_linked).toContain(second.id);
    const account = (await t.request('GET', `/api/v1/accounts/${acc.id}`, { token: rep })).json();
    expect(account.aliases).toContain('新能源ATL电池（东莞）有限公司');
    const lineage = (await t.request('GET', `/api/v1/accounts/${acc.id}/timeline`, { token: rep })).json();
    expect(lineage.data.some((i: any) => i.kind === 'change' && String(i.summary).includes('aliases'))).toBe(
      true,
    );
    const queue2 = await t.request('GET', '/api/v1/signals/unmatched', { token: rep });
    expect(queue2.json().data.map((s: any) => s.id)).not.toContain(first.id);
    // a new signal with the learned name now matches directly
    const later = await t.request('POST', '/api/v1/signals', {
      token: rep,
      body: sig({ subject: { company_name: '新能源ATL电池(东莞)有限公司' } }),
    });
    expect(later.json().results[0].matched).toBe(true);
    // linking to another tenant's account is refused
    const bad = await t.request('POST', `/api/v1/signals/${second.id}/link`, {
      token: rep,
      body: { account_id: '00000000-0000-4000-8000-000000000000' },
    });
    expect(bad.statusCode).toBe(422);
  });
});

describe('sources and signed webhooks', () => {
  it('verifies Standard Webhooks signatures: bad signature → 401 and nothing stored', async () => {
    const created = await t.request('POST', '/api/v1/signal-sources', {
      token: admin,
      body: { key: 'qichacha', name: '企查查', kind: 'webhook' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id, webhook_secret } = created.json();
    expect(webhook_secret).toMatch(/^whsec_/);
    const payload = JSON.stringify({
      type: 'registry_change',
      source: 'ignored',
      occurred_at: now(),
      subject: { credit_code: CREDIT },
      payload: { field: 'legal_representative', old_value: '张三', new_value: '李四' },
    });
    const wh = new Webhook(webhook_secret);
    const msgId = 'msg_1';
    const stamp = new Date();
    const good = {
      'content-type': 'application/json',
      'webhook-id': msgId,
      'webhook-timestamp': String(Math.floor(stamp.getTime() / 1000)),
      'webhook-signature': wh.sign(msgId, stamp, payload),
    };
    const before = (await t.request('GET', '/api/v1/signals?source=qichacha', { token: admin })).json().data
      .length;
    for (const headers of [
      { ...good, 'webhook-signature': 'v1,AAAAbad' },
      { ...good, 'webhook-id': 'msg_other' },
      { 'content-type': 'application/json' },
      { ...good, 'webhook-timestamp': String(Math.floor(stamp.getTime() / 1000) - 3600) },
    ]) {
      const r = await t.app.inject({
        method: 'POST',
        url: `/api/v1/sources/${id}/webhook`,
        headers,
        payload,
      });
      expect(r.statusCode, JSON.stringify(headers)).toBe(401);
    }
    expect(
      (await t.request('GET', '/api/v1/signals?source=qichacha', { token: admin })).json().data.length,
    ).toBe(before);
    const ok = await t.app.inject({
      method: 'POST',
      url: `/api/v1/sources/${id}/webhook`,
      headers: good,
      payload,
    });
    expect(ok.statusCode, ok.body).toBe(202);
    expect(JSON.parse(ok.body).results[0]).toMatchObject({ status: 'accepted', matched: true });
    // redelivery of the same webhook-id is a duplicate
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/v1/sources/${id}/webhook`,
      headers: good,
      payload,
    });
    expect(JSON.parse(again.body)).toMatchObject({ accepted: 0, duplicates: 1 });
    const stored = (await t.request('GET', '/api/v1/signals?source=qichacha', { token: admin })).json().data;
    expect(stored).toHaveLength(before + 1);
    expect(stored[0].provenance).toMatchObject({ method: 'webhook', source_id: id });
    // unknown source → 404
    const none = await t.app.inject({
      method: 'POST',
      url: `/api/v1/sources/00000000-0000-4000-8000-000000000000/webhook`,
      headers: good,
      payload,
    });
    expect(none.statusCode).toBe(404);
  });

  it('lists the catalogue (17 built-ins) and lets admins add types', async () => {
    const cat = (await t.request('GET', '/api/v1/signal-types', { token: rep })).json().data;
    expect(cat.filter((k: any) => k.builtin)).toHaveLength(17);
    for (const k of [
      'website_visit',
      'tender_notice',
      'registry_change',
      'customs_record',
      'meeting_note',
      'support_ticket',
      'payment_overdue',
      'job_change',
      'product_usage',
    ]) {
      expect(cat.map((c: any) => c.key)).toContain(k);
    }
    expect(
      (
        await t.request('POST', '/api/v1/signal-types', {
          token: rep,
          body: { key: 'trade_show', name: '展会' },
        })
      ).statusCode,
    ).toBe(403);
    const made = await t.request('POST', '/api/v1/signal-types', {
      token: admin,
      body: {
        key: 'trade_show',
        name: '展会',
        payload_fields: { booth_visits: { type: 'integer', required: true } },
      },
    });
    expect(made.statusCode, made.body).toBe(201);
    const r = await t.request('POST', '/api/v1/signals', {
      token: rep,
      body: [
        sig({ type: 'trade_show', payload: { booth_visits: 3 } }),
        sig({ type: 'trade_show', payload: {} }),
      ],
    });
    expect(r.json().results.map((x: any) => x.status)).toEqual(['accepted', 'rejected']);
  });

  it('computes the value matrix and lets admins override with a reason', async () => {
    const m = await t.request('GET', '/api/v1/signal-sources', { token: rep });
    expect(m.statusCode, m.body).toBe(200);
    const web = m.json().data.find((s: any) => s.key === 'web-analytics');
    expect(web.coverage).toBeGreaterThan(0);
    expect(web.timeliness).toBeGreaterThan(9);
    expect(web.score).toBeCloseTo(Math.cbrt(web.coverage * web.timeliness * web.relevance), 1);
    const noReason = await t.request('PATCH', `/api/v1/signal-sources/${web.id}`, {
      token: admin,
      body: { override_score: 9 },
    });
    expect(noReason.statusCode).toBe(422);
    expect(
      (
        await t.request('PATCH', `/api/v1/signal-sources/${web.id}`, {
          token: rep,
          body: { override_score: 9, override_reason: 'xx' },
        })
      ).statusCode,
    ).toBe(403);
    const ok = await t.request('PATCH', `/api/v1/signal-sources/${web.id}`, {
      token: admin,
      body: { override_score: 9, override_reason: 'strongly tied to wins last year' },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const after = (await t.request('GET', '/api/v1/signal-sources', { token: rep }))
      .json()
      .data.find((s: any) => s.key === 'web-analytics');
    expect(after).toMatchObject({
      score: 9,
      priority: true,
      override_reason: 'strongly tied to wins last year',
    });
  });
});

describe('access control and tenant isolation', () => {
  it('401 without a token and 403 without the permission on every route', async () => {
    const routes: [string, string, unknown?][] = [
      ['POST', '/api/v1/signals', sig()],
      ['GET', '/api/v1/signals'],
      ['GET', '/api/v1/signals/unmatched'],
      ['GET', `/api/v1/signals/00000000-0000-4000-8000-000000000000`],
      ['POST', `/api/v1/signals/00000000-0000-4000-8000-000000000000/link`, { account_id: acc.id }],
      ['GET', '/api/v1/signal-types'],
      ['POST', '/api/v1/signal-types', { key: 'x_y', name: 'x' }],
      ['GET', '/api/v1/signal-sources'],
      ['POST', '/api/v1/signal-sources', { key: 'k', name: 'k' }],
      ['PATCH', `/api/v1/signal-sources/00000000-0000-4000-8000-000000000000`, { name: 'x' }],
      ['POST', `/api/v1/signal-sources/00000000-0000-4000-8000-000000000000/rotate-secret`],
    ];
    for (const [method, url, body] of routes) {
      expect((await t.request(method, url, { body })).statusCode, `${method} ${url}`).toBe(401);
    }
    // coach may read but not write signals; rep may not manage
    expect(
      (await t.request('POST', '/api/v1/signals', { token: t.tenantA.tokens.coach, body: sig() })).statusCode,
    ).toBe(403);
    expect(
      (
        await t.request('POST', `/api/v1/signals/00000000-0000-4000-8000-000000000000/link`, {
          token: t.tenantA.tokens.coach,
          body: { account_id: acc.id },
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await t.request('POST', '/api/v1/signal-sources', { token: rep, body: { key: 'k', name: 'k' } }))
        .statusCode,
    ).toBe(403);
    expect(
      (
        await t.request('POST', `/api/v1/signal-sources/00000000-0000-4000-8000-000000000000/rotate-secret`, {
          token: rep,
        })
      ).statusCode,
    ).toBe(403);
  });

  it("never shows another tenant's signals, sources or accounts (404)", async () => {
    const mine = (await t.request('POST', '/api/v1/signals', { token: rep, body: sig() })).json().results[0]
      .id;
    const other = t.tenantB.tokens.admin;
    expect((await t.request('GET', `/api/v1/signals/${mine}`, { token: other })).statusCode).toBe(404);
    expect(
      (
        await t.request('POST', `/api/v1/signals/${mine}/link`, {
          token: other,
          body: { account_id: acc.id },
        })
      ).statusCode,
    ).toBe(404);
    expect((await t.request('GET', '/api/v1/signals', { token: other })).json().data).toHaveLength(0);
    const src = (await t.request('GET', '/api/v1/signal-sources', { token: admin })).json().data[0];
    expect(
      (await t.request('PATCH', `/api/v1/signal-sources/${src.id}`, { token: other, body: { name: 'x' } }))
        .statusCode,
    ).toBe(404);
    expect((await t.request('GET', '/api/v1/signal-sources', { token: other })).json().data).toHaveLength(0);
    // B's signal naming A's account id stays unmatched in B
    const r = (
      await t.request('POST', '/api/v1/signals', {
        token: other,
        body: sig({ subject: { account_id: acc.id } }),
      })
    ).json();
    expect(r.results[0]).toMatchObject({ status: 'accepted', matched: false });
  });
});
