import {
  Button,
  Checkbox,
  Group,
  Modal,
  PasswordInput,
  Select,
  Stack,
  Table,
  TextInput,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorState, Loading } from '../../components/States';
import { request } from '../../lib/api';
import type { ApiBody } from '../../lib/api-types';
import { sortByName } from '../../lib/format';
import { useLang, useUsers } from '../../lib/hooks';
import { queryKeys } from '../../lib/query-keys';
import { ROLES } from '../../lib/types';
import { GeneralErrors, Tbl, useFormErrors } from './admin-shared';

export function UsersTab() {
  const { t } = useTranslation();
  const lang = useLang();
  const qc = useQueryClient();
  const users = useUsers();
  const [open, modal] = useDisclosure(false);
  const [form, setForm] = useState({ name: '', email: '', role: 'rep', password: '' });
  const fe = useFormErrors(['name', 'email', 'role', 'password']);
  const create = useMutation({
    mutationFn: () => request('post', '/users', { body: form as ApiBody<'/users', 'post'> }),
    onSuccess: () => {
      modal.close();
      fe.clear();
      setForm({ name: '', email: '', role: 'rep', password: '' });
      void qc.invalidateQueries({ queryKey: queryKeys.lookup.users });
      notifications.show({ color: 'green', message: t('common.created') });
    },
    onError: fe.fromError,
  });
  const patch = async (id: string, body: Record<string, unknown>) => {
    try {
      await request('patch', '/users/{id}', { path: { id }, body });
      void qc.invalidateQueries({ queryKey: queryKeys.lookup.users });
      notifications.show({ color: 'green', message: t('common.saved') });
    } catch (e) {
      notifications.show({ color: 'red', message: e instanceof Error ? e.message : t('common.error') });
    }
  };
  if (users.isPending) return <Loading />;
  if (users.isError) return <ErrorState error={users.error} onRetry={() => users.refetch()} />;
  const roleData = ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }));
  const managerData = sortByName(
    users.data.filter((u) => u.active),
    (u) => u.name,
    lang,
  ).map((u) => ({ value: u.id, label: u.name }));
  return (
    <Stack>
      <Group justify="flex-end">
        <Button onClick={modal.open}>{t('admin.newUser')}</Button>
      </Group>
      <Tbl
        head={[
          t('fields.name'),
          t('fields.email'),
          t('fields.role'),
          t('fields.manager_id'),
          t('fields.active'),
        ]}
      >
        {sortByName(users.data, (u) => u.name, lang).map((u) => (
          <Table.Tr key={u.id}>
            <Table.Td>{u.name}</Table.Td>
            <Table.Td>{u.email}</Table.Td>
            <Table.Td>
              <Select
                size="xs"
                w={170}
                aria-label={t('fields.role')}
                value={u.role}
                allowDeselect={false}
                data={roleData}
                onChange={(v) => v && patch(u.id, { role: v })}
              />
            </Table.Td>
            <Table.Td>
              <Select
                size="xs"
                w={170}
                aria-label={t('fields.manager_id')}
                value={u.manager_id ?? null}
                clearable
                searchable
                placeholder="—"
                data={managerData.filter((m) => m.value !== u.id)}
                onChange={(v) => v !== (u.manager_id ?? null) && patch(u.id, { manager_id: v })}
              />
            </Table.Td>
            <Table.Td>
              <Checkbox
                aria-label={t('fields.active')}
                checked={u.active}
                onChange={(e) => patch(u.id, { active: e.currentTarget.checked })}
              />
            </Table.Td>
          </Table.Tr>
        ))}
      </Tbl>
      <Modal opened={open} onClose={modal.close} title={t('admin.newUser')}>
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Stack>
            <GeneralErrors list={fe.general} />
            <TextInput
              label={t('fields.name')}
              required
              value={form.name}
              error={fe.errors.name}
              onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
            />
            <TextInput
              label={t('fields.email')}
              required
              value={form.email}
              error={fe.errors.email}
              onChange={(e) => setForm({ ...form, email: e.currentTarget.value })}
            />
            <Select
              label={t('fields.role')}
              value={form.role}
              data={roleData}
              allowDeselect={false}
              error={fe.errors.role}
              onChange={(v) => setForm({ ...form, role: v ?? 'rep' })}
            />
            <PasswordInput
              label={t('fields.password')}
              required
              value={form.password}
              error={fe.errors.password}
              onChange={(e) => setForm({ ...form, password: e.currentTarget.value })}
            />
            <Group justify="flex-end">
              <Button type="submit" loading={create.isPending}>
                {t('common.create')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}
