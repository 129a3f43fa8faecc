import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { normalizeOccurredAt, suggestSignalMapping } from './signal-import.service.js';

let t: TestServer;
let admin: string;
let rep: string;
let acc: { id: string };
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

beforeAll(async () => {
  t = await startTestServer();
  admin = t.tenantA.tokens.admin;
  rep = t.tenantA.tokens.rep;
  const a = await t.request('POST', '/api/v1/accounts', {
    token: admin,
    body: { name: '远景储能科技有限公司', domains: ['envision-ess.cn'], owner_id: t.tenantA.userIds.rep },
  });
  expect(a.statusCode, a.body).toBe(201);
  acc = a.json();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const post = (body: Record<string, unknown>, token: string | null = rep) =>
  t.request('POST', '/api/v1/signals/import', { token, body });

// Row numbers as the user sees them: header = 1, the blank line 5 is skipped.
const MIXED = [
  'type,source,occurred_at,domain,company_name,payload.visits,payload.url,payload.days_overdue,idempotency_key',
  'website_visit,web-analytics,2026-11-20T10:00:00+08:00,envision-ess.cn,,3,/pricing,,mix-1',
  'no_such_type,web-analytics,2026-11-20T10:00:00+08:00,envision-ess.cn,,,,,mix-2',
  'website_visit,web-analytics,yesterday,envision-ess.cn,,1,,,mix-3',
  '',
  'payment_overdue,erp,2026-11-21,,远景储能科技有限公司,,,many,mix-4',
  'payment_overdue,erp,2026/11/21 09:30,,远景储能科技有限公司,,,45,mix-5',
  'website_visit,web-analytics,2026-11-22T08:00:00Z,,未知公司有限公司,2,,,mix-6',
  'website_visit,web-analytics,2026-11-22T08:00:00Z,,,2,,,mix-7',
  'website_visit,web-analytics,2026-11-22T08:00:00Z,envision-ess.cn,,1,,,mix-1',
].join('\n');

describe('POST /signals/import', () => {
  it('imports a mixed file: per-row results with the file row numbers; bad rows never reject the good ones', async () => {
    const dry = await post({ filename: 'signals.csv', content_base64: b64(MIXED), dry_run: true });
    expect(dry.statusCode, dry.body).toBe(200);
    const d = dry.json();
    expect(d).toMatchObject({
      dry_run: true,
      format: 'csv',
      total: 8,
      accepted: 3,
      duplicates: 1,
      rejected: 4,
    });
    expect(d.results.map((r: any) => [r.row, r.status])).toEqual([
      [2, 'accepted'],
      [3, 'rejected'],
      [4, 'rejected'],
      [6, 'rejected'],
      [7, 'accepted'],
      [8, 'accepted'],
      [9, 'rejected'],
      [10, 'duplicate'],
    ]);
    // dry run stores nothing
    expect((await t.request('GET', '/api/v1/signals', { token: rep })).json().data).toHaveLength(0);

    const real = await post({ filename: 'signals.csv', content_base64: b64(MIXED), dry_run: false });
    expect(real.statusCode, real.body).toBe(202);
    const r = real.json();
    // the dry run predicted exactly what happened
    expect(r.results.map((x: any) => [x.row, x.status, x.matched])).toEqual(
      d.results.map((x: any) => [x.row, x.status, x.matched]),
    );
    const byRow = Object.fromEntries(r.results.map((x: any) => [x.row, x]));
    expect(byRow[2]).toMatchObject({ status: 'accepted', matched: true });
    expect(byRow[3].reason).toContain('unknown signal type');
    expect(byRow[4].reason).toContain('occurred_at');
    expect(byRow[6].reason).toContain('days_overdue');
    expect(byRow[7]).toMatchObject({ status: 'accepted', matched: true });
    expect(byRow[8]).toMatchObject({ status: 'accepted', matched: false }); // unmatched is kept
    expect(byRow[9].reason).toContain('subject');
    expect(byRow[10]).toMatchObject({ status: 'duplicate', id: byRow[2].id }); // same key as row 2

    const stored = (await t.request('GET', `/api/v1/signals/${byRow[7].id}`, { token: rep })).json();
    expect(stored).toMatchObject({
      type: 'payment_overdue',
      account_id: acc.id,
      occurred_at: '2026-11-21T01:30:00.000Z', // 09:30 China Standard Time
      payload: { days_overdue: 45 },
      provenance: { method: 'import:csv', filename: 'signals.csv' },
    });
    const visit = (await t.request('GET', `/api/v1/signals/${byRow[2].id}`, { token: rep })).json();
    expect(visit.payload).toEqual({ visits: 3, url: '/pricing' });
    expect(visit.idempotency_key).toBe('mix-1');
    // signals from the file are on the account timeline like any other
    const list = (await t.request('GET', `/api/v1/signals?account_id=${acc.id}`, { token: rep })).json();
    expect(list.data.map((s: any) => s.id).sort()).toEqual([byRow[2].id, byRow[7].id].sort());
  });

  it('re-importing the same file stores nothing new: every good row is a duplicate', async () => {
    const again = (
      await post({ filename: 'signals.csv', content_base64: b64(MIXED), dry_run: false })
    ).json();
    expect(again).toMatchObject({ accepted: 0, duplicates: 4, rejected: 4 });
    // Without key columns the key is derived from the row's content.
    const noKeys = [
      'type;source;occurred_at;domain;payload.visits',
      'website_visit;web-analytics;2026-11-23 10:00;envision-ess.cn;2',
      'website_visit;web-analytics;2026-11-23 11:00;envision-ess.cn;2',
    ].join('\n');
    const first = (await post({ filename: 'k.csv', content_base64: b64(noKeys), dry_run: false })).json();
    expect(first).toMatchObject({ accepted: 2, duplicates: 0 });
    const second = (await post({ filename: 'k.csv', content_base64: b64(noKeys), dry_run: false })).json();
    expect(second).toMatchObject({ accepted: 0, duplicates: 2 });
    expect(second.results.map((r: any) => r.id)).toEqual(first.results.map((r: any) => r.id));
    // and the batch API sees the same keys
    const stored = (await t.request('GET', `/api/v1/signals/${first.results[0].id}`, { token: rep })).json();
    const viaApi = (
      await t.request('POST', '/api/v1/signals', {
        token: rep,
        body: {
          type: stored.type,
          source: stored.source,
          occurred_at: stored.occurred_at,
          subject: stored.subject,
          payload: stored.payload,
          idempotency_key: stored.idempotency_key,
        },
      })
    ).json();
    expect(viaApi.results[0]).toMatchObject({ status: 'duplicate', id: first.results[0].id });
  });

  it('reads Excel, GB18030 CSV with Chinese headers, a payload JSON column, a mapping and a default source', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('信号');
    ws.addRow(['类型', '来源', '发生时间', '公司名称', 'payload.title', 'payload.budget', '事件编号']);
    ws.addRow([
      'tender_notice',
      'tender-platform',
      new Date('2026-11-20T00:00:00Z'),
      '远景储能科技有限公司',
      '储能电站EPC招标',
      12000000,
      'T-1',
    ]);
    ws.addRow(['tender_notice', 'tender-platform', '2026-11-20 15:00', '远景储能', '', '', 'T-2']);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const x = (await post({ filename: '招标.xlsx', content_base64: b64(buf), dry_run: false })).json();
    expect(x).toMatchObject({ format: 'xlsx', accepted: 1, rejected: 1 });
    expect(x.mapping).toMatchObject({
      类型: 'type',
      来源: 'source',
      发生时间: 'occurred_at',
      事件编号: 'source_event_id',
    });
    expect(x.results[0]).toMatchObject({ row: 2, status: 'accepted', matched: true });
    expect(x.results[1]).toMatchObject({ row: 3, status: 'rejected' });
    expect(x.results[1].reason).toContain('title');
    const tender = (await t.request('GET', `/api/v1/signals/${x.results[0].id}`, { token: rep })).json();
    expect(tender).toMatchObject({
      source_event_id: 'T-1',
      payload: { title: '储能电站EPC招标', budget: 12000000 },
      provenance: { method: 'import:xlsx' },
    });

    // GB18030 (as Excel saves CSV in Chinese locales), CRLF:
    // 信号,时间,客户,数据,备注 / meeting_note,2026-11-24T09:00:00+08:00,远景储能科技有限公司,"{""platform"":""wecom"",""summary"":""讨论交付周期""}",忽略
    const content = Buffer.from(
      'd0c5bac52ccab1bce42cbfcdbba72ccafdbedd2cb1b8d7a20d0a6d656574696e675f6e6f74652c323032362d31312d32345430393a30303a30302b30383a30302cd4b6beb0b4a2c4dcbfc6bcbcd3d0cfdeb9abcbbe2c227b2222706c6174666f726d22223a22227765636f6d22222c222273756d6d61727922223a2222ccd6c2dbbdbbb8b6d6dcc6da22227d222cbaf6c2d4',
      'hex',
    );
    const g = await post({
      filename: 'notes.csv',
      content_base64: b64(content),
      mapping: { 信号: 'type', 时间: 'occurred_at', 客户: 'company_name', 数据: 'payload', 备注: 'ignore' },
      source: 'wecom',
      dry_run: false,
    });
    expect(g.statusCode, g.body).toBe(202);
    expect(g.json()).toMatchObject({ accepted: 1, ignored_columns: ['备注'] });
    const note = (await t.request('GET', `/api/v1/signals/${g.json().results[0].id}`, { token: rep })).json();
    expect(note).toMatchObject({
      source: 'wecom',
      account_id: acc.id,
      payload: { platform: 'wecom', summary: '讨论交付周期' },
    });
  });

  it('400 for a bad file or a mapping that cannot produce signals', async () => {
    const bad = async (body: Record<string, unknown>) => {
      const r = await post({ dry_run: true, ...body });
      expect(r.statusCode, r.body).toBe(400);
      return r.json();
    };
    expect((await bad({ filename: 'a.xlsx', content_base64: b64('not a zip') })).errors[0].field).toBe(
      'file',
    );
    expect((await bad({ filename: 'a.xls', content_base64: b64('x') })).errors[0].field).toBe('filename');
    const noType = await bad({
      filename: 'a.csv',
      content_base64: b64('source,occurred_at,domain\nx,2026-11-20,a.cn'),
    });
    expect(noType.errors.map((e: any) => e.field)).toContain('type');
    const noSubject = await bad({
      filename: 'a.csv',
      content_base64: b64('type,source,occurred_at\nx,y,2026-11-20'),
    });
    expect(noSubject.errors.map((e: any) => e.field)).toContain('subject');
    const noSource = await bad({
      filename: 'a.csv',
      content_base64: b64('type,occurred_at,domain\nx,2026-11-20,a.cn'),
    });
    expect(noSource.errors.map((e: any) => e.field)).toContain('source');
    const unknownField = await bad({
      filename: 'a.csv',
      content_base64: b64('type,source,occurred_at,domain\nx,y,2026-11-20,a.cn'),
      mapping: { type: 'type', source: 'source', occurred_at: 'occurred_at', domain: 'website' },
    });
    expect(unknownField.errors[0].field).toBe('mapping.domain');
    await bad({ filename: 'a.csv', content_base64: b64('\n\n') });
    await bad({ filename: 'a.csv' }); // no content
  });

  it('401 without a token, 403 without signals:write; imported signals stay in their tenant (404 elsewhere)', async () => {
    const file = b64(
      'type,source,occurred_at,account_id,payload.visits\nwebsite_visit,web,2026-11-25T00:00:00Z,' +
        acc.id +
        ',1',
    );
    expect((await post({ filename: 'a.csv', content_base64: file, dry_run: true }, null)).statusCode).toBe(
      401,
    );
    expect(
      (await post({ filename: 'a.csv', content_base64: file, dry_run: true }, t.tenantA.tokens.coach))
        .statusCode,
    ).toBe(403);
    // Tenant B importing A's account id: accepted but unmatched in B; A's signal is invisible to B and vice versa.
    const other = t.tenantB.tokens.admin;
    const inB = (await post({ filename: 'a.csv', content_base64: file, dry_run: false }, other)).json();
    expect(inB.results[0]).toMatchObject({ status: 'accepted', matched: false });
    const inA = (await post({ filename: 'a.csv', content_base64: file, dry_run: false })).json();
    expect(inA.results[0]).toMatchObject({ status: 'accepted', matched: true }); // same key, other tenant: not a duplicate
    expect(
      (await t.request('GET', `/api/v1/signals/${inA.results[0].id}`, { token: other })).statusCode,
    ).toBe(404);
    expect((await t.request('GET', `/api/v1/signals/${inB.results[0].id}`, { token: rep })).statusCode).toBe(
      404,
    );
  });

  it('is documented in the OpenAPI schema', async () => {
    const doc = (await t.request('GET', '/openapi.json')).json();
    const op = doc.paths['/api/v1/signals/import'].post;
    expect(Object.keys(op.requestBody.content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining(['filename', 'content_base64', 'mapping', 'dry_run', 'source']),
    );
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '202', '400', '401', '403']));
  });
});

describe('import helpers', () => {
  it('suggests a mapping from English/Chinese headers and payload.<key> columns', () => {
    expect(
      suggestSignalMapping([
        'Type',
        'Source',
        'Date',
        'Company Name',
        'payload.visits',
        '统一社会信用代码',
        'Other',
      ]),
    ).toEqual({
      Type: 'type',
      Source: 'source',
      Date: 'occurred_at',
      'Company Name': 'company_name',
      'payload.visits': 'payload.visits',
      统一社会信用代码: 'credit_code',
    });
  });
  it('reads date-times without an offset as China Standard Time', () => {
    expect(normalizeOccurredAt('2026-11-20T10:00:00Z')).toBe('2026-11-20T10:00:00Z');
    expect(normalizeOccurredAt('2026-11-20')).toBe('2026-11-20T00:00:00+08:00');
    expect(normalizeOccurredAt('2026年11月20日')).toBe('2026-11-20T00:00:00+08:00');
    expect(normalizeOccurredAt('2026/11/20 9:05')).toBe('2026-11-20T09:05:00+08:00');
    expect(normalizeOccurredAt('yesterday')).toBe('yesterday');
  });
});
