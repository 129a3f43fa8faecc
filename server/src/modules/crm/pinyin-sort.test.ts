import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { backfillDerivedColumns } from '../../platform/records/resource.js';

let t: TestServer;
let token: string;
const ids: Record<string, string> = {};
const TAG = 'pinyin-sort';

beforeAll(async () => {
  t = await startTestServer();
  token = t.tenantA.tokens.admin;
  for (const name of ['中兴', '阿里巴巴', '华为', '百度', 'Zebra Ltd', '重庆银行']) {
    const res = await t.request('POST', '/api/v1/accounts', { token, body: { name, tags: [TAG] } });
    expect(res.statusCode, res.body).toBe(201);
    ids[name] = res.json().id;
  }
});
afterAll(async () => t?.close());

async function list(path: string): Promise<{ data: any[]; next_cursor: string | null }> {
  const res = await t.request('GET', path, { token });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
const names = (page: { data: any[] }) => page.data.map((r) => r.name);

async function allPages(path: string): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await list(`${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    seen.push(...names(page));
    cursor = page.next_cursor;
  } while (cursor);
  return seen;
}

const PINYIN_ORDER = ['阿里巴巴', '百度', '重庆银行', '华为', 'Zebra Ltd', '中兴'];

describe(`Chinese names sort and search by pinyin (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('sort=name orders accounts by pinyin, -name the reverse', async () => {
    expect(names(await list(`/api/v1/accounts?tag=${TAG}&sort=name`))).toEqual(PINYIN_ORDER);
    expect(names(await list(`/api/v1/accounts?tag=${TAG}&sort=-name`))).toEqual([...PINYIN_ORDER].reverse());
    // name is the default sort of accounts
    expect(names(await list(`/api/v1/accounts?tag=${TAG}`))).toEqual(PINYIN_ORDER);
  });

  it('pages of two follow the same order through cursors, without gaps or repeats', async () => {
    expect(await allPages(`/api/v1/accounts?tag=${TAG}&sort=name&limit=2`)).toEqual(PINYIN_ORDER);
    expect(await allPages(`/api/v1/accounts?tag=${TAG}&sort=-name&limit=2`)).toEqual(
      [...PINYIN_ORDER].reverse(),
    );
  });

  it('finds names by pinyin and by initials, alongside the name itself', async () => {
    for (const q of ['huawei', 'hw', 'Hua Wei', 'HW', '华为']) {
      expect(names(await list(`/api/v1/accounts?tag=${TAG}&q=${encodeURIComponent(q)}`)), q).toEqual([
        '华为',
      ]);
    }
    expect(names(await list(`/api/v1/accounts?tag=${TAG}&q=chongqing`))).toEqual(['重庆银行']);
    expect(names(await list(`/api/v1/accounts?tag=${TAG}&q=zebra`))).toEqual(['Zebra Ltd']);
    // Initials match as a prefix: zx finds 中兴, xz (inside no initials' start) finds nothing.
    expect(names(await list(`/api/v1/accounts?tag=${TAG}&q=zx`))).toEqual(['中兴']);
    expect(names(await list(`/api/v1/accounts?tag=${TAG}&q=xz`))).toEqual([]);
    // One letter matches pinyin from its start (百度 baidu) or the name itself (Zebra Ltd), not
    // every name whose pinyin contains a b (阿里巴巴 alibaba); two letters match anywhere.
    expect(await allPages(`/api/v1/accounts?tag=${TAG}&q=b&sort=name&limit=1`)).toEqual([
      '百度',
      'Zebra Ltd',
    ]);
    expect(await allPages(`/api/v1/accounts?tag=${TAG}&q=ba&sort=name&limit=1`)).toEqual([
      '阿里巴巴',
      '百度',
    ]);
  });

  it('keeps the keys internal: not returned, not documented, and ignored when sent', async () => {
    const page = await list(`/api/v1/accounts?tag=${TAG}`);
    const one = (await t.request('GET', `/api/v1/accounts/${ids.华为}`, { token })).json();
    for (const row of [...page.data, one]) {
      expect(row).not.toHaveProperty('name_pinyin');
      expect(row).not.toHaveProperty('name_initials');
    }
    const openapi = (await t.request('GET', '/openapi.json', { token: null })).body;
    expect(openapi).not.toContain('name_pinyin');
    expect(openapi).not.toContain('name_initials');

    const sent = await t.request('POST', '/api/v1/accounts', {
      token,
      body: { name: '腾讯', tags: [TAG], name_pinyin: 'aaa', name_initials: 'aaa' },
    });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(sent.json()).not.toHaveProperty('name_pinyin');
    expect(names(await list(`/api/v1/accounts?tag=${TAG}&q=aaa`))).toEqual([]);
    expect(names(await list(`/api/v1/accounts?tag=${TAG}&q=tengxun`))).toEqual(['腾讯']);
    const patched = await t.request('PATCH', `/api/v1/accounts/${sent.json().id}`, {
      token,
      body: { name_pinyin: 'aaa' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().updated_at).toBe(sent.json().updated_at);
    expect(names(await list(`/api/v1/accounts?tag=${TAG}&sort=name`))).toEqual([
      ...PINYIN_ORDER.slice(0, 4),
      '腾讯',
      ...PINYIN_ORDER.slice(4),
    ]);
    const lineage = (await t.request('GET', `/api/v1/accounts/${ids.华为}/lineage`, { token })).json().data;
    expect(lineage.map((l: any) => l.field)).not.toContain('name_pinyin');
    await t.request('DELETE', `/api/v1/accounts/${sent.json().id}`, { token });
  });

  it('a rename updates the keys; other edits keep them', async () => {
    const renamed = await t.request('PATCH', `/api/v1/accounts/${ids.华为}`, {
      token,
      body: { name: '荣耀终端' },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(names(await list(`/api/v1/accounts?tag=${TAG}&q=huawei`))).toEqual([]);
    expect(names(await list(`/api/v1/accounts?tag=${TAG}&q=rongyao`))).toEqual(['荣耀终端']);
    expect(names(await list(`/api/v1/accounts?tag=${TAG}&q=ryzd`))).toEqual(['荣耀终端']);
    await t.request('PATCH', `/api/v1/accounts/${ids.华为}`, { token, body: { industry: '消费电子' } });
    expect(names(await list(`/api/v1/accounts?tag=${TAG}&sort=name`))).toEqual([
      '阿里巴巴',
      '百度',
      '重庆银行',
      '荣耀终端',
      'Zebra Ltd',
      '中兴',
    ]);
    await t.request('PATCH', `/api/v1/accounts/${ids.华为}`, { token, body: { name: '华为' } });
    expect(names(await list(`/api/v1/accounts?tag=${TAG}&sort=name`))).toEqual(PINYIN_ORDER);
  });

  it('contacts read surnames (单 shan, 曾 zeng), opportunities sort and search by pinyin too', async () => {
    const account = ids.百度;
    for (const name of ['曾国藩', '单雄信', '安娜', '解缙']) {
      const res = await t.request('POST', '/api/v1/contacts', {
        token,
        body: { name, account_id: account },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    expect(names(await list(`/api/v1/contacts?account_id=${account}&sort=name`))).toEqual([
      '安娜',
      '单雄信',
      '解缙',
      '曾国藩',
    ]);
    expect(names(await list(`/api/v1/contacts?account_id=${account}&q=shanxiongxin`))).toEqual(['单雄信']);
    expect(names(await list(`/api/v1/contacts?account_id=${account}&q=zgf`))).toEqual(['曾国藩']);

    for (const name of ['长城数据中心项目', 'AI 平台', '北京银行核心系统']) {
      const res = await t.request('POST', '/api/v1/opportunities', {
        token,
        body: { name, account_id: account, amount: 100, expected_close_date: '2027-06-30' },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    expect(await allPages(`/api/v1/opportunities?account_id=${account}&sort=name&limit=2`)).toEqual([
      'AI 平台',
      '北京银行核心系统',
      '长城数据中心项目',
    ]);
    expect(names(await list(`/api/v1/opportunities?account_id=${account}&q=changcheng`))).toEqual([
      '长城数据中心项目',
    ]);
    expect(names(await list(`/api/v1/opportunities?account_id=${account}&q=bjyh`))).toEqual([
      '北京银行核心系统',
    ]);
  });

  it('rows imported from CSV are found by pinyin and sorted by it', async () => {
    const csv = [
      '名称,标签',
      '长城汽车股份有限公司,imported',
      '安徽海螺集团,imported',
      '万科企业,imported',
    ].join('\n');
    const res = await t.request('POST', '/api/v1/imports', {
      token: t.tenantA.tokens.manager,
      body: {
        entity: 'accounts',
        filename: 'accounts.csv',
        content_base64: Buffer.from(csv).toString('base64'),
        dry_run: false,
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ imported: 3 });
    expect(names(await list('/api/v1/accounts?tag=imported&q=changcheng'))).toEqual(['长城汽车股份有限公司']);
    expect(names(await list('/api/v1/accounts?tag=imported&q=ccqc'))).toEqual(['长城汽车股份有限公司']);
    expect(names(await list('/api/v1/accounts?tag=imported&sort=name'))).toEqual([
      '安徽海螺集团',
      '长城汽车股份有限公司',
      '万科企业',
    ]);
  });

  it('the backfill after migrations fills rows whose keys are missing, once', async () => {
    const database = t.server.platform.database;
    await database.systemTx((tx) =>
      tx.execute(sql`update accounts set name_pinyin = null, name_initials = null where ${TAG} = any(tags)`),
    );
    await database.systemTx((tx) =>
      tx.execute(sql`update contacts set name_initials = null where name = '单雄信'`),
    );
    expect(await backfillDerivedColumns(database)).toBe(PINYIN_ORDER.length + 1);
    expect(await backfillDerivedColumns(database)).toBe(0);
    expect(names(await list(`/api/v1/accounts?tag=${TAG}&sort=name`))).toEqual(PINYIN_ORDER);
    expect(names(await list(`/api/v1/accounts?tag=${TAG}&q=hw`))).toEqual(['华为']);
    expect(names(await list(`/api/v1/contacts?q=sxx`))).toEqual(['单雄信']);
  });
});
