import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { phoneE164 } from './crm.validation.js';
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

describe('export: spreadsheet formula injection (OWASP CSV injection)', () => {
  // Texts a spreadsheet would run as formulas, and what the export must write instead.
  const NASTY = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    '-2+3+cmd|calc',
    '@SUM(1+1)*cmd|calc',
    '＝1+1', // full-width equals sign, read as a formula start by Excel/WPS
    "'=already quoted",
  ];

  it('writes formula-like texts with a leading quote in CSV and Excel, keeps numbers as numbers, and the import gives the original text back', async () => {
    const admin = t.tenantA.tokens.admin;
    const field = await t.request('POST', '/api/v1/custom-fields', {
      token: admin,
      body: { entity: 'accounts', key: 'margin', label: '毛利率', type: 'number' },
    });
    expect(field.statusCode, field.body).toBe(201);
    for (const [i, name] of NASTY.entries()) {
      const r = await t.request('POST', '/api/v1/accounts', {
        token: admin,
        body: { name, industry: '注入测试', tags: ['=1+2', 'ok'], custom: { margin: i === 0 ? -12.5 : i } },
      });
      expect(r.statusCode, r.body).toBe(201);
    }

    const csv = await t.request(
      'GET',
      `/api/v1/accounts/export?format=csv&industry=${encodeURIComponent('注入测试')}`,
      {
        token: t.tenantA.tokens.rep,
      },
    );
    expect(csv.statusCode).toBe(200);
    const parsed = Papa.parse<string[]>(csv.body.replace(/^\uFEFF/, ''), { skipEmptyLines: true }).data;
    const [headers, ...rows] = parsed;
    const col = (h: string) => headers.indexOf(h);
    const names = rows.map((r) => r[col('name')]);
    expect(names.sort()).toEqual(NASTY.map((n) => `'${n}`).sort());
    for (const r of rows) expect(r[col('tags')]).toBe("'=1+2; ok");
    // Every text cell that starts like a formula is quoted; no cell of the file would run.
    for (const r of rows)
      for (const c of r) if (!/^-?\d+(\.\d+)?$/.test(c)) expect(c).not.toMatch(/^[=+\-@\t\r＝＋－＠]/);
    // A negative number stays a plain number in the CSV text (not quoted, not prefixed).
    expect(csv.body).toMatch(/,-12\.5(,|\r?\n|$)/);

    const xlsx = await t.request(
      'GET',
      `/api/v1/accounts/export?format=xlsx&industry=${encodeURIComponent('注入测试')}`,
      {
        token: t.tenantA.tokens.rep,
      },
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as any);
    const ws = wb.worksheets[0];
    const xHeaders = (ws.getRow(1).values as unknown[]).slice(1);
    const nameCol = xHeaders.indexOf('name') + 1;
    const marginCol = xHeaders.indexOf('custom.margin') + 1;
    const xNames: unknown[] = [];
    const margins: unknown[] = [];
    ws.eachRow((row, n) => {
      if (n === 1) return;
      const cell = row.getCell(nameCol);
      expect(cell.type).toBe(ExcelJS.ValueType.String); // text, never a formula cell
      xNames.push(cell.value);
      margins.push(row.getCell(marginCol).value);
    });
    expect(xNames.sort()).toEqual(NASTY.map((n) => `'${n}`).sort());
    expect(margins).toContain(-12.5); // a number cell, so Excel sums and sorts it
    expect(typeof margins[0]).toBe('number');

    // Round trip: importing the exported file (into the other tenant) stores the original texts.
    for (const [format, content] of [
      ['csv', Buffer.from(csv.body)],
      ['xlsx', xlsx.rawPayload],
    ] as const) {
      const imported = await t.request('POST', '/api/v1/imports', {
        token: t.tenantB.tokens.admin,
        body: {
          entity: 'accounts',
          filename: `accounts.${format}`,
          content_base64: b64(content),
          dry_run: false,
        },
      });
      expect(imported.json(), imported.body).toMatchObject({ imported: NASTY.length, invalid: 0 });
      const back = await t.request(
        'GET',
        `/api/v1/accounts?limit=500&industry=${encodeURIComponent('注入测试')}`,
        { token: t.tenantB.tokens.admin },
      );
      const got = back.json().data;
      expect(got.map((a: any) => a.name).sort()).toEqual(
        [...NASTY, ...(format === 'xlsx' ? NASTY : [])].sort(),
      );
      for (const a of got) expect(a.tags).toEqual(['=1+2', 'ok']);
    }
  });
});

