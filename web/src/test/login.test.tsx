import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { AuthProvider } from '../auth/auth';
import { setLang } from '../i18n';
import { countdown, parseRetryAfter, waitPhrase } from '../lib/lockout';
import { ApiError } from '../lib/problem';
import { LoginForm, LoginPage } from '../pages/LoginPage';
import { installDomShims } from './dom-shims';

installDomShims();
afterEach(() => {
  vi.useRealTimers();
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

// The server's answers, as the API client hands them over (ApiError with the problem+json body).
const wrong = () => new ApiError(401, { status: 401, detail: 'Wrong email or password' });
const throttled = (seconds: number) =>
  new ApiError(
    429,
    { status: 429, detail: `Too many failed sign-in attempts; try again in ${seconds} seconds` },
    seconds,
  );
const ambiguous = () =>
  new ApiError(422, {
    status: 422,
    detail: 'This email belongs to several organisations; say which one',
    errors: [{ field: 'tenant', reason: 'required for this email' }],
  });

function renderForm(onLogin: (email: string, password: string, tenant?: string) => Promise<void>) {
  return render(
    <MantineProvider env="test">
      <LoginForm onLogin={onLogin} />
    </MantineProvider>,
  );
}
const input = (name: string) => document.querySelector(`input[name=${name}]`) as HTMLInputElement;
const submitButton = () => screen.getByTestId('login-submit') as HTMLButtonElement;
async function signIn(email: string, password: string) {
  fireEvent.change(input('email'), { target: { value: email } });
  fireEvent.change(input('password'), { target: { value: password } });
  await act(async () => {
    fireEvent.submit(submitButton().closest('form')!);
  });
}

describe('lock-out wording', () => {
  it('rounds up to minutes from 60 s on, seconds below', () => {
    expect(waitPhrase(300)).toEqual({ unit: 'minutes', count: 5 });
    expect(waitPhrase(61)).toEqual({ unit: 'minutes', count: 2 });
    expect(waitPhrase(60)).toEqual({ unit: 'minutes', count: 1 });
    expect(waitPhrase(3600)).toEqual({ unit: 'minutes', count: 60 });
    expect(waitPhrase(59)).toEqual({ unit: 'seconds', count: 59 });
    expect(countdown(299)).toBe('4:59');
    expect(countdown(5)).toBe('0:05');
  });
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('120')).toBe(120);
    const now = Date.parse('2026-05-01T08:00:00Z');
    expect(parseRetryAfter('Fri, 01 May 2026 08:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('LoginForm answers the server', () => {
  it('a wrong password says so and the button stays usable', async () => {
    act(() => setLang('zh-CN'));
    renderForm(() => Promise.reject(wrong()));
    await signIn('li.lei@example.cn', 'nope');
    expect(screen.getByRole('alert').textContent).toBe('邮箱或密码错误');
    expect(submitButton().disabled).toBe(false);
  });

  it('too many attempts: the wait in minutes, the button disabled with a countdown until the lock ends', async () => {
    vi.useFakeTimers();
    act(() => setLang('zh-CN'));
    const onLogin = vi.fn(() => Promise.reject(throttled(300)));
    renderForm(onLogin);
    await signIn('li.lei@example.cn', 'nope');
    expect(screen.getByRole('alert').textContent).toBe('登录尝试次数过多，请在 5 分钟后再试');
    expect(submitButton().disabled).toBe(true);
    expect(submitButton().textContent).toContain('5:00 后可重试');
    // a submit while locked (Enter in a field) sends nothing
    await act(async () => {
      fireEvent.submit(submitButton().closest('form')!);
    });
    expect(onLogin).toHaveBeenCalledTimes(1);

    act(() => vi.advanceTimersByTime(61_000));
    expect(submitButton().textContent).toContain('3:59 后可重试');
    expect(screen.getByRole('alert').textContent).toBe('登录尝试次数过多，请在 4 分钟后再试');
    act(() => vi.advanceTimersByTime(200_000));
    expect(screen.getByRole('alert').textContent).toBe('登录尝试次数过多，请在 39 秒后再试');
    act(() => vi.advanceTimersByTime(40_000));
    expect(submitButton().disabled).toBe(false);
    expect(submitButton().textContent).toBe('登录');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('too many attempts, in English', async () => {
    act(() => setLang('en'));
    renderForm(() => Promise.reject(throttled(61)));
    await signIn('li.lei@example.cn', 'nope');
    expect(screen.getByRole('alert').textContent).toBe('Too many sign-in attempts. Try again in 2 minutes.');
    expect(submitButton().disabled).toBe(true);
  });

  it('an email in several organisations asks for the organisation and resubmits with it', async () => {
    act(() => setLang('en'));
    const onLogin = vi.fn(async (_e: string, _p: string, tenant?: string) => {
      if (!tenant) throw ambiguous();
    });
    renderForm(onLogin);
    expect(input('tenant')).toBeNull();
    await signIn('li.lei@example.cn', 'right-password');
    expect(screen.getByRole('alert').textContent).toMatch(/several organisations/);
    fireEvent.change(input('tenant'), { target: { value: ' 华东分公司 ' } });
    await act(async () => {
      fireEvent.submit(submitButton().closest('form')!);
    });
    expect(onLogin).toHaveBeenLastCalledWith('li.lei@example.cn', 'right-password', '华东分公司');
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
