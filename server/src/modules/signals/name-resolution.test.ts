import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import type { CrmDirectory, DirectoryAccount } from '../crm/crm-directory.service.js';
import { analyzeCompanyName, normalizeCompanyName, suggestShortName } from './company-names.js';
import { SubjectMatcher } from './subject-matcher.js';

/** A matcher over an in-memory directory of accounts named as given (ids a0, a1, …). */
function matcherOf(accounts: { name: string; aliases?: string[] }[]): SubjectMatcher {
  const map = new Map<string, DirectoryAccount>();
  accounts.forEach((a, i) =>
    map.set(`a${i}`, {
      id: `a${i}`,
      name: a.name,
      owner_id: null,
      industry: null,
      domains: [],
      credit_code: null,
      aliases: a.aliases ?? [],
    }),
  );
  const directory: CrmDirectory = {
    stamp: 'test',
    accounts: map,
    contacts: new Map(),
    opportunities: new Map(),
  };
  return new SubjectMatcher(directory);
}

const ACCOUNTS = [
  { name: '深圳市华强电子科技股份有限公司' }, // a0
  { name: '宁德时代新能源科技股份有限公司' }, // a1
  { name: '珠海格力电器股份有限公司' }, // a2
  { name: '万科企业股份有限公司' }, // a3
  { name: '美的集团股份有限公司' }, // a4
  { name: 'Shenzhen Zenora Electronics Technology Co., Ltd.' }, // a5
  { name: 'Globex Trading Co., Ltd.' }, // a6
  { name: '海螺水泥股份有限公司', aliases: ['海螺集团'] }, // a7: the group named by an alias
  { name: '北京市海淀区博锐信息技术有限公司' }, // a8
  { name: '苏州欣泰精密机械有限公司' }, // a9
  { name: '苏州欣泰精密机械股份有限公司' }, // a10: same key as a9
];

