import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
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

describe('LoginPage', () => {
  it('renders in Chinese and switches to English', async () => {
    act(() => setLang('zh-CN'));
    renderLogin();
    expect(screen.getByRole('heading', { name: '登录中枢' })).toBeTruthy();
    act(() => setLang('en'));
    expect(await screen.findByRole('heading', { name: 'Sign in to Zhongshu' })).toBeTruthy();
    expect(localStorage.getItem('zs.lang')).toBe('en');
  });
});
