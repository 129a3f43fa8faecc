import { Alert, Button, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { request } from '../lib/api';
import { lockoutMessage, useLockout } from '../lib/lockout';
import { ApiError, problemToFieldErrors } from '../lib/problem';

export const MIN_PASSWORD_LENGTH = 8;

export interface PasswordChange {
  current_password: string;
  new_password: string;
}

type Field = 'current_password' | 'new_password' | 'confirm';
const SERVER_FIELDS = ['current_password', 'new_password'] as const;

/** Checks made before anything is sent; keys are the form's fields. */
export function validatePasswordChange(
  v: PasswordChange & { confirm: string },
): Partial<Record<Field, 'required' | 'tooShort' | 'mismatch'>> {
  const out: Partial<Record<Field, 'required' | 'tooShort' | 'mismatch'>> = {};
  if (!v.current_password) out.current_password = 'required';
  if (!v.new_password) out.new_password = 'required';
  else if (v.new_password.length < MIN_PASSWORD_LENGTH) out.new_password = 'tooShort';
  if (v.new_password && v.confirm !== v.new_password) out.confirm = 'mismatch';
  return out;
}

/** POST /auth/password: 204; the user's other sessions end, this one stays signed in. */
export const changeOwnPassword = (body: PasswordChange) =>
  request('post', '/auth/password', { body, skipAuthRedirect: true });

/**
 * The form: current, new (≥ 8 characters), confirm. Server field errors (problem+json `errors`)
 * land under their inputs; a 429 (too many wrong current passwords) waits out the lock.
 */
export function ChangePasswordForm({
  submit,
  onDone,
  onCancel,
}: {
  submit: (body: PasswordChange) => Promise<void>;
  onDone: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [values, setValues] = useState({ current_password: '', new_password: '', confirm: '' });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { remaining, lock } = useLockout();
  const locked = remaining > 0;

  const set = (field: Field) => (e: { currentTarget: HTMLInputElement }) => {
    const value = e.currentTarget.value;
    setValues((v) => ({ ...v, [field]: value }));
    setErrors((er) => ({ ...er, [field]: undefined }));
  };

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (locked) return;
    const local = validatePasswordChange(values);
    setGeneral(null);
    if (Object.keys(local).length) {
      setErrors(
        Object.fromEntries(
          Object.entries(local).map(([f, code]) => [f, t(`password.${code}`, { min: MIN_PASSWORD_LENGTH })]),
        ),
      );
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      await submit({ current_password: values.current_password, new_password: values.new_password });
      onDone();
    } catch (err) {
      if (err instanceof ApiError && err.status === 429 && err.retryAfter !== undefined) lock(err.retryAfter);
      else if (err instanceof ApiError) {
        const { fields, general: rest } = problemToFieldErrors(err.problem, SERVER_FIELDS);
        setErrors(fields);
        if (!Object.keys(fields).length) setGeneral(rest[0] ?? err.message);
        else if (rest.length) setGeneral(rest.join('; '));
      } else
        setGeneral(
          err instanceof Error ? t('errors.generic', { message: err.message }) : t('errors.network'),
        );
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate data-testid="change-password-form">
      <Stack>
        <Text fz="sm" c="dimmed">
          {t('password.intro')}
        </Text>
        {(locked || general) && (
          <Alert color={locked ? 'orange' : 'red'} role="alert">
            {locked ? lockoutMessage(t, remaining) : general}
          </Alert>
        )}
        <PasswordInput
          label={t('password.current')}
          name="current_password"
          autoComplete="current-password"
          required
          data-autofocus
          value={values.current_password}
          onChange={set('current_password')}
          error={errors.current_password}
        />
        <PasswordInput
          label={t('password.new')}
          description={t('password.rule', { min: MIN_PASSWORD_LENGTH })}
          name="new_password"
          autoComplete="new-password"
          required
          value={values.new_password}
          onChange={set('new_password')}
          error={errors.new_password}
        />
        <PasswordInput
          label={t('password.confirm')}
          name="confirm"
          autoComplete="new-password"
          required
          value={values.confirm}
          onChange={set('confirm')}
          error={errors.confirm}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={busy} disabled={locked} data-testid="change-password-submit">
            {t('password.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function ChangePasswordModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal opened={opened} onClose={onClose} title={t('password.title')} centered>
      {/* mounted only while open, so a reopened form starts empty */}
      {opened && (
        <ChangePasswordForm
          submit={changeOwnPassword}
          onCancel={onClose}
          onDone={() => {
            notifications.show({ color: 'green', message: t('password.changed') });
            onClose();
          }}
        />
      )}
    </Modal>
  );
}
