import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { parseUserDate, suggestMapping } from './crm-import.service.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.close());

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

async function total(entity: string) {
  const r = await t.request('GET', `/api/v1/${entity}?limit=500`, { token: t.tenantA.tokens.admin });
  return r.json().data.length;
}

// Header = line 1. Lines 3, 5, 6 are bad; line 7 is blank (skipped, not counted).
const accountsCsv = [
  '公司名称,统一社会信用代码,域名,行业,负责人,标签',
  '苏州远航新能源汽车有限公司,91320500MA1MQ7H2X2,yuanhang-sz.com.cn,新能源汽车,admin@acme.test,动力电池;战略客户',
  '杭州坏代码有限公司,12345,hz-bad.com,医疗,,',
  '"Acme Robotics, Ltd.",,acme-robotics.com,制造,rep@acme.test,',
  ',,no-name.com,制造,,',
  '重复代码有限公司,91320500MA1MQ7H2X2,dup.com,制造,nobody@nowhere.test,',
  '',
  '成都天衡机械集团有限公司,,tianheng-cd.com,智能制造,,',
].join('\r\n');

describe('import', () => {
  it('suggests a column mapping from Chinese and English headers', () => {
    expect(
      suggestMapping('accounts', ['公司名称', '统一社会信用代码', 'Website Domain', '负责人', 'Unrelated']),
    ).toEqual({
      公司名称: 'name',
      统一社会信用代码: 'credit_code',
      'Website Domain': 'domains',
      负责人: 'owner',
    });
  });

  it('parses dates the way users type them, rejecting impossible ones', () => {
    expect(parseUserDate('2026-03-01')).toBe('2026-03-01');
    expect(parseUserDate('2026/3/1')).toBe('2026-03-01');
    expect(parseUserDate('3/1/2026')).toBe('2026-03-01');
    expect(parseUserDate('2026年3月1日')).toBe('2026-03-01');
    expect(parseUserDate('2026-02-30')).toBeNull();
    expect(parseUserDate('soon')).toBeNull();
  });

  it('dry run reports every bad row with its row number and reason, and stores nothing', async () => {
    const before = await total('accounts');
    const res = await t.request('POST', '/api/v1/imports', {
      token: t.tenantA.tokens.manager,
      body: {
        entity: 'accounts',
        filename: 'accounts.csv',
        content_base64: b64(`\uFEFF${accountsCsv}`),
        dry_run: true,
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ total: 6, valid: 3, invalid: 3, imported: 0, dry_run: true });
    const byRow = (n: number) => r.errors.filter((e: any) => e.row === n).map((e: any) => e.field);
    expect(byRow(3)).toEqual(['credit_code']);
    expect(byRow(5)).toEqual(['name']);
    expect(byRow(6).sort()).toEqual(['credit_code', 'owner']);
    expect(r.errors.find((e: any) => e.row === 6 && e.field === 'credit_code').reason).toMatch(/duplicate/);
    expect(await total('accounts')).toBe(before);
  });

  it('a real run keeps the good rows, with import lineage, and reports the bad ones', async () => {
    const before = await total('accounts');
    const res = await t.request('POST', '/api/v1/imports', {
      token: t.tenantA.tokens.manager,
      body: {
        entity: 'accounts',
        filename: 'accounts.csv',
        content_base64: b64(accountsCsv),
        dry_run: false,
      },
    });
    const r = res.json();
    expect(r).toMatchObject({ total: 6, valid: 3, invalid: 3, imported: 3 });
    expect(await total('accounts')).toBe(before + 3);
    const list = await t.request('GET', `/api/v1/accounts?q=${encodeURIComponent('远航')}`, {
      token: t.tenantA.tokens.rep,
    });
    const acc = list.json().data[0];
    expect(acc).toMatchObject({
      credit_code: '91320500MA1MQ7H2X2',
      domains: ['yuanhang-sz.com.cn'],
      tags: ['动力电池', '战略客户'],
      owner_id: t.tenantA.userIds.admin,
    });
    const quoted = await t.request('GET', '/api/v1/accounts?q=acme', { token: t.tenantA.tokens.rep });
    expect(quoted.json().data[0].name).toBe('Acme Robotics, Ltd.');
    const lineage = (
      await t.request('GET', `/api/v1/accounts/${acc.id}/lineage`, { token: t.tenantA.tokens.rep })
    ).json().data;
    expect(lineage.find((l: any) => l.field === 'name')).toMatchObject({
      source: 'import:csv',
      method: 'import',
      actor_name: 'manager acme',
    });
  });

  it('imports opportunities from Excel, resolving accounts by name and stages by their Chinese name', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('商机');
    ws.addRow(['商机名称', '客户', '阶段', '金额', '预计成交日期']);
    ws.addRow(['远航 电芯项目', '苏州远航新能源汽车有限公司', '商务谈判', '¥12,500,000', '2027/3/31']);
    ws.addRow(['未知客户项目', '不存在的公司', '商务谈判', '100', '2027-01-01']);
    ws.addRow(['坏日期项目', '苏州远航新能源汽车有限公司', '飞升', '100', '2027-02-30']);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const res = await t.request('POST', '/api/v1/imports', {
      token: t.tenantA.tokens.admin,
      body: { entity: 'opportunities', filename: '商机.xlsx', content_base64: b64(buf), dry_run: false },
    });
    const r = res.json();
    expect(r, res.body).toMatchObject({ total: 3, valid: 1, invalid: 2, imported: 1 });
    expect(r.errors).toEqual(
      expect.arrayContaining([
        { row: 3, field: 'account', reason: expect.stringContaining('不存在的公司') },
        { row: 4, field: 'stage', reason: expect.stringContaining('飞升') },
        { row: 4, field: 'expected_close_date', reason: expect.any(String) },
      ]),
    );
    const opp = (
      await t.request('GET', `/api/v1/opportunities?q=${encodeURIComponent('电芯项目')}`, {
        token: t.tenantA.tokens.rep,
      })
    ).json().data[0];
    expect(opp).toMatchObject({
      stage: 'negotiation',
      probability: 60,
      amount: 12_500_000,
      expected_close_date: '2027-03-31',
      status: 'open',
    });
  });

  it('previews a semicolon-separated file with a suggested mapping', async () => {
    const res = await t.request('POST', '/api/v1/imports/preview', {
      token: t.tenantA.tokens.admin,
      body: {
        entity: 'contacts',
        filename: 'c.csv',
        content_base64: b64('Name;Email;Job Title\n李雷;li.lei@example.com;CTO\n'),
      },
    });
    expect(res.json()).toMatchObject({
      headers: ['Name', 'Email', 'Job Title'],
      suggested_mapping: { Name: 'name', Email: 'emails', 'Job Title': 'title' },
      total_rows: 1,
    });
  });

  it('rejects empty or corrupt files, bad mappings and reps (no import permission)', async () => {
    const post = (body: object, token = t.tenantA.tokens.admin) =>
      t.request('POST', '/api/v1/imports', { token, body: { entity: 'accounts', dry_run: true, ...body } });
    expect((await post({ filename: 'a.csv', content_base64: b64('\n\n') })).statusCode).toBe(400);
    expect(
      (await post({ filename: 'a.xlsx', content_base64: b64('not a zip') })).json().errors[0].field,
    ).toBe('file');
    const badMap = await post({
      filename: 'a.csv',
      content_base64: b64('x\n1\n'),
      mapping: { x: 'password_hash' },
    });
    expect(badMap.statusCode).toBe(400);
    expect(badMap.json().errors[0]).toEqual({ field: 'mapping.x', reason: 'unknown field password_hash' });
    expect(
      (await post({ filename: 'a.csv', content_base64: b64(accountsCsv) }, t.tenantA.tokens.rep)).statusCode,
    ).toBe(403);
    expect((await post({ filename: 'a.csv', content_base64: b64(accountsCsv) }, '')).statusCode).toBe(401);
  });
});

