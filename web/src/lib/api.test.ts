import i18n from 'i18next';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { api } from './api';
import { ApiError } from './problem';

beforeAll(async () => {
  await i18n.init({
    resources: { en: { translation: {} }, 'zh-CN': { translation: {} } },
    lng: 'zh-CN',
    fallbackLng: 'en',
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

/** Stubs fetch with one response and returns the headers each request was sent with. */
function stubFetch(status: number, body: unknown, contentType = 'application/json') {
  const sent: Headers[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, init: RequestInit) => {
      sent.push(new Headers(init.headers));
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': contentType } });
    }),
  );
  return sent;
}

describe('api: Accept-Language follows the UI language', () => {
  it('sends the current i18next language, and the new one after a switch', async () => {
    const sent = stubFetch(200, { ok: true });
    await i18n.changeLanguage('zh-CN');
    await api('/accounts');
    await i18n.changeLanguage('en');
    await api('/accounts', { method: 'POST', body: { name: 'x' } });
    expect(sent.map((h) => h.get('accept-language'))).toEqual(['zh-CN', 'en']);
    expect(sent[1].get('content-type')).toBe('application/json');
  });

  it('hands the localised problem to the caller unchanged', async () => {
    await i18n.changeLanguage('zh-CN');
    const problem = {
      title: '请求无效',
      status: 400,
      detail: '请求体无效',
      errors: [{ field: 'name', reason: '必填' }],
    };
    stubFetch(400, problem, 'application/problem+json');
    const error = await api('/accounts', { method: 'POST', body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).problem).toEqual(problem);
    expect((error as ApiError).message).toBe('请求体无效');
  });
});
