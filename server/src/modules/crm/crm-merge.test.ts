import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { systemContext } from '../../platform/auth/auth-context.js';
import { moveSignalsBackOnUnmerge, moveSignalsOnMerge } from '../signals/signals.merge.js';
import { withCreditCodeCheckDigit } from './crm.validation.js';
import { setUndoUntil } from './crm-merge.service.js';

const CODE1 = withCreditCodeCheckDigit('91440300MA5DUP000');
const CODE2 = withCreditCodeCheckDigit('91440300MA5DUP001');
const CODE3 = withCreditCodeCheckDigit('91440300MA5MRG000');

let t: TestServer;
let admin: string;
let rep: string;
let repId: string;
let manager: string;

beforeAll(async () => {
  t = await startTestServer();
  admin = t.tenantA.tokens.admin;
  rep = t.tenantA.tokens.rep;
  repId = t.tenantA.userIds.rep;
  manager = t.tenantA.tokens.manager;
}, 120_000);
afterAll(async () => t?.close());

async function call(method: string, url: string, body?: unknown, token = admin, status?: number) {
  const r = await t.request(method, url, { token, body });
  if (status !== undefined) expect(r.statusCode, r.body).toBe(status);
  return r;
}
const create = async (entity: string, body: Record<string, unknown>, token = admin) =>
  (await call('POST', `/api/v1/${entity}`, body, token, 201)).json();
const get = async (url: string, token = admin) => (await call('GET', url, undefined, token, 200)).json();

async function setDefaults(access: string) {
  await call(
    'PUT',
    '/api/v1/sharing/defaults',
    {
      defaults: ['accounts', 'contacts', 'opportunities', 'activities'].map((entity) => ({ entity, access })),
    },
    admin,
    200,
  );
}

const sql = <T>(text: string, params: unknown[] = []) =>
  t.server.platform.database.query<T & Record<string, unknown>>(text, params).then((r) => r.rows);

describe('duplicate checks', () => {
  it('finds accounts by credit code, domain and normalised name, best first, never across tenants', async () => {
    const a = await create('accounts', {
      name: '深圳市华强电子科技股份有限公司',
      domains: ['huaqiang-dup.cn'],
      credit_code: CODE1,
    });
    await create('accounts', { name: '完全无关的公司' });
    // Tenant B has the same name and domain: never a duplicate for tenant A.
    await create(
      'accounts',
      { name: '深圳市华强电子科技股份有限公司', domains: ['huaqiang-dup.cn'] },
      t.tenantB.tokens.admin,
    );

    const byCode = await get(`/api/v1/accounts/duplicates?credit_code=${CODE1.toLowerCase()}`);
    expect(byCode.data).toHaveLength(1);
    expect(byCode.data[0]).toMatchObject({ id: a.id, reasons: ['credit_code'], credit_code: CODE1 });

    const byDomain = await get('/api/v1/accounts/duplicates?domain=https://www.huaqiang-dup.cn/about');
    expect(byDomain.data.map((d: { id: string }) => d.id)).toEqual([a.id]);
    expect(byDomain.data[0].reasons).toEqual(['domain']);

    // Full-width brackets, no region, another legal form: the resolver's normalisation.
    const byName = await get(
      `/api/v1/accounts/duplicates?name=${encodeURIComponent('华强电子科技有限公司')}`,
    );
    expect(byName.data[0]).toMatchObject({ id: a.id, reasons: ['name'] });

    const all = await get(
      `/api/v1/accounts/duplicates?name=${encodeURIComponent('深圳市华强电子科技股份有限公司')}&domain=huaqiang-dup.cn&credit_code=${CODE1}`,
    );
    expect(all.data).toHaveLength(1);
    expect(all.data[0].reasons).toEqual(['credit_code', 'domain', 'name']);
    expect(all.data[0].confidence).toBeGreaterThan(byName.data[0].confidence);

    const latin = await create('accounts', { name: 'Huarui Technology Co., Ltd.' });
    const byLatin = await get(
      `/api/v1/accounts/duplicates?name=${encodeURIComponent('HUARUI  Technology Ltd')}`,
    );
    expect(byLatin.data[0]).toMatchObject({ id: latin.id, reasons: ['name'] });

    const excluded = await get(`/api/v1/accounts/duplicates?credit_code=${CODE1}&exclude_id=${a.id}`);
    expect(excluded.data).toEqual([]);
  });

  it('finds contacts by e-mail, phone (+86 dropped) and the same name at the same account', async () => {
    const acc = await create('accounts', { name: '联系人查重客户' });
    const other = await create('accounts', { name: '联系人查重另一客户' });
    const c = await create('contacts', {
      name: '王海',
      account_id: acc.id,
      emails: ['Wang.Hai@dup.example.cn'],
      phones: ['+86 138-0013-8000'],
    });
    const byEmail = await get('/api/v1/contacts/duplicates?email=wang.hai@dup.example.cn');
    expect(byEmail.data[0]).toMatchObject({ id: c.id, reasons: ['email'], email: 'wang.hai@dup.example.cn' });
    const byPhone = await get('/api/v1/contacts/duplicates?phone=13800138000');
    expect(byPhone.data[0]).toMatchObject({ id: c.id, reasons: ['phone'] });
    const byName = await get(
      `/api/v1/contacts/duplicates?name=${encodeURIComponent('王海')}&account_id=${acc.id}`,
    );
    expect(byName.data[0]).toMatchObject({ id: c.id, reasons: ['name'] });
    // A name alone, or at another account, is not a duplicate.
    expect((await get(`/api/v1/contacts/duplicates?name=${encodeURIComponent('王海')}`)).data).toEqual([]);
    expect(
      (await get(`/api/v1/contacts/duplicates?name=${encodeURIComponent('王海')}&account_id=${other.id}`))
        .data,
    ).toEqual([]);
    expect(
      (await get('/api/v1/contacts/duplicates?email=wang.hai@dup.example.cn', t.tenantB.tokens.admin)).data,
    ).toEqual([]);
  });

  it('shows a rep only records they may see', async () => {
    await setDefaults('private');
    try {
      const hidden = await create('accounts', { name: '保密查重有限公司', credit_code: CODE2 });
      expect((await get(`/api/v1/accounts/duplicates?credit_code=${CODE2}`, rep)).data).toEqual([]);
      expect((await get(`/api/v1/accounts/duplicates?credit_code=${CODE2}`)).data[0].id).toBe(hidden.id);
    } finally {
      await setDefaults('public_read_write');
    }
  });
});

