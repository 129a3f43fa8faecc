import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../../../i18n';
import { setLang } from '../../../i18n';
import { ApiError } from '../../../lib/problem';
import { installDomShims } from '../../../test/dom-shims';
import { AppsTab } from '../AppsTab';
import { AppCard } from './AppCard';
import { AppFormView } from './AppForm';
import {
  type App,
  appBody,
  discoveryUrl,
  formOf,
  redirectLines,
  type Scope,
  withRedirectLines,
} from './apps-lib';

installDomShims();

const wrap = (node: ReactNode) => render(<MantineProvider env="test">{node}</MantineProvider>);

const scopes: Scope[] = [
  { scope: 'openid', kind: 'oidc', en: 'Know who you are', zh_cn: '识别您的身份' },
  {
    scope: 'crm:read',
    kind: 'api',
    en: 'Read accounts, contacts and opportunities',
    zh_cn: '读取客户、联系人、商机',
  },
  { scope: 'signals:write', kind: 'api', en: 'Send customer signals', zh_cn: '写入客户信号' },
];

const app: App = {
  id: 'a0f5c52e-1111-4a4a-9a9a-000000000001',
  client_id: 'zs_app_abcdefghijklmnop',
  name: 'ERP 对接',
  type: 'confidential',
  redirect_uris: ['https://erp.example.com/oauth/callback'],
  scopes: ['crm:read', 'signals:write'],
  secret_prefix: 'zs_secret_abcd',
  secret_rotated_at: null,
  created_by: null,
  created_at: '2026-11-01T02:00:00Z',
  updated_at: '2026-11-01T02:00:00Z',
  usage: { today: 1234, last_7_days: 56789 },
};

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('app helpers', () => {
  it('reads redirect URIs one per line (blank lines dropped) and builds the body with known API scopes only', () => {
    expect(redirectLines(' https://a.example/cb \n\n http://localhost/cb')).toEqual([
      { line: 1, uri: 'https://a.example/cb' },
      { line: 3, uri: 'http://localhost/cb' },
    ]);
    expect(
      appBody(
        {
          name: ' ERP ',
          type: 'public',
          redirects: 'https://a.example/cb\n',
          scopes: ['crm:read', 'openid', 'x:y'],
        },
        scopes,
      ),
    ).toEqual({ name: 'ERP', type: 'public', redirect_uris: ['https://a.example/cb'], scopes: ['crm:read'] });
    expect(formOf(app).redirects).toBe('https://erp.example.com/oauth/callback');
    expect(discoveryUrl('https://crm.example.com/')).toBe(
      'https://crm.example.com/.well-known/openid-configuration',
    );
  });

  it('names the line and the URI of a refused redirect URI', () => {
    const e = new ApiError(400, {
      status: 400,
      title: 'Bad Request',
      errors: [
        { field: 'redirect_uris.1', reason: 'not an absolute URI' },
        { field: 'name', reason: 'required' },
      ],
    });
    const out = withRedirectLines(e, 'https://a.example/cb\n\nfoo', (l, u, r) => `${l}|${u}|${r}`);
    expect(out).toBeInstanceOf(ApiError);
    expect((out as ApiError).problem.errors).toEqual([
      { field: 'redirect_uris.1', reason: '3|foo|not an absolute URI' },
      { field: 'name', reason: 'required' },
    ]);
    const other = new Error('x');
    expect(withRedirectLines(other, '', () => '')).toBe(other);
  });
});