describe('background import', () => {
  it('answers 202 with a job, reports progress, and ends with the same result as a direct import', async () => {
    const lines = ['名称,行业'];
    for (let i = 0; i < 6000; i++) lines.push(`批量客户${i}有限公司,${i === 17 ? '' : '制造'}`);
    lines.push(',制造'); // one bad row (no name): line 6002
    const started = await t.request('POST', '/api/v1/imports', {
      token: t.tenantA.tokens.manager,
      body: {
        entity: 'accounts',
        filename: 'bulk.csv',
        content_base64: b64(lines.join('\n')),
        dry_run: false,
        background: true,
      },
    });
    expect(started.statusCode, started.body).toBe(202);
    const id = started.json().id;
    expect(started.json()).toMatchObject({ status: 'running', entity: 'accounts' });
    expect(
      (await t.request('GET', `/api/v1/imports/jobs/${id}`, { token: t.tenantB.tokens.manager })).statusCode,
    ).toBe(404);
    expect((await t.request('GET', `/api/v1/imports/jobs/${id}`, { token: null })).statusCode).toBe(401);
    expect(
      (await t.request('GET', `/api/v1/imports/jobs/${id}`, { token: t.tenantA.tokens.rep })).statusCode,
    ).toBe(403);
    let job: any;
    for (let i = 0; i < 600; i++) {
      job = (
        await t.request('GET', `/api/v1/imports/jobs/${id}`, { token: t.tenantA.tokens.manager })
      ).json();
      if (job.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(job).toMatchObject({ status: 'succeeded', phase: 'done', processed: 6001 });
    expect(job.result).toMatchObject({ total: 6001, valid: 6000, invalid: 1, imported: 6000 });
    expect(job.result.errors).toEqual([{ row: 6002, field: 'name', reason: expect.any(String) }]);
    const found = await t.request('GET', `/api/v1/accounts?q=${encodeURIComponent('批量客户5999')}`, {
      token: t.tenantA.tokens.rep,
    });
    expect(found.json().data).toHaveLength(1);
  });

  it('refuses an unreadable file in the request itself, starting no job', async () => {
    const res = await t.request('POST', '/api/v1/imports', {
      token: t.tenantA.tokens.manager,
      body: {
        entity: 'accounts',
        filename: 'x.xlsx',
        content_base64: b64('not a workbook'),
        dry_run: false,
        background: true,
      },
    });
    expect(res.statusCode).toBe(400);
  });
});

describe('export', () => {
  it('exports the filtered list as CSV (with BOM) and Excel', async () => {
    const csv = await t.request('GET', `/api/v1/accounts/export?format=csv&q=${encodeURIComponent('远航')}`, {
      token: t.tenantA.tokens.rep,
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.body.trim().split(/\r?\n/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('苏州远航新能源汽车有限公司');
    expect(lines[1]).toContain('动力电池; 战略客户');
    const xlsx = await t.request('GET', '/api/v1/opportunities/export?format=xlsx', {
      token: t.tenantA.tokens.rep,
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as any);
    expect(wb.worksheets[0].rowCount).toBe(2);
    expect((await t.request('GET', '/api/v1/accounts/export', { token: null })).statusCode).toBe(401);
    expect(
      (await t.request('GET', '/api/v1/accounts/export?format=pdf', { token: t.tenantA.tokens.rep }))
        .statusCode,
    ).toBe(400);
  });
});