describe('merging accounts', () => {
  it('moves every related record, 404s the merged account with merged_into, and undo restores exactly', async () => {
    const survivor = await create('accounts', {
      name: '合并保留有限公司',
      domains: ['keep.example.cn'],
      industry: 'manufacturing',
      description: null,
    });
    const merged = await create('accounts', {
      name: '合并被并有限公司',
      domains: ['gone.example.cn'],
      credit_code: CODE3,
      industry: 'retail',
      description: '老系统导入',
      website: 'https://gone.example.cn',
    });
    const contact = await create('contacts', {
      name: '被并联系人',
      account_id: merged.id,
      emails: ['x@gone.example.cn'],
    });
    const opp = await create('opportunities', {
      name: '被并商机',
      account_id: merged.id,
      amount: 100000,
      expected_close_date: '2030-06-30',
    });
    const act = await create('activities', {
      type: 'call',
      subject: '被并的电话',
      occurred_at: new Date().toISOString(),
      account_id: merged.id,
      contact_ids: [contact.id],
    });
    await call(
      'POST',
      '/api/v1/signals',
      [
        {
          type: 'website_visit',
          source: 'web-analytics',
          occurred_at: new Date().toISOString(),
          subject: { domain: 'gone.example.cn' },
          payload: { url: 'https://gone.example.cn/pricing', visits: 2 },
        },
      ],
      admin,
      202,
    );
    await t.settle();
    const [rule] = await sql<{ id: string }>(
      'select id from intervention_rules where tenant_id = $1 limit 1',
      [t.tenantA.id],
    );
    // A bundle on the merged account (rules raise them; written here so the test needs no rule to fire).
    const [bundle] = await sql<{ id: string }>(
      `insert into interventions (tenant_id, account_id, rule_id, rule_key, rule_version, severity, title, risk,
         talk_track, resources, due_at, evidence)
       values ($1, $2, coalesce($3, gen_random_uuid()), 'merge_test', 1, 'low', '测试建议', '{}', '话术', '{}', now(), '{}')
       returning id`,
      [t.tenantA.id, merged.id, rule?.id ?? null],
    );
    const predictions = await sql<{ id: string }>(
      'select id from opportunity_predictions where tenant_id = $1 and opportunity_id = $2',
      [t.tenantA.id, opp.id],
    );
    expect(predictions).toHaveLength(1);

    const r = await call(
      'POST',
      '/api/v1/accounts/merge',
      { survivor_id: survivor.id, merged_id: merged.id, fields: { industry: 'merged' } },
      admin,
      200,
    );
    const m = r.json();
    expect(m).toMatchObject({
      entity: 'account',
      survivor_id: survivor.id,
      merged_id: merged.id,
      merged_name: '合并被并有限公司',
      status: 'merged',
      undone_at: null,
      moved: { contacts: 1, opportunities: 1, activities: 1 },
    });
    expect(new Date(m.undo_until).getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);
    await t.settle();

    // The merged account is gone, pointing at the survivor; it leaves lists and search.
    const gone = await call('GET', `/api/v1/accounts/${merged.id}`, undefined, admin, 404);
    expect(gone.json().merged_into).toBe(survivor.id);
    const list = await get(`/api/v1/accounts?q=${encodeURIComponent('合并被并')}`);
    expect(list.data.map((a: { id: string }) => a.id)).not.toContain(merged.id);

    // Field picks and fill-ins: industry picked from the merged; empty description and credit code filled.
    const s = await get(`/api/v1/accounts/${survivor.id}`);
    expect(s).toMatchObject({
      industry: 'retail',
      description: '老系统导入',
      credit_code: CODE3,
      website: 'https://gone.example.cn',
      domains: ['keep.example.cn', 'gone.example.cn'],
      aliases: ['合并被并有限公司'],
    });
    expect((await get(`/api/v1/contacts/${contact.id}`)).account_id).toBe(survivor.id);
    expect((await get(`/api/v1/opportunities/${opp.id}`)).account_id).toBe(survivor.id);
    expect((await get(`/api/v1/activities/${act.id}`)).account_id).toBe(survivor.id);
    const sigRows = await sql<{ id: string; account_id: string }>(
      "select id, account_id from signals where tenant_id = $1 and payload->>'url' = $2",
      [t.tenantA.id, 'https://gone.example.cn/pricing'],
    );
    expect(sigRows.map((x) => x.account_id)).toEqual([survivor.id]);
    const [b] = await sql<{ account_id: string }>('select account_id from interventions where id = $1', [
      bundle.id,
    ]);
    expect(b.account_id).toBe(survivor.id);

    // Counts as the modules reported them.
    const after = await get(`/api/v1/merges/${m.id}`);
    expect(after.moved).toMatchObject({
      contacts: 1,
      opportunities: 1,
      activities: 1,
      signals: 1,
      interventions: 1,
      predictions: predictions.length,
    });
    const history = await get(`/api/v1/merges?record_id=${merged.id}`);
    expect(history.data.map((x: { id: string }) => x.id)).toEqual([m.id]);

    // The survivor's timeline says what happened.
    const timeline = await get(`/api/v1/accounts/${survivor.id}/timeline`);
    expect(timeline.data.find((i: { kind: string }) => i.kind === 'merge')).toMatchObject({
      title: 'Merged 合并被并有限公司 into this account',
      data: { title_zh: '合并了 合并被并有限公司', merge_id: m.id },
    });

    // Undo: both records as they were, every moved row back.
    const u = await call('POST', `/api/v1/merges/${m.id}/undo`, undefined, admin, 200);
    expect(u.json()).toMatchObject({ status: 'undone', moved: after.moved });
    expect(u.json().undone_at).not.toBeNull();
    await t.settle();
    const back = await get(`/api/v1/accounts/${merged.id}`);
    expect(back).toMatchObject({
      name: '合并被并有限公司',
      industry: 'retail',
      credit_code: CODE3,
      domains: ['gone.example.cn'],
      description: '老系统导入',
      created_at: merged.created_at,
    });
    const s2 = await get(`/api/v1/accounts/${survivor.id}`);
    expect(s2).toMatchObject({
      industry: 'manufacturing',
      description: null,
      credit_code: null,
      website: null,
      domains: ['keep.example.cn'],
      aliases: [],
    });
    expect((await get(`/api/v1/contacts/${contact.id}`)).account_id).toBe(merged.id);
    expect((await get(`/api/v1/opportunities/${opp.id}`)).account_id).toBe(merged.id);
    expect((await get(`/api/v1/activities/${act.id}`)).account_id).toBe(merged.id);
    const sigBack = await sql<{ account_id: string }>('select account_id from signals where id = $1', [
      sigRows[0].id,
    ]);
    expect(sigBack[0].account_id).toBe(merged.id);
    const [b2] = await sql<{ account_id: string }>('select account_id from interventions where id = $1', [
      bundle.id,
    ]);
    expect(b2.account_id).toBe(merged.id);
    const timeline2 = await get(`/api/v1/accounts/${survivor.id}/timeline`);
    expect(timeline2.data.some((i: { kind: string }) => i.kind === 'merge_undone')).toBe(true);

    // A second undo is a conflict.
    const again = await call('POST', `/api/v1/merges/${m.id}/undo`, undefined, admin, 409);
    expect(again.headers['content-type']).toContain('problem+json');
  });

  it('refuses an undo after 30 days (409) and names the fields of a bad request', async () => {
    const a = await create('accounts', { name: '过期合并甲' });
    const b = await create('accounts', { name: '过期合并乙' });
    const m = (
      await call('POST', '/api/v1/accounts/merge', { survivor_id: a.id, merged_id: b.id }, manager, 200)
    ).json();
    await t.server.platform.database.tenantTx(t.tenantA.id, (tx) =>
      setUndoUntil(tx, systemContext(t.tenantA.id, 'test'), m.id, new Date(Date.now() - 1000)),
    );
    const late = await call('POST', `/api/v1/merges/${m.id}/undo`, undefined, admin, 409);
    expect(late.json().errors?.[0]?.field).toBe('undo_until');
    const zh = await t.request('POST', `/api/v1/merges/${m.id}/undo`, {
      token: admin,
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(zh.json().detail).toMatch(/30 天/);

    const self = await call(
      'POST',
      '/api/v1/accounts/merge',
      { survivor_id: a.id, merged_id: a.id },
      admin,
      422,
    );
    expect(self.json().errors[0].field).toBe('merged_id');
    const c = await create('accounts', { name: '过期合并丙' });
    const badField = await call(
      'POST',
      '/api/v1/accounts/merge',
      { survivor_id: a.id, merged_id: c.id, fields: { nope: 'merged' } },
      admin,
      422,
    );
    expect(badField.json().errors[0].field).toBe('fields.nope');
    // A record merged away already: 409 naming it; an id that never existed: 404.
    const gone = await call(
      'POST',
      '/api/v1/accounts/merge',
      { survivor_id: a.id, merged_id: b.id },
      admin,
      409,
    );
    expect(gone.json().errors[0].field).toBe('merged_id');
    const missing = await call(
      'POST',
      '/api/v1/accounts/merge',
      { survivor_id: a.id, merged_id: '00000000-0000-4000-8000-000000000000' },
      admin,
      404,
    );
    expect(missing.json().errors[0].field).toBe('merged_id');
  });

  it('refuses to undo a merge whose survivor was merged again since, naming the later merge', async () => {
    const a = await create('accounts', { name: '连环合并甲' });
    const b = await create('accounts', { name: '连环合并乙' });
    const c = await create('accounts', { name: '连环合并丙' });
    const first = (
      await call('POST', '/api/v1/accounts/merge', { survivor_id: b.id, merged_id: a.id }, admin, 200)
    ).json();
    const second = (
      await call('POST', '/api/v1/accounts/merge', { survivor_id: c.id, merged_id: b.id }, admin, 200)
    ).json();
    const refused = await t.request('POST', `/api/v1/merges/${first.id}/undo`, {
      token: admin,
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json()).toMatchObject({ blocking_merge_id: second.id, merged_into: c.id });
    expect(refused.json().detail).toBe('保留的那条记录之后又被合并到了别的记录里，请先撤销后面那次合并');
    expect(refused.json().errors[0].field).toBe('survivor_id');
    // Undoing the later one first, then the earlier one, brings all three back.
    await call('POST', `/api/v1/merges/${second.id}/undo`, undefined, admin, 200);
    await call('POST', `/api/v1/merges/${first.id}/undo`, undefined, admin, 200);
    for (const r of [a, b, c]) await call('GET', `/api/v1/accounts/${r.id}`, undefined, admin, 200);
  });

  it('lets a rep merge only records they may edit, and hides other tenants', async () => {
    await setDefaults('public_read');
    try {
      const mine = await create('accounts', { name: '销售自己的客户' }, rep);
      const theirs = await create('accounts', { name: '别人的客户' });
      const denied = await call(
        'POST',
        '/api/v1/accounts/merge',
        { survivor_id: mine.id, merged_id: theirs.id },
        rep,
      );
      expect(denied.statusCode).toBe(403);
      const coach = await call(
        'POST',
        '/api/v1/accounts/merge',
        { survivor_id: mine.id, merged_id: theirs.id },
        t.tenantA.tokens.coach,
      );
      expect(coach.statusCode).toBe(403);
      const mine2 = await create('accounts', { name: '销售自己的客户二', owner_id: repId }, rep);
      const ok = await call(
        'POST',
        '/api/v1/accounts/merge',
        { survivor_id: mine.id, merged_id: mine2.id },
        rep,
        200,
      );
      const other = await call('GET', `/api/v1/merges/${ok.json().id}`, undefined, t.tenantB.tokens.admin);
      expect(other.statusCode).toBe(404);
      const crossTenant = await call(
        'POST',
        '/api/v1/accounts/merge',
        { survivor_id: mine.id, merged_id: theirs.id },
        t.tenantB.tokens.admin,
      );
      expect(crossTenant.statusCode).toBe(404);
    } finally {
      await setDefaults('public_read_write');
    }
  });
});

describe('merging contacts', () => {
  it("moves activities' contact ids and signals, and undo puts them back exactly", async () => {
    const acc = await create('accounts', { name: '联系人合并客户' });
    const keep = await create('contacts', { name: '张三', account_id: acc.id, emails: ['zhang@c-merge.cn'] });
    const dup = await create('contacts', {
      name: '张三',
      account_id: acc.id,
      emails: ['zs@c-merge.cn'],
      phones: ['13900001111'],
      title: '采购经理',
    });
    const both = await create('activities', {
      type: 'meeting',
      subject: '两人都在',
      occurred_at: new Date().toISOString(),
      account_id: acc.id,
      contact_ids: [keep.id, dup.id],
    });
    const onlyDup = await create('activities', {
      type: 'call',
      subject: '只有重复的',
      occurred_at: new Date().toISOString(),
      account_id: acc.id,
      contact_ids: [dup.id],
    });
    await call(
      'POST',
      '/api/v1/signals',
      [
        {
          type: 'email_opened',
          source: 'mail',
          occurred_at: new Date().toISOString(),
          subject: { email: 'zs@c-merge.cn' },
          payload: { campaign: 'c-merge' },
        },
      ],
      admin,
      202,
    );
    await t.settle();
    const [signal] = await sql<{ id: string; contact_id: string | null }>(
      "select id, contact_id from signals where tenant_id = $1 and payload->>'campaign' = 'c-merge'",
      [t.tenantA.id],
    );

    const dups = await get(
      `/api/v1/contacts/duplicates?name=${encodeURIComponent('张三')}&account_id=${acc.id}&exclude_id=${keep.id}`,
    );
    expect(dups.data.map((d: { id: string }) => d.id)).toEqual([dup.id]);

    const m = (
      await call('POST', '/api/v1/contacts/merge', { survivor_id: keep.id, merged_id: dup.id }, admin, 200)
    ).json();
    expect(m).toMatchObject({ entity: 'contact', moved: { activities: 2 } });
    await t.settle();
    const gone = await call('GET', `/api/v1/contacts/${dup.id}`, undefined, admin, 404);
    expect(gone.json().merged_into).toBe(keep.id);
    expect((await get(`/api/v1/activities/${both.id}`)).contact_ids).toEqual([keep.id]);
    expect((await get(`/api/v1/activities/${onlyDup.id}`)).contact_ids).toEqual([keep.id]);
    expect(await get(`/api/v1/contacts/${keep.id}`)).toMatchObject({
      emails: ['zhang@c-merge.cn', 'zs@c-merge.cn'],
      phones: ['13900001111'],
      title: '采购经理',
    });
    if (signal?.contact_id === dup.id) {
      const [s] = await sql<{ contact_id: string }>('select contact_id from signals where id = $1', [
        signal.id,
      ]);
      expect(s.contact_id).toBe(keep.id);
      expect((await get(`/api/v1/merges/${m.id}`)).moved.signals).toBe(1);
    }

    await call('POST', `/api/v1/merges/${m.id}/undo`, undefined, admin, 200);
    await t.settle();
    expect((await get(`/api/v1/activities/${both.id}`)).contact_ids).toEqual([keep.id, dup.id]);
    expect((await get(`/api/v1/activities/${onlyDup.id}`)).contact_ids).toEqual([dup.id]);
    expect(await get(`/api/v1/contacts/${dup.id}`)).toMatchObject({
      emails: ['zs@c-merge.cn'],
      title: '采购经理',
    });
    expect(await get(`/api/v1/contacts/${keep.id}`)).toMatchObject({
      emails: ['zhang@c-merge.cn'],
      phones: [],
      title: null,
    });
    if (signal?.contact_id === dup.id) {
      const [s] = await sql<{ contact_id: string }>('select contact_id from signals where id = $1', [
        signal.id,
      ]);
      expect(s.contact_id).toBe(dup.id);
    }
  });
});

describe('import warnings', () => {
  it('warns about rows that look like existing accounts or earlier rows, and still imports them', async () => {
    await create('accounts', { name: '导入查重科技有限公司', domains: ['import-dup.cn'] });
    const csv = [
      'name,domains,industry',
      '导入查重科技股份有限公司,,manufacturing',
      '全新导入客户,new-import.cn,retail',
      '另一个名字,new-import.cn,retail',
    ].join('\n');
    const file = {
      entity: 'accounts',
      filename: 'a.csv',
      content_base64: Buffer.from(csv).toString('base64'),
    };
    const r = await call('POST', '/api/v1/imports', { ...file, dry_run: false }, admin);
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.imported).toBe(3);
    expect(body.errors).toEqual([]);
    expect(body.warnings).toEqual([
      expect.objectContaining({
        row: 2,
        field: 'name',
        reason: 'possible duplicate of 导入查重科技有限公司 (name)',
      }),
      expect.objectContaining({
        row: 4,
        field: 'domains',
        reason: 'possible duplicate of 全新导入客户 (domain, row 3)',
        duplicate_of: null,
      }),
    ]);
    const zh = await t.request('POST', '/api/v1/imports', {
      token: admin,
      headers: { 'accept-language': 'zh-CN' },
      body: { ...file, dry_run: true },
    });
    // Now the file's rows exist too: each row is warned about (the first one by its earlier import).
    expect(zh.json().warnings[0].reason).toMatch(/^可能与「导入查重科技/);
    expect(zh.json().warnings[0].reason).toMatch(/（名称相同）$/);
  });
});

describe('undo keeps what changed after the merge', () => {
  it('leaves rows moved elsewhere since, and survivor fields edited since', async () => {
    const S = await create('accounts', { name: '撤销保留有限公司', tags: ['老客户'] });
    const M = await create('accounts', {
      name: '撤销被并有限公司',
      description: '旧描述',
      industry: 'retail',
      tags: ['展会'],
    });
    const D = await create('accounts', { name: '撤销第三有限公司' });
    const moved = await create('contacts', { name: '已转走的联系人', account_id: M.id });
    const stays = await create('contacts', { name: '留在合并里的联系人', account_id: M.id });
    const opp = await create('opportunities', {
      name: '撤销商机',
      account_id: M.id,
      amount: 1000,
      expected_close_date: '2030-06-30',
    });
    const m = (
      await call('POST', '/api/v1/accounts/merge', { survivor_id: S.id, merged_id: M.id }, admin, 200)
    ).json();
    await t.settle();
    await call('PATCH', `/api/v1/contacts/${moved.id}`, { account_id: D.id }, admin, 200);
    await call('PATCH', `/api/v1/opportunities/${opp.id}`, { account_id: D.id }, admin, 200);
    const s1 = await get(`/api/v1/accounts/${S.id}`);
    expect(s1).toMatchObject({ description: '旧描述', industry: 'retail', tags: ['老客户', '展会'] });
    await call(
      'PATCH',
      `/api/v1/accounts/${S.id}`,
      { description: '合并后改的', tags: ['老客户', '展会', '重点'] },
      admin,
      200,
    );

    await call('POST', `/api/v1/merges/${m.id}/undo`, undefined, admin, 200);
    await t.settle();
    expect((await get(`/api/v1/contacts/${moved.id}`)).account_id).toBe(D.id);
    expect((await get(`/api/v1/opportunities/${opp.id}`)).account_id).toBe(D.id);
    expect((await get(`/api/v1/contacts/${stays.id}`)).account_id).toBe(M.id);
    // Edited since: kept; untouched since: back to before; the list loses only what the merge added.
    expect(await get(`/api/v1/accounts/${S.id}`)).toMatchObject({
      description: '合并后改的',
      industry: null,
      tags: ['老客户', '重点'],
    });
    expect((await get(`/api/v1/accounts/${S.id}`)).aliases).not.toContain('撤销被并有限公司');
  });

  it("contact merge undo works from the activity's contacts as they are now", async () => {
    const acc = await create('accounts', { name: '撤销联系人公司有限公司' });
    const cs = await create('contacts', { name: '甲', account_id: acc.id });
    const cm = await create('contacts', { name: '甲二', account_id: acc.id });
    const cx = await create('contacts', { name: '乙', account_id: acc.id });
    const act = await create('activities', {
      type: 'call',
      subject: '后来加了人',
      occurred_at: new Date().toISOString(),
      account_id: acc.id,
      contact_ids: [cm.id],
    });
    const m = (
      await call('POST', '/api/v1/contacts/merge', { survivor_id: cs.id, merged_id: cm.id }, admin, 200)
    ).json();
    await t.settle();
    expect((await get(`/api/v1/activities/${act.id}`)).contact_ids).toEqual([cs.id]);
    await call('PATCH', `/api/v1/activities/${act.id}`, { contact_ids: [cs.id, cx.id] }, admin, 200);
    await call('POST', `/api/v1/merges/${m.id}/undo`, undefined, admin, 200);
    expect((await get(`/api/v1/activities/${act.id}`)).contact_ids).toEqual([cm.id, cx.id]);
  });
});

describe('late deliveries', () => {
  it('a merged delivery that arrives after the undo moves nothing', async () => {
    const S = await create('accounts', { name: '迟到事件保留有限公司' });
    const M = await create('accounts', { name: '迟到事件被并有限公司' });
    const [sig] = await sql<{ id: string }>(
      `insert into signals (tenant_id, type, source, occurred_at, subject, payload, provenance, account_id, matched)
       values ($1, 'website_visit', 'x', now(), '{}', '{}', '{}', $2, true) returning id`,
      [t.tenantA.id, M.id],
    );
    await t.settle();
    t.server.platform.bus.pause();
    try {
      const m = (
        await call('POST', '/api/v1/accounts/merge', { survivor_id: S.id, merged_id: M.id }, admin, 200)
      ).json();
      await call('POST', `/api/v1/merges/${m.id}/undo`, undefined, admin, 200);
      const evs = await sql<{ name: string }>(
        `select * from domain_events where tenant_id = $1 and payload->>'merge_id' = $2 order by id`,
        [t.tenantA.id, m.id],
      );
      const ev = (n: string) => {
        const e = evs.find((x) => x.name === n) as Record<string, unknown>;
        return { ...e, created_at: String(e.created_at) } as never;
      };
      // The merged delivery failed elsewhere and is retried after the unmerged one ran.
      await moveSignalsBackOnUnmerge(t.server.platform, ev('accounts.unmerged'));
      await moveSignalsOnMerge(t.server.platform, ev('accounts.merged'));
      const [s2] = await sql<{ account_id: string }>('select account_id from signals where id = $1', [
        sig.id,
      ]);
      expect(s2.account_id).toBe(M.id);
    } finally {
      t.server.platform.bus.resume();
    }
    await t.settle();
    const [s3] = await sql<{ account_id: string }>('select account_id from signals where id = $1', [sig.id]);
    expect(s3.account_id).toBe(M.id);
  });
});

describe('shares of the merged record', () => {
  it('come back with it on undo', async () => {
    await setDefaults('private');
    try {
      const S = await create('accounts', { name: '共享保留有限公司' });
      const M = await create('accounts', { name: '共享被并有限公司' });
      await call(
        'POST',
        `/api/v1/accounts/${M.id}/shares`,
        { subject_type: 'user', subject_id: repId, access: 'edit' },
        admin,
        201,
      );
      await get(`/api/v1/accounts/${M.id}`, rep);
      const m = (
        await call('POST', '/api/v1/accounts/merge', { survivor_id: S.id, merged_id: M.id }, admin, 200)
      ).json();
      await call('GET', `/api/v1/accounts/${M.id}`, undefined, rep, 404);
      await call('POST', `/api/v1/merges/${m.id}/undo`, undefined, admin, 200);
      expect((await get(`/api/v1/accounts/${M.id}`, rep)).name).toBe('共享被并有限公司');
      const shares = await get(`/api/v1/accounts/${M.id}/shares`);
      expect(shares.data).toEqual([expect.objectContaining({ subject_id: repId, access: 'edit' })]);
    } finally {
      await setDefaults('public_read_write');
    }
  });
});

describe('who may merge', () => {
  it('needs crm:write and delete rights (or ownership) on the merged record', async () => {
    const adminsA = await create('accounts', { name: '权限管理员的客户甲' });
    const adminsB = await create('accounts', { name: '权限管理员的客户乙' });
    const repsOwn = await create('accounts', { name: '权限销售的客户', owner_id: repId }, rep);
    // A rep may edit the admin's records here, but not make them disappear.
    const denied = await call(
      'POST',
      '/api/v1/accounts/merge',
      { survivor_id: repsOwn.id, merged_id: adminsA.id },
      rep,
      403,
    );
    expect(denied.json().errors[0].field).toBe('merged_id');
    const zh = await t.request('POST', '/api/v1/accounts/merge', {
      token: rep,
      headers: { 'accept-language': 'zh-CN' },
      body: { survivor_id: repsOwn.id, merged_id: adminsA.id },
    });
    expect(zh.json().detail).toMatch(/负责人/);
    // Their own record into someone else's: fine.
    await call(
      'POST',
      '/api/v1/accounts/merge',
      { survivor_id: adminsA.id, merged_id: repsOwn.id },
      rep,
      200,
    );

    // A key with crm:merge but no crm:write is refused, naming the permission.
    const key = await call(
      'POST',
      '/api/v1/api-keys',
      { name: 'merge-only', role: 'admin', scopes: ['crm:read', 'crm:merge'] },
      admin,
      201,
    );
    const r = await t.request('POST', '/api/v1/accounts/merge', {
      token: key.json().key,
      body: { survivor_id: adminsA.id, merged_id: adminsB.id },
    });
    expect(r.statusCode, r.body).toBe(403);
    expect(r.json().detail).toContain('crm:write');
    await get(`/api/v1/accounts/${adminsB.id}`);
  });
});

describe('interventions of the merged account', () => {
  it('closes an open bundle that cannot move (the survivor has one for the rule) and reopens it on undo', async () => {
    const S = await create('accounts', { name: '建议保留有限公司' });
    const M = await create('accounts', { name: '建议被并有限公司' });
    const bundle = async (account: string) =>
      (
        await sql<{ id: string }>(
          `insert into interventions (tenant_id, account_id, rule_id, rule_key, rule_version, severity, title, risk,
             talk_track, resources, due_at, evidence)
           values ($1, $2, gen_random_uuid(), 'merge_close_test', 1, 'low', '测试建议', '{}', '话术', '{}', now(), '{}')
           returning id`,
          [t.tenantA.id, account],
        )
      )[0].id;
    const onS = await bundle(S.id);
    const onM = await bundle(M.id);
    const state = async (id: string) =>
      (
        await sql<{ status: string; dismiss_reason: string | null; account_id: string }>(
          'select status, dismiss_reason, account_id from interventions where id = $1',
          [id],
        )
      )[0];
    const m = (
      await call('POST', '/api/v1/accounts/merge', { survivor_id: S.id, merged_id: M.id }, admin, 200)
    ).json();
    await t.settle();
    expect(await state(onM)).toMatchObject({ status: 'dismissed', dismiss_reason: 'merged' });
    expect(await state(onS)).toMatchObject({ status: 'open', account_id: S.id });
    const open = await sql<{ n: number }>(
      "select count(*)::int as n from interventions where tenant_id = $1 and account_id = $2 and status = 'open'",
      [t.tenantA.id, M.id],
    );
    expect(open[0].n).toBe(0);
    await call('POST', `/api/v1/merges/${m.id}/undo`, undefined, admin, 200);
    await t.settle();
    expect(await state(onM)).toMatchObject({ status: 'open', dismiss_reason: null, account_id: M.id });
    expect(await state(onS)).toMatchObject({ status: 'open', account_id: S.id });
  });
});

describe('duplicate checks under a flood of short-name matches', () => {
  it('still finds the account with the same credit code or domain, and the contact with the same e-mail', async () => {
    await sql(
      `insert into accounts (tenant_id, name)
       select $1, '洪流电子' || g || '号有限公司' from generate_series(1, 600) g`,
      [t.tenantA.id],
    );
    const code = withCreditCodeCheckDigit('91440300MA5FLD000');
    const exact = await create('accounts', {
      name: '鑫源截然不同有限公司',
      credit_code: code,
      domains: ['flood-exact.cn'],
    });
    const byCode = await get(
      `/api/v1/accounts/duplicates?name=${encodeURIComponent('洪流电子')}&credit_code=${code}`,
    );
    expect(byCode.data[0]).toMatchObject({ id: exact.id, reasons: ['credit_code'] });
    const byDomain = await get(
      `/api/v1/accounts/duplicates?name=${encodeURIComponent('洪流电子')}&domain=flood-exact.cn`,
    );
    expect(byDomain.data[0]).toMatchObject({ id: exact.id, reasons: ['domain'] });

    const acc = await create('accounts', { name: '联系人洪流客户' });
    await sql(
      `insert into contacts (tenant_id, name, account_id)
       select $1, '洪流' || g, $2 from generate_series(1, 600) g`,
      [t.tenantA.id, acc.id],
    );
    const c = await create('contacts', { name: '别的名字', emails: ['flood@exact.cn'] });
    const hits = await get(
      `/api/v1/contacts/duplicates?email=flood@exact.cn&name=${encodeURIComponent('洪流1')}&account_id=${acc.id}`,
    );
    expect(hits.data[0]).toMatchObject({ id: c.id, reasons: ['email'] });
    expect(hits.data[1]).toMatchObject({ name: '洪流1', reasons: ['name'] });
  });
});

describe('merges at the same time', () => {
  it('A into B and B into A: one merges, the other gets a 409 in business words', async () => {
    const a = await create('accounts', { name: '同时合并甲有限公司' });
    const b = await create('accounts', { name: '同时合并乙有限公司' });
    const results = await Promise.all([
      t.request('POST', '/api/v1/accounts/merge', {
        token: admin,
        headers: { 'accept-language': 'zh-CN' },
        body: { survivor_id: a.id, merged_id: b.id },
      }),
      t.request('POST', '/api/v1/accounts/merge', {
        token: admin,
        headers: { 'accept-language': 'zh-CN' },
        body: { survivor_id: b.id, merged_id: a.id },
      }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const lost = results.find((r) => r.statusCode === 409);
    expect(lost?.headers['content-type']).toContain('problem+json');
    expect(lost?.json().detail).toMatch(/合并/);
    const won = results.find((r) => r.statusCode === 200)?.json();
    expect((await get(`/api/v1/accounts/${won.survivor_id}`)).id).toBe(won.survivor_id);
  });
});
