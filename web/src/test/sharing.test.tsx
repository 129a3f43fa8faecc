import { MantineProvider } from '@mantine/core';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import '../i18n';
import { ShareManagerView } from '../components/ShareDrawer';
import { SharingDefaultsForm } from '../components/SharingDefaults';
import { setLang } from '../i18n';
import {
  defaultsBody,
  defaultsChanged,
  defaultsErrors,
  isReadOnly,
  type Share,
  type SharingDefault,
  shareErrors,
} from '../lib/sharing';
import { installDomShims } from './dom-shims';

installDomShims();

// env="test": no transitions or portals (Mantine's advice for tests)
const wrap = (node: ReactNode) => render(<MantineProvider env="test">{node}</MantineProvider>);

const stored: SharingDefault[] = [
  // the server's order need not be the form's
  { entity: 'opportunities', access: 'public_read_write', updated_at: null },
  { entity: 'accounts', access: 'public_read', updated_at: '2026-05-01T08:00:00Z' },
  { entity: 'activities', access: 'public_read_write', updated_at: null },
  { entity: 'contacts', access: 'public_read_write', updated_at: null },
];

describe('sharing defaults: body and errors', () => {
  it('sends all four objects with the choices applied, in a fixed order', () => {
    expect(defaultsBody(stored, { opportunities: 'private' })).toEqual([
      { entity: 'accounts', access: 'public_read' },
      { entity: 'contacts', access: 'public_read_write' },
      { entity: 'opportunities', access: 'private' },
      { entity: 'activities', access: 'public_read_write' },
    ]);
    expect(defaultsChanged(stored, {})).toBe(false);
    expect(defaultsChanged(stored, { accounts: 'public_read' })).toBe(false);
    expect(defaultsChanged(stored, { accounts: 'private' })).toBe(true);
  });

  it('places server errors at the row they belong to', () => {
    const sent = defaultsBody(stored, {});
    const r = defaultsErrors(
      {
        status: 422,
        detail: 'invalid',
        errors: [
          { field: 'defaults[2].access', reason: 'not allowed' },
          { field: 'body.defaults.0.access', reason: 'bad value' },
          { field: '/defaults/3/entity', reason: 'unknown' },
          { field: 'defaults', reason: 'too many' },
        ],
      },
      sent,
    );
    expect(r.rows).toEqual({ opportunities: 'not allowed', accounts: 'bad value', activities: 'unknown' });
    expect(r.general).toEqual(['defaults: too many']);
    expect(defaultsErrors({ status: 403, detail: 'Your role lacks settings:manage' }, sent)).toEqual({
      rows: {},
      general: ['Your role lacks settings:manage'],
    });
  });

  it('puts share errors under the subject picker', () => {
    expect(
      shareErrors({
        status: 422,
        errors: [
          { field: 'subject_id', reason: 'no such user' },
          { field: 'access', reason: 'read or edit' },
        ],
      }).fields,
    ).toEqual({ subject_id: 'no such user', access: 'read or edit' });
    expect(shareErrors({ status: 403, detail: 'You may not share this record' }).general).toEqual([
      'You may not share this record',
    ]);
  });

  it('treats only access "read" as read-only', () => {
    expect(isReadOnly({ access: 'read' })).toBe(true);
    expect(isReadOnly({ access: 'edit' })).toBe(false);
    expect(isReadOnly({})).toBe(false);
  });
});

describe('SharingDefaultsForm', () => {
  it('explains each choice in plain words and saves all rows in one call', async () => {
    act(() => setLang('zh-CN'));
    const onSave = vi.fn();
    wrap(<SharingDefaultsForm stored={stored} onSave={onSave} />);
    expect(screen.getByText('组织级默认权限')).toBeTruthy();
    const row = screen.getByTestId('sharing-row-accounts');
    expect(within(row).getByText('客户')).toBeTruthy();
    expect(screen.getByTestId('sharing-hint-accounts').textContent).toBe(
      '所有人可查看，只有负责人及其上级可编辑',
    );
    expect(
      within(screen.getByTestId('sharing-row-contacts')).getByText('尚未修改，使用系统默认'),
    ).toBeTruthy();
    const save = screen.getByTestId('sharing-save') as HTMLButtonElement;
    expect(save.disabled).toBe(true);

    fireEvent.click(screen.getByRole('textbox', { name: '商机的默认权限' }));
    fireEvent.click(await screen.findByRole('option', { name: /私有/ }));
    expect(screen.getByTestId('sharing-hint-opportunities').textContent).toBe(
      '只有负责人、其上级、所在团队/区域经理和被共享的人可见',
    );
    expect(save.disabled).toBe(false);
    fireEvent.click(save);
    expect(onSave).toHaveBeenCalledTimes(1);
    expect(onSave.mock.calls[0]![0]).toEqual([
      { entity: 'accounts', access: 'public_read' },
      { entity: 'contacts', access: 'public_read_write' },
      { entity: 'opportunities', access: 'private' },
      { entity: 'activities', access: 'public_read_write' },
    ]);
  });

  it('shows a server error at its row and general errors above', () => {
    act(() => setLang('en'));
    wrap(
      <SharingDefaultsForm
        stored={stored}
        onSave={() => {}}
        rowErrors={{ contacts: 'contacts follow their account' }}
        general={['Something else']}
      />,
    );
    expect(screen.getByText('Organisation-wide defaults')).toBeTruthy();
    expect(
      within(screen.getByTestId('sharing-row-contacts')).getByText('contacts follow their account'),
    ).toBeTruthy();
    expect(
      within(screen.getByTestId('sharing-row-accounts')).queryByText('contacts follow their account'),
    ).toBeNull();
    expect(screen.getByRole('alert').textContent).toContain('Something else');
  });
});

