import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

// Empty name (a schema's own message), a credit code failing a refine (own message), employees of
// the wrong type (zod's built-in message).
const invalidAccount = { name: '', credit_code: 'nope', employees: 'many' };

async function postInvalidAccount(headers: Record<string, string> = {}) {
  return t.request('POST', '/api/v1/accounts', {
    token: t.tenantA.tokens.admin,
    body: invalidAccount,
    headers,
  });
}

const reasonAt = (res: { json: () => any }, field: string) =>
  res.json().errors.find((e: { field: string }) => e.field === field)?.reason;

describe('problem responses in the caller’s language', () => {
  it('answers a zh-CN caller’s invalid body in Chinese, fields unchanged', async () => {
    const res = await postInvalidAccount({ 'accept-language': 'zh-CN' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['content-language']).toBe('zh-CN');
    expect(res.headers.vary).toContain('Accept-Language');
    const body = res.json();
    expect(body).toMatchObject({ type: 'about:blank', status: 400, title: '请求无效', detail: '请求体无效' });
    expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'credit_code',
      'employees',
      'name',
    ]);
    expect(reasonAt(res, 'name')).toBe('必填');
    expect(reasonAt(res, 'credit_code')).toBe('不是有效的统一社会信用代码（18 位且校验位正确）');
    expect(reasonAt(res, 'employees')).toBe('请填写数字');
  });

  it('answers in English for en, for no header and for languages it does not speak', async () => {
    const en = await postInvalidAccount({ 'accept-language': 'en-US,en;q=0.9' });
    expect(en.statusCode).toBe(400);
    expect(en.headers['content-language']).toBe('en');
    expect(en.json()).toMatchObject({ title: 'Bad Request', detail: 'Invalid body' });
    expect(reasonAt(en, 'name')).toBe('required');
    expect(reasonAt(en, 'employees')).toBe('Enter a number');
    const none = await postInvalidAccount();
    expect(none.headers['content-language']).toBe('en');
    expect(none.json()).toEqual(en.json());
    expect((await postInvalidAccount({ 'accept-language': 'fr-FR' })).json()).toEqual(en.json());
  });

  it('respects q-values and maps every Chinese tag to zh-CN', async () => {
    const zhPreferred = await postInvalidAccount({ 'accept-language': 'en;q=0.5, zh-Hans;q=0.9' });
    expect(zhPreferred.headers['content-language']).toBe('zh-CN');
    expect(zhPreferred.json().title).toBe('请求无效');
    const enPreferred = await postInvalidAccount({ 'accept-language': 'zh;q=0.3, en' });
    expect(enPreferred.json().title).toBe('Bad Request');
  });

  it('localises 401, 403 and 404', async () => {
    const anonymous = await t.request('GET', '/api/v1/accounts', { headers: { 'accept-language': 'zh-CN' } });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-language']).toBe('zh-CN');
    expect(anonymous.json()).toMatchObject({ title: '需要登录', detail: '请先登录' });
    const anonymousEn = await t.request('GET', '/api/v1/accounts', { headers: { 'accept-language': 'en' } });
    expect(anonymousEn.json()).toMatchObject({ title: 'Unauthorized', detail: 'Authentication required' });

    const denied = await t.request('POST', '/api/v1/accounts', {
      token: t.tenantA.tokens.coach,
      body: { name: '苏州启明精密制造有限公司' },
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().title).toBe('无权访问');
    expect(denied.json().detail).toMatch(/^你的角色（小组教练）没有 \S+ 权限$/);

    const missing = await t.request('GET', '/api/v1/accounts/00000000-0000-4000-8000-000000000000', {
      token: t.tenantA.tokens.admin,
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ title: '未找到', detail: '未找到客户' });
    const missingEn = await t.request('GET', '/api/v1/accounts/00000000-0000-4000-8000-000000000000', {
      token: t.tenantA.tokens.admin,
    });
    expect(missingEn.json()).toMatchObject({ title: 'Not Found', detail: 'Account not found' });

    const noRoute = await t.request('GET', '/api/v1/no-such-thing', {
      token: t.tenantA.tokens.admin,
      headers: { 'accept-language': 'zh' },
    });
    expect(noRoute.statusCode).toBe(404);
    expect(noRoute.headers['content-language']).toBe('zh-CN');
    expect(noRoute.json().detail).toBe('没有这个接口：GET /api/v1/no-such-thing');
  });

  it('localises problems thrown by services and query validation, keeping keys the caller sent', async () => {
    const badSort = await t.request('GET', '/api/v1/accounts?sort=colour', {
      token: t.tenantA.tokens.admin,
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(badSort.statusCode).toBe(400);
    expect(badSort.json().detail).toBe('不能按 colour 排序');
    expect(reasonAt(badSort, 'sort')).toMatch(/^可选：.*（加前缀 - 表示降序）$/);

    const badLimit = await t.request('GET', '/api/v1/accounts?limit=lots', {
      token: t.tenantA.tokens.admin,
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(badLimit.statusCode).toBe(400);
    expect(badLimit.json().detail).toBe('查询参数无效');
    expect(reasonAt(badLimit, 'limit')).toBe('请填写数字');

    // A list filter a service parses with zod: in the same business words as the body.
    const badFilter = await t.request('GET', '/api/v1/accounts?owner_id=someone', {
      token: t.tenantA.tokens.admin,
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(badFilter.statusCode).toBe(400);
    expect(badFilter.json().detail).toBe('筛选条件 owner_id 无效');
    expect(reasonAt(badFilter, 'owner_id')).toBe('ID 无效，请从列表中选择记录');
  });
});
