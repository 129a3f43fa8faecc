import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  TextInput,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Empty, ErrorState, Loading } from '../../components/States';
import { request } from '../../lib/api';
import type { ApiBody } from '../../lib/api-types';
import { formatDateTime } from '../../lib/format';
import { useLang } from '../../lib/hooks';
import { queryKeys } from '../../lib/query-keys';
import { ROLES } from '../../lib/types';
import { GeneralErrors, Tbl, useFormErrors } from './admin-shared';

export function ApiKeysTab() {
  const { t } = useTranslation();
  const lang = useLang();
  const qc = useQueryClient();
  const keys = useQuery({
    queryKey: queryKeys.apiKeys.all,
    queryFn: () => request('get', '/api-keys').then((r) => r.data),
  });
  const [open, modal] = useDisclosure(false);
  const [name, setName] = useState('');
  const [role, setRole] = useState('rep');
  const [shown, setShown] = useState<string | null>(null);
  const fe = useFormErrors(['name', 'role', 'scopes']);
  const create = useMutation({
    mutationFn: () =>
      request('post', '/api-keys', { body: { name, role: role as ApiBody<'/api-keys', 'post'>['role'] } }),
    onSuccess: (k) => {
      setShown(k.key);
      setName('');
      fe.clear();
      void qc.invalidateQueries({ queryKey: queryKeys.apiKeys.all });
    },
    onError: fe.fromError,
  });
  const revoke = async (id: string) => {
    if (!window.confirm(t('common.confirmDelete'))) return;
    await request('delete', '/api-keys/{id}', { path: { id } }).catch(() => undefined);
    void qc.invalidateQueries({ queryKey: queryKeys.apiKeys.all });
  };
  if (keys.isPending) return <Loading />;
  if (keys.isError) return <ErrorState error={keys.error} onRetry={() => keys.refetch()} />;
  return (
    <Stack>
      <Group justify="flex-end">
        <Button
          onClick={() => {
            setShown(null);
            modal.open();
          }}
        >
          {t('admin.newKey')}
        </Button>
      </Group>
      {keys.data.length === 0 ? (
        <Empty />
      ) : (
        <Tbl
          head={[
            t('fields.name'),
            t('fields.prefix'),
            t('fields.role'),
            t('fields.created_at'),
            t('fields.last_used_at'),
            '',
          ]}
        >
          {keys.data.map((k) => (
            <Table.Tr key={k.id} opacity={k.revoked_at ? 0.5 : 1}>
              <Table.Td>{k.name}</Table.Td>
              <Table.Td>
                <Code>{k.prefix}…</Code>
              </Table.Td>
              <Table.Td>{t(`roles.${k.role}`)}</Table.Td>
              <Table.Td>{formatDateTime(k.created_at, lang)}</Table.Td>
              <Table.Td>{formatDateTime(k.last_used_at, lang)}</Table.Td>
              <Table.Td>
                {k.revoked_at ? (
                  <Badge color="gray">{t('admin.revoked')}</Badge>
                ) : (
                  <Button size="xs" variant="subtle" color="red" onClick={() => revoke(k.id)}>
                    {t('admin.revoke')}
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Tbl>
      )}
      <Modal opened={open} onClose={modal.close} title={t('admin.newKey')}>
        {shown ? (
          <Stack>
            <Alert color="yellow">{t('admin.keyOnce')}</Alert>
            <Code block data-testid="api-key-once">
              {shown}
            </Code>
            <Group justify="flex-end">
              <CopyButton value={shown}>
                {({ copied, copy }) => (
                  <Button onClick={copy}>{copied ? t('admin.copied') : t('admin.copy')}</Button>
                )}
              </CopyButton>
              <Button variant="default" onClick={modal.close}>
                {t('common.close')}
              </Button>
            </Group>
          </Stack>
        ) : (
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
                value={name}
                error={fe.errors.name}
                onChange={(e) => setName(e.currentTarget.value)}
              />
              <Select
                label={t('fields.role')}
                value={role}
                allowDeselect={false}
                onChange={(v) => setRole(v ?? 'rep')}
                data={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
              />
              <Group justify="flex-end">
                <Button type="submit" loading={create.isPending}>
                  {t('common.create')}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
    </Stack>
  );
}