describe('company-name resolution (unit)', () => {
  const m = matcherOf(ACCOUNTS);
  const linked = (name: string) => m.resolve({ company_name: name });

  it.each([
    // full registered name, suffix dropped/changed, brackets, spaces, width, case
    ['深圳市华强电子科技股份有限公司', 'a0', 'company_name'],
    ['深圳市华强电子科技', 'a0', 'company_name'],
    ['深圳市华强电子科技有限公司', 'a0', 'company_name'],
    ['深圳市华强电子科技（中国）股份有限公司', 'a0', 'company_name'],
    ['深圳市华强电子科技(中国)股份有限公司', 'a0', 'company_name'],
    ['深圳市 华强电子科技　股份有限公司', 'a0', 'company_name'],
    ['Globex Trading Inc.', 'a6', 'company_name'],
    ['GLOBEX  TRADING CO LTD', 'a6', 'company_name'],
    ['Globex Trading', 'a6', 'company_name'],
    ['Ｇｌｏｂｅｘ Ｔｒａｄｉｎｇ Ｌｉｍｉｔｅｄ', 'a6', 'company_name'],
    // province/city/district prefix left out, or another level of it written
    ['华强电子科技股份有限公司', 'a0', 'company_name:no_region'],
    ['广东省深圳市华强电子科技股份有限公司', 'a0', 'company_name:no_region'],
    ['博锐信息技术有限公司', 'a8', 'company_name:no_region'],
    ['北京市博锐信息技术有限公司', 'a8', 'company_name:no_region'],
    ['时代新能源科技股份有限公司', 'a1', 'company_name:no_region'],
    ['Zenora Electronics Technology Co., Ltd.', 'a5', 'company_name:no_region'],
    // short names (简称): brand, with its city, with the first industry word, with a letter or 股份
    ['宁德时代', 'a1', 'company_name:short_name'],
    ['格力电器', 'a2', 'company_name:no_region'],
    ['格力', 'a2', 'company_name:short_name'],
    ['万科A', 'a3', 'company_name:short_name'],
    ['深圳华强', 'a0', 'company_name:short_name'],
    ['华强电子', 'a0', 'company_name:short_name'],
    ['华强股份', 'a0', 'company_name:short_name'],
    ['美的集团', 'a4', 'company_name'],
    ['美的', 'a4', 'company_name'],
    ['Zenora', 'a5', 'company_name:short_name'],
    ['Globex', 'a6', 'company_name:short_name'],
    // a group named by an alias is that account
    ['海螺集团有限公司', 'a7', 'company_name'],
  ])('%s → %s (%s)', (name, id, method) => {
    const r = linked(name);
    expect(r, JSON.stringify(r)).toMatchObject({ matched: true, account_id: id, method });
    expect(r.confidence).toBeGreaterThanOrEqual(0.9);
    expect(r.candidates).toEqual([]);
  });

  it('a parent group is not its listed subsidiary: review with the subsidiary as the candidate', () => {
    for (const name of ['深圳市华强集团有限公司', '华强集团', '格力集团有限公司', 'Zenora Group']) {
      const r = linked(name);
      expect(r.matched, name).toBe(false);
      expect(r.account_id).toBeNull();
      expect(r.candidates[0]?.account_id, name).toBe(
        name.startsWith('格力') ? 'a2' : name.startsWith('Zenora') ? 'a5' : 'a0',
      );
      expect(r.candidates[0].method).toBe('company_name:group');
      expect(r.candidates[0].confidence).toBeLessThan(0.9);
    }
    // and the other way round: the subsidiary's full name does not link a group account
    const groups = matcherOf([{ name: '欣旺达集团有限公司' }]);
    const r = groups.resolve({ company_name: '欣旺达电子股份有限公司' });
    expect(r.matched).toBe(false);
    expect(r.candidates.map((c) => c.account_id)).toEqual(['a0']);
  });

  it('two accounts with the same key: review with both, never the first one silently', () => {
    for (const name of [
      '苏州欣泰精密机械',
      '苏州欣泰精密机械（中国）有限公司',
      '欣泰精密机械有限公司',
      '欣泰',
    ]) {
      const r = linked(name);
      expect(r.matched, name).toBe(false);
      expect(r.candidates.map((c) => c.account_id).sort(), name).toEqual(['a10', 'a9']);
    }
    // the exact registered name of one of them is that one
    expect(linked('苏州欣泰精密机械股份有限公司')).toMatchObject({ matched: true, account_id: 'a10' });
    expect(linked('苏州欣泰精密机械有限公司')).toMatchObject({ matched: true, account_id: 'a9' });
  });

  it('namesakes: another city, other industry words, a brand shared by two accounts', () => {
    const other = linked('上海市华强电子科技有限公司');
    expect(other.matched).toBe(false);
    expect(other.candidates[0]).toMatchObject({ account_id: 'a0', method: 'company_name:other_region' });
    const industry = linked('华强食品有限公司');
    expect(industry.matched).toBe(false);
    expect(industry.candidates[0]).toMatchObject({ account_id: 'a0', method: 'company_name:short_name' });
    const shared = matcherOf([{ name: '华润电力控股有限公司' }, { name: '华润医药集团有限公司' }]);
    expect(shared.resolve({ company_name: '华润电力' })).toMatchObject({ matched: true, account_id: 'a0' });
    const brand = shared.resolve({ company_name: '华润' });
    expect(brand.matched).toBe(false);
    expect(brand.candidates.map((c) => c.account_id).sort()).toEqual(['a0', 'a1']);
  });

  it('pinyin and English names of a Chinese company go to review with it first', () => {
    const r = linked('Huaqiang Electronics Co., Ltd.');
    expect(r.matched).toBe(false);
    expect(r.candidates[0]).toMatchObject({ account_id: 'a0', method: 'company_name:pinyin' });
    const en = matcherOf([{ name: 'Huaqiang Electronics Co., Ltd.' }]).resolve({
      company_name: '华强电子有限公司',
    });
    expect(en.candidates[0]).toMatchObject({ account_id: 'a0', method: 'company_name:pinyin' });
  });

  it('names that are only a region and industry words, or unknown, stay unmatched without noise', () => {
    for (const name of ['深圳市科技有限公司', '中国银行', 'Initech', '完全不存在的公司'])
      expect(linked(name), name).toMatchObject({ matched: false, candidates: [] });
  });

  it('analyses names into key, region, brand, industry, form and group', () => {
    expect(analyzeCompanyName('广东省深圳市南山区华强电子科技股份有限公司')).toMatchObject({
      key: '广东省深圳市南山区华强电子科技',
      regions: ['广东', '深圳', '南山'],
      rest: '华强电子科技',
      core: '华强',
      industry: ['电子', '科技'],
      group: false,
      form: true,
    });
    expect(analyzeCompanyName('新疆维吾尔自治区乌鲁木齐市天山区博锐软件有限公司')).toMatchObject({
      regions: ['新疆', '乌鲁木齐', '天山'],
      core: '博锐',
    });
    expect(analyzeCompanyName('延边朝鲜族自治州长白山实业有限公司').regions).toEqual(['延边']);
    expect(analyzeCompanyName('华强集团').group).toBe(true);
    expect(analyzeCompanyName('华强').group).toBeNull();
    // the normalised key is unchanged (stored keys and learned aliases rely on it)
    expect(normalizeCompanyName('华为集团')).toBe('华为');
    expect(normalizeCompanyName('Globex Trading, Inc.')).toBe('globextrading');
    expect(suggestShortName('深圳市华强电子科技股份有限公司')).toBe('华强电子');
    expect(suggestShortName('宁德时代新能源科技股份有限公司')).toBe('时代新能源');
    expect(suggestShortName('北京市海淀区博锐欧信息技术有限公司')).toBe('博锐欧');
  });
});

