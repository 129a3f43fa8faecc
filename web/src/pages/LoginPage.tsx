import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { useAuth } from '../auth/auth';
import { LangSwitch } from '../components/LangSwitch';
import { countdown, lockoutMessage, useLockout } from '../lib/lockout';
import { ApiError, problemToFieldErrors } from '../lib/problem';

export function LoginPage() {
  const { login, expired } = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  return (
    <LoginForm
      expired={expired}
      onLogin={async (email, password, tenant) => {
        await login(email, password, tenant);
        const next = params.get('next');
        navigate(next?.startsWith('/') ? next : '/', { replace: true });
      }}
    />
  );
}

/**
 * The sign-in form. `onLogin` rejects with the server's ApiError: 401 wrong email or password,
 * 422 naming `tenant` (the email is in several organisations: the organisation field appears),
 * 429 with Retry-After (too many failed attempts: the button waits out the lock with a countdown).
 */
export function LoginForm({
  onLogin,
  expired = false,
}: {
  onLogin: (email: string, password: string, tenant?: string) => Promise<void>;
  expired?: boolean;
}) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [tenant, setTenant] = useState('');
  const [needTenant, setNeedTenant] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { remaining, lock } = useLockout();
  const locked = remaining > 0;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (locked) return;
    setBusy(true);
    setError(null);
    try {
      await onLogin(email.trim(), password, tenant.trim() || undefined);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(t('auth.wrong'));
      else if (err instanceof ApiError && err.status === 429 && err.retryAfter !== undefined)
        lock(err.retryAfter);
      else if (err instanceof ApiError && err.status === 422) {
        const { fields, general } = problemToFieldErrors(err.problem, ['tenant', 'email', 'password']);
        if (fields.tenant) {
          setNeedTenant(true);
          setError(t('auth.chooseTenant'));
        } else setError(fields.email ?? fields.password ?? general[0] ?? err.message);
      } else
        setError(err instanceof Error ? t('errors.generic', { message: err.message }) : t('errors.network'));
    } finally {
      setBusy(false);
    }
  }

  const message = locked ? lockoutMessage(t, remaining) : error;
  return (
    <Center mih="100vh" p="md" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" w={380} maw="100%" component="main">
        <form onSubmit={submit} aria-labelledby="login-title">
          <Stack>
            <div>
              <Text fw={700} c="indigo" fz="xl">
                {t('app.name')}
              </Text>
              <Title order={1} fz="h3" id="login-title">
                {t('auth.title')}
              </Title>
            </div>
            {expired && !message && <Alert color="yellow">{t('auth.expired')}</Alert>}
            {message && (
              <Alert color={locked ? 'orange' : 'red'} role="alert" data-testid="login-error">
                {message}
              </Alert>
            )}
            <TextInput
              label={t('auth.email')}
              name="email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              autoFocus
            />
            <PasswordInput
              label={t('auth.password')}
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            {needTenant && (
              <TextInput
                label={t('auth.tenant')}
                description={t('auth.tenantHint')}
                name="tenant"
                required
                autoFocus
                value={tenant}
                onChange={(e) => setTenant(e.currentTarget.value)}
              />
            )}
            <Button type="submit" loading={busy} disabled={locked} data-testid="login-submit">
              {locked ? t('auth.waitCountdown', { time: countdown(remaining) }) : t('auth.submit')}
            </Button>
            <LangSwitch />
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