const shares: Share[] = [
  {
    id: 's1',
    subject_type: 'user',
    subject_id: 'u1',
    subject_name: '王芳',
    access: 'read',
    created_at: '2026-05-02T09:30:00Z',
    created_by_name: '系统管理员',
  },
  {
    id: 's2',
    subject_type: 'team',
    subject_id: 't1',
    subject_name: '华北销售部',
    access: 'edit',
    created_at: '2026-05-02T09:31:00Z',
    created_by_name: null,
  },
];
const users = [
  { value: 'u2', label: '李强' },
  { value: 'u3', label: '张伟' },
];
const teams = [{ value: 't2', label: '华东大客户部' }];

describe('ShareManagerView', () => {
  it('says when a record is not shared with anyone (zh-CN and en)', () => {
    act(() => setLang('zh-CN'));
    const { unmount } = wrap(
      <ShareManagerView
        shares={[]}
        canManage
        userOptions={users}
        teamOptions={teams}
        onAdd={() => {}}
        onRemove={() => {}}
      />,
    );
    expect(screen.getByText('尚未共享给任何人')).toBeTruthy();
    unmount();
    act(() => setLang('en'));
    wrap(
      <ShareManagerView
        shares={[]}
        canManage
        userOptions={users}
        teamOptions={teams}
        onAdd={() => {}}
        onRemove={() => {}}
      />,
    );
    expect(screen.getByText('Not shared with anyone yet')).toBeTruthy();
  });

  it('lists shares with their access; a manager can remove one', () => {
    act(() => setLang('zh-CN'));
    const onRemove = vi.fn();
    wrap(
      <ShareManagerView
        shares={shares}
        canManage
        userOptions={users}
        teamOptions={teams}
        onAdd={() => {}}
        onRemove={onRemove}
      />,
    );
    const items = screen.getAllByTestId('share-item');
    expect(items).toHaveLength(2);
    expect(within(items[0]!).getByText('王芳')).toBeTruthy();
    expect(within(items[0]!).getByText('只读')).toBeTruthy();
    expect(within(items[0]!).getByText(/系统管理员 于 .* 共享/)).toBeTruthy();
    expect(within(items[1]!).getByText('团队')).toBeTruthy();
    expect(within(items[1]!).getByText('可编辑')).toBeTruthy();
    fireEvent.click(within(items[1]!).getByRole('button', { name: '取消对 华北销售部 的共享' }));
    expect(onRemove).toHaveBeenCalledWith(shares[1]);
  });

  it('changes the access of an existing share by sharing with the same subject again', async () => {
    act(() => setLang('zh-CN'));
    const onChangeAccess = vi.fn();
    wrap(
      <ShareManagerView
        shares={shares}
        canManage
        userOptions={users}
        teamOptions={teams}
        onAdd={() => {}}
        onChangeAccess={onChangeAccess}
        onRemove={() => {}}
      />,
    );
    const select = screen.getByRole('textbox', { name: '王芳 的权限' }) as HTMLInputElement;
    expect(select.value).toBe('只读');
    fireEvent.click(select);
    const item = screen.getAllByTestId('share-item')[0]!;
    fireEvent.click(within(item).getByRole('option', { name: '可编辑' }));
    expect(onChangeAccess).toHaveBeenCalledWith(shares[0], 'edit');
  });

  it('is read-only when the caller may not manage shares', () => {
    act(() => setLang('zh-CN'));
    wrap(
      <ShareManagerView
        shares={shares}
        canManage={false}
        userOptions={users}
        teamOptions={teams}
        onAdd={() => {}}
        onRemove={() => {}}
      />,
    );
    expect(screen.getByTestId('share-readonly')).toBeTruthy();
    expect(screen.queryByTestId('share-form')).toBeNull();
    expect(screen.queryAllByTestId('share-remove')).toHaveLength(0);
    expect(screen.getAllByTestId('share-item')).toHaveLength(2);
  });

  it('asks for a subject, then sends the chosen colleague with edit access', async () => {
    act(() => setLang('zh-CN'));
    const onAdd = vi.fn();
    wrap(
      <ShareManagerView
        shares={[]}
        canManage
        userOptions={users}
        teamOptions={teams}
        onAdd={onAdd}
        onRemove={() => {}}
      />,
    );
    fireEvent.click(screen.getByTestId('share-add'));
    expect(await screen.findByText('请先选择要共享的同事或团队')).toBeTruthy();
    expect(onAdd).not.toHaveBeenCalled();
    const picker = screen.getByRole('textbox', { name: '共享给' });
    fireEvent.change(picker, { target: { value: '张' } });
    fireEvent.click(await screen.findByRole('option', { name: '张伟' }));
    fireEvent.click(screen.getByText('可编辑'));
    fireEvent.click(screen.getByTestId('share-add'));
    expect(onAdd).toHaveBeenCalledWith({ subject_type: 'user', subject_id: 'u3', access: 'edit' });
  });

  it('shows the server reason under the subject picker', () => {
    act(() => setLang('en'));
    wrap(
      <ShareManagerView
        shares={[]}
        canManage
        userOptions={users}
        teamOptions={teams}
        fieldErrors={{ subject_id: 'No such user or team in this organisation' }}
        general={['You may not share this record']}
        onAdd={() => {}}
        onRemove={() => {}}
      />,
    );
    const input = screen.getByRole('textbox', { name: 'Share with' });
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('No such user or team in this organisation')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toContain('You may not share this record');
  });
});