describe('web addresses and phone numbers', () => {
  const create = (body: object, entity = 'accounts') =>
    t.request('POST', `/api/v1/${entity}`, { token: t.tenantA.tokens.admin, body });

  it('accepts only http(s) web addresses; a bare host name gets https://', async () => {
    for (const website of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<script>1</script>',
      'vbscript:x',
      'ftp://files.example.com',
      'http://',
      'not a url',
      'java\tscript:alert(1)',
    ]) {
      const r = await create({ name: `网址测试 ${website}`, website });
      expect(r.statusCode, website).toBe(400);
      expect(r.json().errors[0].field).toBe('website');
    }
    const bad = await create({ name: '网址测试', website: 'javascript:alert(1)' });
    expect(bad.json().errors[0].reason).toBe(
      'only web addresses starting with http:// or https:// are accepted',
    );
    const zh = await t.request('POST', '/api/v1/accounts', {
      token: t.tenantA.tokens.admin,
      body: { name: '网址测试', website: 'javascript:alert(1)' },
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(zh.json().errors[0].reason).toBe('网址只能以 http:// 或 https:// 开头');

    for (const [typed, stored] of [
      ['https://www.huawei.com/cn/', 'https://www.huawei.com/cn/'],
      ['HTTP://Example.com', 'HTTP://Example.com'],
      ['www.catl.com', 'https://www.catl.com'],
      ['example.com:8080/path', 'https://example.com:8080/path'],
    ]) {
      const r = await create({ name: `网址 ${typed}`, website: typed });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json().website).toBe(stored);
    }
    const cleared = await create({ name: '网址清空', website: '' });
    expect(cleared.statusCode).toBe(201);
  });

  it('accepts Chinese mobiles, landlines with area code, +86 and international numbers, as typed', async () => {
    for (const phone of [
      '13800138000',
      '010-12345678',
      '(021) 8765 4321',
      '+86 138 0013 8000',
      '0086 13800138000',
      '+1 650 253 0000',
      '400-810-8888',
    ]) {
      const r = await create({ name: `电话 ${phone}`, phone });
      expect(r.statusCode, `${phone}: ${r.body}`).toBe(201);
      expect(r.json().phone).toBe(phone);
    }
    const c = await create({ name: '李雷', phones: ['13800138000', '+44 20 7946 0958'] }, 'contacts');
    expect(c.statusCode, c.body).toBe(201);
    expect(c.json().phones).toEqual(['13800138000', '+44 20 7946 0958']);
  });

  it('refuses an invalid phone with 400 naming the field and saying what to enter', async () => {
    for (const phone of ['12345', '1380013800', '23800138000', 'call me', '0755-8765432']) {
      const r = await create({ name: `坏电话 ${phone}`, phone });
      expect(r.statusCode, phone).toBe(400);
      expect(r.json().errors[0]).toEqual({
        field: 'phone',
        reason: expect.stringMatching(/^not a valid phone number: enter a mobile number such as 13800138000/),
      });
    }
    const c = await create({ name: '韩梅梅', phones: ['13800138000', '999'] }, 'contacts');
    expect(c.statusCode).toBe(400);
    expect(c.json().errors[0].field).toBe('phones.1');
    const zh = await t.request('POST', '/api/v1/accounts', {
      token: t.tenantA.tokens.admin,
      body: { name: '坏电话', phone: '12345' },
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(zh.json().errors[0].reason).toMatch(/^电话号码无效：请填写手机号/);
  });

  it('checks imported rows the same way, reporting each bad one with its row number', async () => {
    const file = [
      '公司名称,官网,电话',
      '好客户有限公司,www.good.cn,010-12345678',
      '坏网址有限公司,javascript:alert(1),13800138000',
      '坏电话有限公司,https://bad-phone.cn,12345',
    ].join('\n');
    const res = await t.request('POST', '/api/v1/imports', {
      token: t.tenantA.tokens.admin,
      body: { entity: 'accounts', filename: 'a.csv', content_base64: b64(file), dry_run: true },
    });
    expect(res.json()).toMatchObject({ total: 3, valid: 1, invalid: 2 });
    expect(res.json().errors).toEqual([
      {
        row: 3,
        field: 'website',
        reason: 'only web addresses starting with http:// or https:// are accepted',
      },
      { row: 4, field: 'phone', reason: expect.stringMatching(/^not a valid phone number/) },
    ]);
    const contacts = ['姓名,手机', '李雷,13800138000;+86 139 0013 9000', '韩梅梅,13800138000;555'].join('\n');
    const c = await t.request('POST', '/api/v1/imports', {
      token: t.tenantA.tokens.admin,
      body: { entity: 'contacts', filename: 'c.csv', content_base64: b64(contacts), dry_run: true },
    });
    expect(c.json()).toMatchObject({ total: 2, valid: 1, invalid: 1 });
    expect(c.json().errors).toEqual([
      { row: 3, field: 'phones.1', reason: expect.stringMatching(/^not a valid phone number/) },
    ]);
  });

  it('gives the E.164 form of what was typed', () => {
    expect(phoneE164('13800138000')).toBe('+8613800138000');
    expect(phoneE164('010-12345678')).toBe('+861012345678');
    expect(phoneE164('+86 138 0013 8000')).toBe('+8613800138000');
    expect(phoneE164('0086 13800138000')).toBe('+8613800138000');
    expect(phoneE164('+1 650 253 0000')).toBe('+16502530000');
    expect(phoneE164('12345')).toBeNull();
  });
});

describe('import reasons in business words', () => {
  // Zod's own wording, in English or in its Chinese locale, must never reach the person importing.
  const ZOD_WORDS = /Invalid input|expected|received|Too (big|small)|无效输入|期望|实际接收|过大|过小/;

  async function dryRun(entity: string, lines: string[], language: string) {
    const res = await t.request('POST', '/api/v1/imports', {
      token: t.tenantA.tokens.admin,
      body: { entity, filename: 'bad.csv', content_base64: b64(lines.join('\n')), dry_run: true },
      headers: { 'accept-language': language },
    });
    expect(res.statusCode, res.body).toBe(200);
    const errors: { row: number; field: string; reason: string }[] = res.json().errors;
    for (const e of errors) expect(e.reason, `${e.row} ${e.field}`).not.toMatch(ZOD_WORDS);
    return (row: number, field: string) => errors.find((e) => e.row === row && e.field === field)?.reason;
  }

  it('says what is wrong with each cell in the caller’s language', async () => {
    const contacts = [
      '姓名,邮箱,影响力,负责人,客户',
      ',a@example.cn,3,,', // 2: no name
      '张三,not-an-email,3,,', // 3
      '李四,,很高,,', // 4
      '王五,,9,,', // 5
      '赵六,,,nobody@nowhere.test,', // 6
      '钱七,,,,不存在的客户', // 7
    ];
    const zh = await dryRun('contacts', contacts, 'zh-CN');
    expect(zh(2, 'name')).toBe('必填');
    expect(zh(3, 'emails.0')).toBe('不是有效的邮箱地址');
    expect(zh(4, 'influence')).toBe('影响力必须是数字');
    expect(zh(5, 'influence')).toBe('影响力不能大于 5');
    expect(zh(6, 'owner')).toBe('没有邮箱或姓名为“nobody@nowhere.test”的用户');
    expect(zh(7, 'account')).toBe('没有名为“不存在的客户”的客户');
    const en = await dryRun('contacts', contacts, 'en');
    expect(en(2, 'name')).toBe('required');
    expect(en(3, 'emails.0')).toBe('not a valid email address');
    expect(en(4, 'influence')).toBe('Influence must be a number');
    expect(en(5, 'influence')).toBe('Influence must be at most 5');
    expect(en(6, 'owner')).toBe('no user with email or name "nobody@nowhere.test"');

    const account = await t.request('POST', '/api/v1/accounts', {
      token: t.tenantA.tokens.admin,
      body: { name: '原因测试客户有限公司' },
    });
    expect(account.statusCode, account.body).toBe(201);
    const opportunities = [
      '商机名称,客户,金额,预计成交日期,币种',
      '金额不对,原因测试客户有限公司,很多,2027-01-01,CNY', // 2
      '日期不对,原因测试客户有限公司,100,明年,CNY', // 3
      '没有客户,,100,2027-01-01,CNY', // 4
      '币种不对,原因测试客户有限公司,100,2027-01-01,RMBX', // 5
    ];
    const zhOpp = await dryRun('opportunities', opportunities, 'zh-CN');
    expect(zhOpp(2, 'amount')).toBe('金额必须是数字');
    expect(zhOpp(3, 'expected_close_date')).toBe('不是有效的日期，请填写如 2026-03-01 的日期');
    expect(zhOpp(4, 'account')).toBe('必填');
    expect(zhOpp(4, 'account_id')).toBeUndefined(); // the missing column is reported once, by its name
    expect(zhOpp(5, 'currency')).toMatch(/^必须是以下之一：CNY、USD/);
    const enOpp = await dryRun('opportunities', opportunities, 'en');
    expect(enOpp(2, 'amount')).toBe('Amount must be a number');
    expect(enOpp(3, 'expected_close_date')).toBe('not a valid date: enter one such as 2026-03-01');
    expect(enOpp(4, 'account')).toBe('required');
    expect(enOpp(5, 'currency')).toMatch(/^must be one of: CNY, USD/);
  });
});
