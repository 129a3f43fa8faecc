import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { AuthProvider } from '../auth/auth';
import { setLang } from '../i18n';
import { LoginPage } from '../pages/LoginPage';

beforeAll(() => {
  window.matchMedia ??= ((q: string) => ({
    matches: false,
    media: q,
    onchange: null,
    addListener: () => {},
    removeListener: () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
    dispatchEvent: () => false,
  })) as any;
  (globalThis as any).ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function renderLogin() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MantineProvider>
      <QueryClientProvider client={qc}>
        <MemoryRouter initialEntries={['/login']}>
          <AuthProvider>
            <LoginPage />
          </AuthProvider>
        </MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' },
  });

describe('LoginPage', () => {
  it('renders in Chinese and switches to English', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => json(401, { title: 'Unauthorized', status: 401 })),
    );
    act(() => setLang('zh-CN'));
    renderLogin();
    expect(screen.getByRole('heading', { name: '登录中枢' })).toBeTruthy();
    act(() => setLang('en'));
    expect(await screen.findByRole('heading', { name: 'Sign in to Zhongshu' })).toBeTruthy();
    expect(localStorage.getItem('zs.lang')).toBe('en');
  });

  it('shows a wrong-password message from a 401', async () => {
    act(() => setLang('en'));
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => json(401, { title: 'Unauthorized', status: 401, detail: 'Wrong email or password' })),
    );
    renderLogin();
    fireEvent.change(screen.getByLabelText(/Email/), { target: { value: 'a@b.c' } });
    fireEvent.change(screen.getByLabelText(/Password/), { target: { value: 'x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('Wrong email or password'));
  });
});
