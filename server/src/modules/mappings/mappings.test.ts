import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';

let t: TestServer;
let admin: string;

/** A payload of a foreign analytics tool: not our signal shape. */
const foreign = (over: Record<string, unknown> = {}) => ({
  event: 'page_view',
  ts: new Date().toISOString(),
  visitor: { company: { domain: 'mapping-test.example', name: '映射测试有限公司' } },
  page: { url: 'https://example.com/pricing', views: 3 },
  ...over,
});

const signalFields = {
  type: "'website_visit'",
  occurred_at: 'ts',
  domain: 'visitor.company.domain',
  company_name: 'visitor.company.name',
  'payload.url': 'page.url',
  'payload.visits': 'page.views',
};
const onlyPageViews = { '==': [{ var: 'event' }, 'page_view'] };

async function createMapping(body: Record<string, unknown>, token = admin) {
  const res = await t.request('POST', '/api/v1/mappings', { token, body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; status: string; active_version: number | null };
}

async function countSignals(source: string) {
  const res = await t.request('GET', `/api/v1/signals?source=${source}&limit=500`, { token: admin });
  return (res.json().data as unknown[]).length;
}

beforeAll(async () => {
  t = await startTestServer();
  admin = t.tenantA.tokens.admin;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('targets and preview', () => {
  it('lists target fields from their owners (signal ingest fields, CRM field definitions)', async () => {
    const res = await t.request('GET', '/api/v1/mappings/targets', { token: admin });
    expect(res.statusCode, res.body).toBe(200);
    const targets = res.json().data as { target: string; fields: { key: string; required: boolean }[] }[];
    expect(targets.map((x) => x.target)).toEqual([
      'signal',
      'accounts',
      'contacts',
      'opportunities',
      'activities',
    ]);
    const signal = targets.find((x) => x.target === 'signal')!;
    expect(signal.fields.find((f) => f.key === 'type')).toMatchObject({ required: true });
    expect(signal.fields.map((f) => f.key)).toContain('company_name');
    const accounts = targets.find((x) => x.target === 'accounts')!;
    expect(accounts.fields.find((f) => f.key === 'name')).toMatchObject({ required: true });
    expect(accounts.fields.find((f) => f.key === 'industry')).toMatchObject({ required: false });
  });

  it('maps a good sample into the record; errors name the field, in zh-CN and en', async () => {
    const good = await t.request('POST', '/api/v1/mappings/preview', {
      token: admin,
      body: { target: 'signal', fields: signalFields, trigger: onlyPageViews, sample: foreign() },
    });
    expect(good.statusCode, good.body).toBe(200);
    expect(good.json().errors).toEqual([]);
    expect(good.json().record).toMatchObject({
      type: 'website_visit',
      subject: { domain: 'mapping-test.example', company_name: '映射测试有限公司' },
      payload: { url: 'https://example.com/pricing', visits: 3 },
    });
    expect(good.json().trigger).toEqual({ passes: true, error: null });

    const bad = await t.request('POST', '/api/v1/mappings/preview', {
      token: admin,
      headers: { 'accept-language': 'zh-CN' },
      body: {
        target: 'signal',
        fields: { ...signalFields, company_name: 'visitor.company.(', strength: '$number(page.views) * 10' },
        sample: foreign(),
      },
    });
    expect(bad.statusCode, bad.body).toBe(200);
    const errors = bad.json().errors as {
      field: string;
      kind: string;
      reason: string;
      reasons: Record<string, string>;
    }[];
    const syntax = errors.find((e) => e.field === 'company_name');
    expect(syntax).toMatchObject({ kind: 'syntax' });
    expect(syntax?.reason).toMatch(/^表达式写法有误/);
    expect(syntax?.reasons.en).toMatch(/^The expression cannot be read near character/);
    const strength = errors.find((e) => e.field === 'strength');
    expect(strength).toMatchObject({ kind: 'invalid' });
    expect(strength?.reasons.en).toBeTruthy();
    expect(errors.map((e) => e.field).sort()).toEqual(['company_name', 'strength']);

    // an evaluation error, a missing required field and the type's payload schema (visits: a number)
    const more = await t.request('POST', '/api/v1/mappings/preview', {
      token: admin,
      body: {
        target: 'signal',
        fields: { ...signalFields, occurred_at: '', type: '$nosuch(ts)', 'payload.visits': "'many'" },
        sample: foreign(),
      },
    });
    const moreErrors = more.json().errors as { field: string; kind: string }[];
    expect(moreErrors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'type', kind: 'evaluation' }),
        expect.objectContaining({ field: 'occurred_at', kind: 'required' }),
      ]),
    );

    const crm = await t.request('POST', '/api/v1/mappings/preview', {
      token: admin,
      body: {
        target: 'accounts',
        fields: { name: 'visitor.company.name', employees: "'lots'", domains: '[visitor.company.domain]' },
        sample: foreign(),
      },
    });
    expect(crm.json().record).toMatchObject({ name: '映射测试有限公司', domains: ['mapping-test.example'] });
    expect(crm.json().errors).toEqual([expect.objectContaining({ field: 'employees', kind: 'invalid' })]);
  });

  it('reports a payload failing the trigger and a broken trigger', async () => {
    const res = await t.request('POST', '/api/v1/mappings/preview', {
      token: admin,
      body: {
        target: 'signal',
        fields: signalFields,
        trigger: onlyPageViews,
        sample: foreign({ event: 'click' }),
      },
    });
    expect(res.json().trigger).toEqual({ passes: false, error: null });
    const broken = await t.request('POST', '/api/v1/mappings/preview', {
      token: admin,
      body: { target: 'signal', fields: signalFields, trigger: { nosuchop: [1] }, sample: foreign() },
    });
    expect(broken.json().trigger).toMatchObject({
      passes: false,
      error: { field: 'trigger', kind: 'trigger' },
    });
  });
});

