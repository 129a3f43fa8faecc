import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { useAuth } from '../auth/auth';
import { LangSwitch } from '../components/LangSwitch';
import { ApiError, problemToFieldErrors } from '../lib/problem';

export function LoginPage() {
  const { t } = useTranslation();
  const { login, expired } = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [tenant, setTenant] = useState('');
  const [needTenant, setNeedTenant] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(email.trim(), password, tenant.trim() || undefined);
      const next = params.get('next');
      navigate(next?.startsWith('/') ? next : '/', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(t('auth.wrong'));
      else if (err instanceof ApiError && err.status === 422) {
        const { fields, general } = problemToFieldErrors(err.problem, ['tenant', 'email', 'password']);
        if (fields.tenant) setNeedTenant(true);
        setError(fields.tenant ?? fields.email ?? general[0] ?? err.message);
      } else
        setError(err instanceof Error ? t('errors.generic', { message: err.message }) : t('errors.network'));
    } finally {
      setBusy(false);
    }
  }

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
            {expired && !error && <Alert color="yellow">{t('auth.expired')}</Alert>}
            {error && (
              <Alert color="red" role="alert">
                {error}
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
                name="tenant"
                value={tenant}
                onChange={(e) => setTenant(e.currentTarget.value)}
              />
            )}
            <Button type="submit" loading={busy}>
              {t('auth.submit')}
            </Button>
            <LangSwitch />
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
