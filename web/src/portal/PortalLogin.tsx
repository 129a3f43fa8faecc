import {
  Alert,
  Anchor,
  Button,
  Center,
  Group,
  Loader,
  Paper,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../lib/problem';
import { errorText, type PortalSession, portalApi, portalKeys } from './portal-api';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Two steps: the e-mail address, then the 6-digit code from the mail (or the link in it). */
export function PortalLogin() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async (e?: FormEvent) => {
    e?.preventDefault();
    const address = (sentTo ?? email).trim();
    if (!EMAIL.test(address)) {
      setFieldError(t('portal.login.emailInvalid'));
      return;
    }
    setFieldError(null);
    setError(null);
    setBusy(true);
    try {
      await portalApi('/login', { method: 'POST', body: { email: address } });
      setSentTo(address);
      setCode('');
    } catch (err) {
      setError(err instanceof ApiError && err.status === 429 ? t('portal.login.tooMany') : errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  const verify = async (e: FormEvent) => {
    e.preventDefault();
    const digits = code.replace(/\D/g, '');
    if (digits.length !== 6) {
      setFieldError(t('portal.login.codeInvalid'));
      return;
    }
    setFieldError(null);
    setError(null);
    setBusy(true);
    try {
      const s = await portalApi<PortalSession>('/verify', {
        method: 'POST',
        body: { email: sentTo, code: digits },
      });
      qc.setQueryData(portalKeys.session, s);
    } catch (err) {
      setError(codeError(err) ?? errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  /** The portal's own words for what went wrong with a code (the server's field tells which). */
  const codeError = (err: unknown): string | null => {
    if (!(err instanceof ApiError)) return null;
    const field = err.problem.errors?.[0]?.field;
    if (err.status === 429 && field === 'code') return t('portal.login.codeLocked');
    if (err.status === 429) return t('portal.login.tooMany');
    if (field === 'code') return t('portal.login.codeWrong');
    return null;
  };

  return (
    <Paper withBorder radius="md" p={{ base: 'md', sm: 'xl' }} maw={460} mx="auto" data-testid="portal-login">
      {!sentTo ? (
        <form onSubmit={send} noValidate>
          <Stack gap="md">
            <Title order={2} fz="xl">
              {t('portal.login.heading')}
            </Title>
            <Text fz="sm" c="dimmed">
              {t('portal.login.intro')}
            </Text>
            <TextInput
              label={t('portal.login.email')}
              placeholder={t('portal.login.emailPlaceholder')}
              type="email"
              name="email"
              autoComplete="email"
              inputMode="email"
              size="md"
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={fieldError}
              data-testid="portal-email"
              autoFocus
            />
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <Button type="submit" size="md" loading={busy} fullWidth data-testid="portal-send">
              {t('portal.login.send')}
            </Button>
            <Text fz="xs" c="dimmed">
              {t('portal.login.privacyNote')}
            </Text>
          </Stack>
        </form>
      ) : (
        <form onSubmit={verify} noValidate>
          <Stack gap="md">
            <Title order={2} fz="xl">
              {t('portal.login.sentHeading')}
            </Title>
            <Text fz="sm" data-testid="portal-sent">
              {t('portal.login.sent', { email: sentTo })}
            </Text>
            <TextInput
              label={t('portal.login.code')}
              placeholder={t('portal.login.codePlaceholder')}
              name="code"
              autoComplete="one-time-code"
              inputMode="numeric"
              maxLength={6}
              size="md"
              styles={{ input: { letterSpacing: '0.4em', fontSize: 22, textAlign: 'center' } }}
              value={code}
              onChange={(e) => setCode(e.currentTarget.value.replace(/\D/g, '').slice(0, 6))}
              error={fieldError}
              data-testid="portal-code"
              autoFocus
            />
            {error && (
              <Alert color="red" role="alert" data-testid="portal-login-error">
                {error}
              </Alert>
            )}
            <Button type="submit" size="md" loading={busy} fullWidth data-testid="portal-verify">
              {t('portal.login.verify')}
            </Button>
            <Group justify="space-between">
              <Anchor component="button" type="button" fz="sm" onClick={() => send()} disabled={busy}>
                {t('portal.login.resend')}
              </Anchor>
              <Anchor
                component="button"
                type="button"
                fz="sm"
                onClick={() => {
                  setSentTo(null);
                  setError(null);
                  setFieldError(null);
                }}
              >
                {t('portal.login.otherEmail')}
              </Anchor>
            </Group>
          </Stack>
        </form>
      )}
    </Paper>
  );
}

/** /portal/verify?token=…: the link from the mail signs in, then goes to /portal. */
export function PortalVerifyLink() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);
  useEffect(() => {
    // Once: the token is single-use (StrictMode runs effects twice in development).
    if (started.current) return;
    started.current = true;
    const token = params.get('token') ?? '';
    portalApi<PortalSession>('/verify', { method: 'POST', body: { token } })
      .then((s) => {
        qc.setQueryData(portalKeys.session, s);
        navigate('/portal', { replace: true });
      })
      .catch((err) =>
        // A used or expired link is said in the portal's own words (the title); anything else as the server says it.
        setError(
          err instanceof ApiError && err.problem.errors?.[0]?.field === 'token' ? '' : errorText(err, t),
        ),
      );
  }, [params, navigate, qc, t]);
  if (error === null)
    return (
      <Center h={240} aria-busy="true">
        <Stack align="center" gap="xs">
          <Loader />
          <Text fz="sm" c="dimmed">
            {t('portal.login.linkHeading')}
          </Text>
        </Stack>
      </Center>
    );
  return (
    <Paper withBorder radius="md" p="lg" maw={460} mx="auto">
      <Stack gap="md">
        <Alert color="red" role="alert" title={t('portal.login.linkFailed')} data-testid="portal-link-failed">
          {error || null}
        </Alert>
        <Button onClick={() => navigate('/portal', { replace: true })}>
          {t('portal.login.backToLogin')}
        </Button>
      </Stack>
    </Paper>
  );
}