describe('AppFormView', () => {
  it('offers the API scopes in business words (zh-CN) and sends what was ticked', () => {
    act(() => setLang('zh-CN'));
    const onSubmit = vi.fn();
    wrap(<AppFormView scopes={scopes} submitLabel="注册应用" onSubmit={onSubmit} />);
    expect(screen.queryByLabelText(/识别您的身份/)).toBeNull();
    fireEvent.change(screen.getByRole('textbox', { name: /应用名称/ }), { target: { value: '移动端' } });
    fireEvent.click(screen.getByTestId('app-type-public'));
    fireEvent.change(screen.getByRole('textbox', { name: /回调地址/ }), {
      target: { value: 'com.example.app:/callback' },
    });
    fireEvent.click(screen.getByLabelText(/读取客户、联系人、商机/));
    fireEvent.click(screen.getByTestId('app-submit'));
    expect(onSubmit).toHaveBeenCalledWith(
      { name: '移动端', type: 'public', redirect_uris: ['com.example.app:/callback'], scopes: ['crm:read'] },
      expect.anything(),
    );
  });

  it('shows the server reasons at their fields; the type is fixed when editing (en)', () => {
    act(() => setLang('en'));
    wrap(
      <AppFormView
        scopes={scopes}
        initial={formOf(app)}
        editing
        errors={{ redirect_uris: 'Line 1 (ftp://x): must be https', scopes: 'you do not hold crm:delete' }}
        submitLabel="Save"
        onSubmit={() => {}}
      />,
    );
    expect(screen.getByRole('textbox', { name: /Redirect URIs/ }).getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Line 1 (ftp://x): must be https')).toBeTruthy();
    expect(screen.getByText('you do not hold crm:delete')).toBeTruthy();
    expect(screen.getByTestId('app-type-public').hasAttribute('disabled')).toBe(true);
    expect((screen.getByLabelText(/Send customer signals/) as HTMLInputElement).checked).toBe(true);
  });
});

describe('AppCard', () => {
  it('shows type, client ID, redirect URIs, scope labels and usage; public apps cannot renew a secret', async () => {
    act(() => setLang('zh-CN'));
    const onAction = vi.fn();
    const { unmount } = wrap(<AppCard app={app} scopes={scopes} onAction={onAction} />);
    const card = screen.getByTestId('oauth-app');
    expect(within(card).getByTestId('app-type').textContent).toBe('服务端应用');
    expect(within(card).getByTestId('app-client-id').textContent).toBe('zs_app_abcdefghijklmnop');
    expect(within(card).getByText('https://erp.example.com/oauth/callback')).toBeTruthy();
    expect(within(card).getByText('写入客户信号')).toBeTruthy();
    expect(within(card).getByText('今日调用')).toBeTruthy();
    expect(within(card).getByTestId('app-usage-today').textContent).toBe('1,234');
    expect(within(card).getByTestId('app-usage-7d').textContent).toBe('56,789');
    fireEvent.click(within(card).getByTestId('app-more'));
    fireEvent.click(await screen.findByTestId('app-rotate'));
    expect(onAction).toHaveBeenCalledWith('rotate', app);
    unmount();
    wrap(<AppCard app={{ ...app, type: 'public', redirect_uris: [] }} scopes={scopes} onAction={onAction} />);
    expect(screen.getByText('无（仅服务器之间调用）')).toBeTruthy();
    fireEvent.click(screen.getByTestId('app-more'));
    expect(await screen.findByTestId('app-delete')).toBeTruthy();
    expect(screen.queryByTestId('app-rotate')).toBeNull();
  });
});

describe('AppsTab against a stubbed network', () => {
  afterEach(() => vi.unstubAllGlobals());

  const mount = () => {
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={qc}>
        <MantineProvider env="test">
          <AppsTab />
        </MantineProvider>
      </QueryClientProvider>,
    );
  };

  it('shows the empty state and the discovery URL, registers an app and shows its secret once', async () => {
    act(() => setLang('zh-CN'));
    const made: App[] = [];
    const posts: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: string, init: RequestInit = {}) => {
        const method = init.method ?? 'GET';
        const body = init.body ? JSON.parse(String(init.body)) : undefined;
        if (input === '/api/v1/oauth/scopes') return json(200, { items: scopes });
        if (input === '/api/v1/oauth/apps' && method === 'GET') return json(200, { items: made });
        if (input === '/api/v1/oauth/apps' && method === 'POST') {
          posts.push(body);
          const bad = body.redirect_uris.findIndex((u: string) => !u.startsWith('https://'));
          if (bad >= 0)
            return json(400, {
              status: 400,
              title: 'Bad Request',
              errors: [{ field: `redirect_uris.${bad}`, reason: '必须使用 https（localhost 可用 http）' }],
            });
          const row = { ...app, ...body, id: 'new', usage: { today: 0, last_7_days: 0 } };
          made.push(row);
          return json(201, { ...row, client_secret: 'zs_secret_shown-only-once' });
        }
        return json(404, { status: 404, title: 'Not Found' });
      }),
    );
    mount();
    expect(
      await screen.findByText('还没有注册应用。注册后，外部系统即可用中枢账号登录和调用接口。'),
    ).toBeTruthy();
    expect(screen.getByTestId('oauth-discovery').textContent).toBe(
      `${window.location.origin}/.well-known/openid-configuration`,
    );
    fireEvent.click(screen.getByTestId('app-new'));
    fireEvent.change(await screen.findByRole('textbox', { name: /应用名称/ }), {
      target: { value: 'ERP 对接' },
    });
    const uris = screen.getByRole('textbox', { name: /回调地址/ });
    fireEvent.change(uris, { target: { value: 'https://erp.example.com/cb\nftp://erp' } });
    fireEvent.click(screen.getByLabelText(/读取客户、联系人、商机/));
    fireEvent.click(screen.getByTestId('app-submit'));
    expect(
      await screen.findByText('第 2 行（ftp://erp）：必须使用 https（localhost 可用 http）'),
    ).toBeTruthy();
    expect(uris.getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(uris, { target: { value: 'https://erp.example.com/cb' } });
    fireEvent.click(screen.getByTestId('app-submit'));
    expect((await screen.findByTestId('app-secret-once')).textContent).toBe('zs_secret_shown-only-once');
    expect(screen.getByTestId('app-secret-note').textContent).toContain('密钥只显示这一次');
    fireEvent.click(screen.getByTestId('app-secret-done'));
    await waitFor(() => expect(screen.getAllByTestId('oauth-app')).toHaveLength(1));
    expect(screen.queryByText('zs_secret_shown-only-once')).toBeNull();
    expect(posts.at(-1)).toEqual({
      name: 'ERP 对接',
      type: 'confidential',
      redirect_uris: ['https://erp.example.com/cb'],
      scopes: ['crm:read'],
    });
  });

  it('renews a secret only after confirming, and shows the new one once (en)', async () => {
    act(() => setLang('en'));
    const rotated = vi.fn();
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: string, init: RequestInit = {}) => {
        if (input === '/api/v1/oauth/scopes') return json(200, { items: scopes });
        if (input === '/api/v1/oauth/apps') return json(200, { items: [app] });
        if (input === `/api/v1/oauth/apps/${app.id}/rotate-secret` && init.method === 'POST') {
          rotated();
          return json(200, { ...app, client_secret: 'zs_secret_new-one' });
        }
        return json(404, { status: 404, title: 'Not Found' });
      }),
    );
    mount();
    fireEvent.click(await screen.findByTestId('app-more'));
    fireEvent.click(await screen.findByTestId('app-rotate'));
    expect((await screen.findByTestId('rotate-modal')).textContent).toContain('stops working now');
    expect(rotated).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('rotate-confirm'));
    expect((await screen.findByTestId('app-secret-once')).textContent).toBe('zs_secret_new-one');
    expect(rotated).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('app-secret-note').textContent).toContain('will not be shown again');
  });
});