describe('versions', () => {
  it('keeps one draft and at most one active version; activate freezes the draft as version N', async () => {
    const def = await createMapping({
      name: '官网访问',
      target: 'signal',
      draft: { sample: foreign(), fields: signalFields, trigger: onlyPageViews },
    });
    expect(def).toMatchObject({ status: 'draft', active_version: null });

    const v1 = await t.request('POST', `/api/v1/mappings/${def.id}/activate`, { token: admin, body: {} });
    expect(v1.statusCode, v1.body).toBe(200);
    expect(v1.json()).toMatchObject({ status: 'active', active_version: 1 });

    // editing the draft leaves version 1 as it was
    const put = await t.request('PUT', `/api/v1/mappings/${def.id}/draft`, {
      token: admin,
      body: { sample: foreign(), fields: { ...signalFields, strength: '0.5' }, trigger: null },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({
      active_version: 1,
      draft: { fields: { strength: '0.5' }, trigger: null },
    });
    const one = await t.request('GET', `/api/v1/mappings/${def.id}/versions/1`, { token: admin });
    expect(one.json()).toMatchObject({ version: 1, active: true, trigger: onlyPageViews });
    expect(one.json().fields.strength).toBeUndefined();

    const v2 = await t.request('POST', `/api/v1/mappings/${def.id}/activate`, { token: admin, body: {} });
    expect(v2.json()).toMatchObject({ active_version: 2 });
    const versions = await t.request('GET', `/api/v1/mappings/${def.id}/versions`, { token: admin });
    expect(
      versions.json().data.map((v: { version: number; active: boolean }) => [v.version, v.active]),
    ).toEqual([
      [2, true],
      [1, false],
    ]);

    // back to version 1 without a new version
    const back = await t.request('POST', `/api/v1/mappings/${def.id}/activate`, {
      token: admin,
      body: { version: 1 },
    });
    expect(back.json()).toMatchObject({ active_version: 1 });
    expect(
      (await t.request('GET', `/api/v1/mappings/${def.id}/versions`, { token: admin })).json().data,
    ).toHaveLength(2);
    const missing = await t.request('POST', `/api/v1/mappings/${def.id}/activate`, {
      token: admin,
      body: { version: 9 },
    });
    expect(missing.statusCode).toBe(404);

    const off = await t.request('POST', `/api/v1/mappings/${def.id}/deactivate`, { token: admin });
    expect(off.json()).toMatchObject({ status: 'draft', active_version: null });
  });

  it('refuses to activate a draft with errors on its sample, naming the field', async () => {
    const def = await createMapping({
      name: '坏草稿',
      target: 'signal',
      draft: { sample: foreign(), fields: { ...signalFields, type: "'website_visit" } },
    });
    const res = await t.request('POST', `/api/v1/mappings/${def.id}/activate`, {
      token: admin,
      headers: { 'accept-language': 'zh-CN' },
      body: {},
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors[0].field).toBe('type');
    expect(res.json().detail).toBe('草稿在样例数据上有错误');
    expect(
      (await t.request('GET', `/api/v1/mappings/${def.id}/versions`, { token: admin })).json().data,
    ).toEqual([]);
  });
});

describe('test runs', () => {
  it('is a dry run through the real ingest: the result is reported, nothing is stored, the run is recorded', async () => {
    const def = await createMapping({
      name: '试运行',
      target: 'signal',
      draft: { sample: foreign(), fields: { ...signalFields, source: "'dry-run-src'" } },
    });
    const run = await t.request('POST', `/api/v1/mappings/${def.id}/test-run`, { token: admin, body: {} });
    expect(run.statusCode, run.body).toBe(200);
    expect(run.json()).toMatchObject({ status: 'ok', dry_run: true, version: null });
    expect(run.json().result.ingest).toMatchObject({ accepted: 1, rejected: 0 });
    expect(run.json().result.ingest.results[0].id).toBeNull();
    expect(await countSignals('dry-run-src')).toBe(0);

    // a payload the ingest rejects (type's payload schema) fails at the write path, still nothing stored
    const bad = await t.request('POST', `/api/v1/mappings/${def.id}/test-run`, {
      token: admin,
      body: { payload: foreign({ ts: 'not a time' }) },
    });
    expect(bad.json()).toMatchObject({ status: 'failed' });
    expect(bad.json().errors[0].field).toBe('occurred_at');

    const runs = await t.request('GET', `/api/v1/mappings/${def.id}/runs`, { token: admin });
    expect(runs.statusCode, runs.body).toBe(200);
    expect(runs.json().data.map((r: { trigger: string; status: string }) => [r.trigger, r.status])).toEqual([
      ['test', 'failed'],
      ['test', 'ok'],
    ]);
    expect(runs.json().data[1].input_excerpt).toContain('mapping-test.example');
  });

  it('rolls a CRM create back', async () => {
    const def = await createMapping({
      name: '线索建客户',
      target: 'accounts',
      draft: {
        sample: foreign(),
        fields: { name: "'试运行客户 ' & visitor.company.name", industry: "'制造'" },
      },
    });
    const run = await t.request('POST', `/api/v1/mappings/${def.id}/test-run`, { token: admin, body: {} });
    expect(run.json(), run.body).toMatchObject({ status: 'ok', dry_run: true, result: { record_id: null } });
    const list = await t.request('GET', `/api/v1/accounts?q=${encodeURIComponent('试运行客户')}`, {
      token: admin,
    });
    expect(list.json().data).toEqual([]);
  });
});

describe('inbound webhook sources', () => {
  async function source(key: string) {
    const res = await t.request('POST', '/api/v1/signal-sources', {
      token: admin,
      body: { key, name: key, kind: 'webhook' },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; webhook_secret: string };
  }
  function send(src: { id: string; webhook_secret: string }, body: unknown, msgId: string) {
    const payload = JSON.stringify(body);
    const stamp = new Date();
    return t.app.inject({
      method: 'POST',
      url: `/api/v1/sources/${src.id}/webhook`,
      headers: {
        'content-type': 'application/json',
        'webhook-id': msgId,
        'webhook-timestamp': String(Math.floor(stamp.getTime() / 1000)),
        'webhook-signature': new Webhook(src.webhook_secret).sign(msgId, stamp, payload),
      },
      payload,
    });
  }

  it('maps a signed foreign payload into a signal, records the run, skips payloads failing the trigger', async () => {
    const src = await source('analytics-x');
    const def = await createMapping({
      name: '分析工具推送',
      target: 'signal',
      source_id: src.id,
      draft: { sample: foreign(), fields: signalFields, trigger: onlyPageViews },
    });
    // no active version yet: the payload goes to the plain ingest (and is rejected as not our shape)
    const plain = await send(src, foreign(), 'msg_plain');
    expect(plain.statusCode, plain.body).toBe(202);
    expect(JSON.parse(plain.body)).toMatchObject({ rejected: 1 });
    expect(JSON.parse(plain.body).mapping).toBeUndefined();
    // …but it is captured as the source's sample
    const sample = await t.request('GET', `/api/v1/mappings/sources/${src.id}/sample`, { token: admin });
    expect(sample.json().payload).toMatchObject({ event: 'page_view' });

    await t.request('POST', `/api/v1/mappings/${def.id}/activate`, { token: admin, body: {} });
    const ok = await send(src, foreign(), 'msg_1');
    expect(ok.statusCode, ok.body).toBe(202);
    const okBody = JSON.parse(ok.body);
    expect(okBody).toMatchObject({ accepted: 1, mapping: { id: def.id, status: 'ok' } });
    const stored = (await t.request('GET', '/api/v1/signals?source=analytics-x', { token: admin })).json()
      .data;
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      type: 'website_visit',
      source: 'analytics-x',
      subject: { domain: 'mapping-test.example' },
      payload: { url: 'https://example.com/pricing', visits: 3 },
      provenance: { method: 'webhook', source_id: src.id, mapping_id: def.id, mapping_version: 1 },
    });
    // a redelivery is a duplicate
    const again = await send(src, foreign(), 'msg_1');
    expect(JSON.parse(again.body)).toMatchObject({ accepted: 0, duplicates: 1 });

    const skipped = await send(src, foreign({ event: 'click' }), 'msg_2');
    expect(skipped.statusCode).toBe(202);
    expect(JSON.parse(skipped.body)).toMatchObject({ accepted: 0, mapping: { status: 'skipped' } });
    expect(await countSignals('analytics-x')).toBe(1);

    const runs = (await t.request('GET', `/api/v1/mappings/${def.id}/runs`, { token: admin })).json()
      .data as {
      trigger: string;
      status: string;
      dry_run: boolean;
      version: number;
      source_id: string;
      input_excerpt: string;
    }[];
    expect(runs.map((r) => [r.trigger, r.status])).toEqual([
      ['webhook', 'skipped'],
      ['webhook', 'ok'],
      ['webhook', 'ok'],
    ]);
    expect(runs[0]).toMatchObject({ dry_run: false, version: 1, source_id: src.id });
    expect(runs[0].input_excerpt).toContain('"event":"click"');
  });

  it('creates a CRM record from a webhook once per webhook id', async () => {
    const src = await source('forms-y');
    const def = await createMapping({
      name: '表单建客户',
      target: 'accounts',
      source_id: src.id,
      draft: { sample: foreign(), fields: { name: "'表单客户 ' & visitor.company.name" } },
    });
    await t.request('POST', `/api/v1/mappings/${def.id}/activate`, { token: admin, body: {} });
    const r1 = await send(src, foreign(), 'form_1');
    expect(JSON.parse(r1.body), r1.body).toMatchObject({ accepted: 1, mapping: { status: 'ok' } });
    const r2 = await send(src, foreign(), 'form_1');
    expect(JSON.parse(r2.body)).toMatchObject({ accepted: 0, duplicates: 1 });
    const list = await t.request('GET', `/api/v1/accounts?q=${encodeURIComponent('表单客户')}`, {
      token: admin,
    });
    expect(list.json().data).toHaveLength(1);
    expect(list.json().data[0].id).toBe(JSON.parse(r1.body).results[0].id);
  });

  it('one mapping per source', async () => {
    const src = await source('only-one');
    await createMapping({ name: 'a', target: 'signal', source_id: src.id });
    const second = await t.request('POST', '/api/v1/mappings', {
      token: admin,
      body: { name: 'b', target: 'signal', source_id: src.id },
    });
    expect(second.statusCode).toBe(409);
    const unknown = await t.request('POST', '/api/v1/mappings', {
      token: admin,
      body: { name: 'c', target: 'signal', source_id: '00000000-0000-4000-8000-000000000000' },
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0].field).toBe('source_id');
  });
});

describe('access', () => {
  it('keeps tenants apart and needs mappings:manage', async () => {
    const def = await createMapping({ name: '租户A的映射', target: 'signal' });
    const other = t.tenantB.tokens.admin;
    for (const [method, url] of [
      ['GET', `/api/v1/mappings/${def.id}`],
      ['GET', `/api/v1/mappings/${def.id}/versions`],
      ['GET', `/api/v1/mappings/${def.id}/runs`],
      ['POST', `/api/v1/mappings/${def.id}/activate`],
      ['POST', `/api/v1/mappings/${def.id}/test-run`],
      ['DELETE', `/api/v1/mappings/${def.id}`],
    ] as const) {
      const res = await t.request(method, url, { token: other, body: method === 'POST' ? {} : undefined });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    const preview = await t.request('POST', '/api/v1/mappings/preview', {
      token: other,
      body: { definition_id: def.id, sample: {} },
    });
    expect(preview.statusCode).toBe(404);
    const listB = await t.request('GET', '/api/v1/mappings', { token: other });
    expect(listB.json().data.map((d: { id: string }) => d.id)).not.toContain(def.id);

    const rep = t.tenantA.tokens.rep;
    for (const [method, url] of [
      ['GET', '/api/v1/mappings'],
      ['GET', '/api/v1/mappings/targets'],
      ['POST', '/api/v1/mappings/preview'],
      ['GET', `/api/v1/mappings/${def.id}`],
      ['POST', `/api/v1/mappings/${def.id}/test-run`],
    ] as const) {
      const res = await t.request(method, url, { token: rep, body: method === 'POST' ? {} : undefined });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
    }
    const anon = await t.request('GET', '/api/v1/mappings', { token: null });
    expect(anon.statusCode).toBe(401);

    const del = await t.request('DELETE', `/api/v1/mappings/${def.id}`, { token: admin });
    expect(del.statusCode).toBe(204);
    expect((await t.request('GET', `/api/v1/mappings/${def.id}`, { token: admin })).statusCode).toBe(404);
  });
});
