import { MantineProvider } from '@mantine/core';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import '../i18n';
import {
  ChangePasswordForm,
  type PasswordChange,
  validatePasswordChange,
} from '../components/ChangePasswordModal';
import { setLang } from '../i18n';
import { ApiError } from '../lib/problem';
import { installDomShims } from './dom-shims';

installDomShims();

function renderForm(submit: (body: PasswordChange) => Promise<void>) {
  const onDone = vi.fn();
  render(
    <MantineProvider env="test">
      <ChangePasswordForm submit={submit} onDone={onDone} onCancel={() => {}} />
    </MantineProvider>,
  );
  return { onDone };
}
const input = (name: string) => document.querySelector(`input[name=${name}]`) as HTMLInputElement;
/** Error text shown under the input named `name` (null when none). */
const fieldError = (name: string) =>
  input(name).closest('.mantine-InputWrapper-root')?.querySelector('.mantine-InputWrapper-error')
    ?.textContent ?? null;
async function fillAndSend(current: string, next: string, confirm = next) {
  fireEvent.change(input('current_password'), { target: { value: current } });
  fireEvent.change(input('new_password'), { target: { value: next } });
  fireEvent.change(input('confirm'), { target: { value: confirm } });
  await act(async () => {
    fireEvent.submit(screen.getByTestId('change-password-form'));
  });
}

describe('change password', () => {
  it('checks length and confirmation before sending anything', async () => {
    act(() => setLang('zh-CN'));
    expect(validatePasswordChange({ current_password: '', new_password: 'short', confirm: 'other' })).toEqual(
      {
        current_password: 'required',
        new_password: 'tooShort',
        confirm: 'mismatch',
      },
    );
    const submit = vi.fn(async () => {});
    renderForm(submit);
    await fillAndSend('old-password', 'short');
    expect(fieldError('new_password')).toBe('密码至少要 8 位');
    await fillAndSend('old-password', 'long-enough-1', 'long-enough-2');
    expect(fieldError('confirm')).toBe('两次输入的新密码不一致');
    expect(submit).not.toHaveBeenCalled();
  });

  it('sends current and new password; success hands over to the caller', async () => {
    act(() => setLang('zh-CN'));
    const submit = vi.fn(async () => {});
    const { onDone } = renderForm(submit);
    await fillAndSend('old-password', 'new-password-2026');
    expect(submit).toHaveBeenCalledWith({
      current_password: 'old-password',
      new_password: 'new-password-2026',
    });
    expect(onDone).toHaveBeenCalledTimes(1);
  });

  it('shows the server field errors at their fields', async () => {
    act(() => setLang('zh-CN'));
    const submit = vi.fn(async () => {
      throw new ApiError(422, {
        status: 422,
        detail: '当前密码不正确',
        errors: [{ field: 'current_password', reason: '与当前密码不一致' }],
      });
    });
    const { onDone } = renderForm(submit);
    await fillAndSend('typo-password', 'new-password-2026');
    expect(fieldError('current_password')).toBe('与当前密码不一致');
    expect(fieldError('new_password')).toBeNull();
    expect(onDone).not.toHaveBeenCalled();
    // editing the field clears its error
    fireEvent.change(input('current_password'), { target: { value: 'old-password' } });
    expect(fieldError('current_password')).toBeNull();

    submit.mockImplementationOnce(async () => {
      throw new ApiError(400, {
        status: 400,
        detail: 'Invalid request',
        errors: [{ field: 'body.new_password', reason: 'at least 8 characters' }],
      });
    });
    await fillAndSend('old-password', 'new-password-2026');
    expect(fieldError('new_password')).toBe('at least 8 characters');
  });

  it('too many wrong current passwords: the wait, submit disabled', async () => {
    act(() => setLang('en'));
    renderForm(async () => {
      throw new ApiError(429, { status: 429, detail: 'Too many failed sign-in attempts' }, 120);
    });
    await fillAndSend('typo-password', 'new-password-2026');
    expect(screen.getByRole('alert').textContent).toBe('Too many sign-in attempts. Try again in 2 minutes.');
    expect((screen.getByTestId('change-password-submit') as HTMLButtonElement).disabled).toBe(true);
  });
});