describe('company-name resolution (API, review queue)', () => {
  let t: TestServer;
  let admin: string;
  let rep: string;
  const ids: Record<string, string> = {};
  const sig = (company_name: string) => ({
    type: 'website_visit',
    source: 'names-test',
    occurred_at: new Date().toISOString(),
    subject: { company_name },
    payload: { url: 'https://example.com/pricing', visits: 1 },
  });

  beforeAll(async () => {
    t = await startTestServer();
    admin = t.tenantA.tokens.admin;
    rep = t.tenantA.tokens.rep;
    for (const [key, name] of [
      ['huaqiang', '深圳市华强电子科技股份有限公司'],
      ['xintai1', '苏州欣泰精密机械有限公司'],
      ['xintai2', '苏州欣泰精密机械股份有限公司'],
      ['zenora', 'Shenzhen Zenora Electronics Technology Co., Ltd.'],
    ]) {
      const r = await t.request('POST', '/api/v1/accounts', { token: admin, body: { name } });
      expect(r.statusCode, r.body).toBe(201);
      ids[key] = r.json().id;
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('links the ways people write a name, queues group and ambiguous names with ranked candidates', async () => {
    const names = [
      '华强电子科技股份有限公司', // prefix left out → linked
      '华强股份', // short name → linked
      'Zenora', // English short name → linked
      '深圳市华强集团有限公司', // group → review, subsidiary first
      '苏州欣泰精密机械', // same key, two accounts → review with both
    ];
    const res = await t.request('POST', '/api/v1/signals', { token: rep, body: names.map(sig) });
    expect(res.statusCode, res.body).toBe(202);
    const results = res.json().results;
    expect(results.map((r: any) => r.matched)).toEqual([true, true, true, false, false]);
    expect(results.map((r: any) => r.review ?? false)).toEqual([false, false, false, true, true]);
    const stored = await Promise.all(
      results
        .slice(0, 3)
        .map(async (r: any) => (await t.request('GET', `/api/v1/signals/${r.id}`, { token: rep })).json()),
    );
    expect(stored.map((s) => [s.account_id, s.match_method])).toEqual([
      [ids.huaqiang, 'company_name:no_region'],
      [ids.huaqiang, 'company_name:short_name'],
      [ids.zenora, 'company_name:short_name'],
    ]);

    const queue = (await t.request('GET', '/api/v1/signals/unmatched?limit=100', { token: rep })).json();
    const group = queue.data.find((s: any) => s.id === results[3].id);
    expect(group.candidates[0]).toMatchObject({
      account_id: ids.huaqiang,
      account_name: '深圳市华强电子科技股份有限公司',
      method: 'company_name:group',
      suggested_short_name: '华强电子',
    });
    expect(group.candidates[0].confidence).toBeLessThan(0.9);
    const pair = queue.data.find((s: any) => s.id === results[4].id);
    expect(pair.candidates.map((c: any) => c.account_id).sort()).toEqual([ids.xintai1, ids.xintai2].sort());

    // A human picks one: the name is learned as its alias and the same name links from then on.
    const link = await t.request('POST', `/api/v1/signals/${results[4].id}/link`, {
      token: rep,
      body: { account_id: ids.xintai2 },
    });
    expect(link.statusCode, link.body).toBe(200);
    expect(link.json().learned.aliases).toEqual(['苏州欣泰精密机械']);
    const again = await t.request('POST', '/api/v1/signals', { token: rep, body: sig('苏州欣泰精密机械') });
    const id = again.json().results[0].id;
    expect(again.json().results[0].matched).toBe(true);
    expect((await t.request('GET', `/api/v1/signals/${id}`, { token: rep })).json().account_id).toBe(
      ids.xintai2,
    );
  });

  it('candidates are limited to the accounts the reader may see', async () => {
    const res = await t.request('POST', '/api/v1/signals', { token: admin, body: sig('华强集团') });
    const id = res.json().results[0].id;
    const set = await t.request('PUT', '/api/v1/sharing/defaults', {
      token: admin,
      body: { defaults: [{ entity: 'accounts', access: 'private' }] },
    });
    expect(set.statusCode, set.body).toBe(200);
    try {
      const presales = t.tenantA.tokens.presales;
      const hidden = (
        await t.request('GET', '/api/v1/signals/unmatched?limit=100', { token: presales })
      ).json();
      expect(hidden.data.find((s: any) => s.id === id).candidates).toEqual([]);
      const shown = (await t.request('GET', '/api/v1/signals/unmatched?limit=100', { token: admin })).json();
      expect(shown.data.find((s: any) => s.id === id).candidates[0].account_id).toBe(ids.huaqiang);
    } finally {
      await t.request('PUT', '/api/v1/sharing/defaults', {
        token: admin,
        body: { defaults: [{ entity: 'accounts', access: 'public_read_write' }] },
      });
    }
  });
});
