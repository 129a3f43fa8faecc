import {
  ActionIcon,
  Button,
  Checkbox,
  Code,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  TextInput,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Empty, ErrorState, Loading } from '../../components/States';
import { request } from '../../lib/api';
import type { ApiBody } from '../../lib/api-types';
import { fieldLabel, useLang } from '../../lib/hooks';
import { queryKeys } from '../../lib/query-keys';
import { GeneralErrors, Tbl, useFormErrors } from './admin-shared';

export function CustomFieldsTab() {
  const { t } = useTranslation();
  const lang = useLang();
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: queryKeys.customFields.everyEntity,
    queryFn: () => request('get', '/custom-fields', { query: { limit: 500 } }).then((r) => r.data),
  });
  const [open, modal] = useDisclosure(false);
  const blank = {
    entity: 'accounts',
    key: '',
    label: '',
    label_en: '',
    type: 'text',
    options: '',
    required: false,
  };
  const [form, setForm] = useState(blank);
  const fe = useFormErrors(['entity', 'key', 'label', 'label_en', 'type', 'options', 'required']);
  const create = useMutation({
    mutationFn: () =>
      request('post', '/custom-fields', {
        body: {
          ...form,
          label_en: form.label_en || null,
          options: form.options
            .split(/[,，]/)
            .map((s) => s.trim())
            .filter(Boolean),
        } as ApiBody<'/custom-fields', 'post'>,
      }),
    onSuccess: () => {
      modal.close();
      fe.clear();
      setForm(blank);
      void qc.invalidateQueries({ queryKey: queryKeys.customFields.all });
      notifications.show({ color: 'green', message: t('common.created') });
    },
    onError: fe.fromError,
  });
  const remove = async (id: string) => {
    if (!window.confirm(t('common.confirmDelete'))) return;
    try {
      await request('delete', '/custom-fields/{id}', { path: { id } });
      void qc.invalidateQueries({ queryKey: queryKeys.customFields.all });
    } catch (e) {
      notifications.show({ color: 'red', message: e instanceof Error ? e.message : t('common.error') });
    }
  };
  if (list.isPending) return <Loading />;
  if (list.isError) return <ErrorState error={list.error} onRetry={() => list.refetch()} />;
  return (
    <Stack>
      <Group justify="flex-end">
        <Button onClick={modal.open}>{t('admin.newField')}</Button>
      </Group>
      {list.data.length === 0 ? (
        <Empty />
      ) : (
        <Tbl
          head={[
            t('fields.entity'),
            t('fields.key'),
            t('fields.label'),
            t('fields.type'),
            t('fields.options'),
            t('fields.required'),
            '',
          ]}
        >
          {list.data.map((cf) => (
            <Table.Tr key={cf.id}>
              <Table.Td>{t(`entities.${cf.entity}`)}</Table.Td>
              <Table.Td>
                <Code>{cf.key}</Code>
              </Table.Td>
              <Table.Td>{fieldLabel(cf, lang)}</Table.Td>
              <Table.Td>{t(`cfType.${cf.type}`)}</Table.Td>
              <Table.Td>{cf.options.join(', ')}</Table.Td>
              <Table.Td>{cf.required ? t('common.yes') : t('common.no')}</Table.Td>
              <Table.Td>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={t('common.delete')}
                  onClick={() => remove(cf.id)}
                >
                  ×
                </ActionIcon>
              </Table.Td>
            </Table.Tr>
          ))}
        </Tbl>
      )}
      <Modal opened={open} onClose={modal.close} title={t('admin.newField')}>
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Stack>
            <GeneralErrors list={fe.general} />
            <Select
              label={t('fields.entity')}
              value={form.entity}
              allowDeselect={false}
              error={fe.errors.entity}
              onChange={(v) => setForm({ ...form, entity: v ?? 'accounts' })}
              data={['accounts', 'contacts', 'opportunities', 'activities', 'products'].map((e) => ({
                value: e,
                label: t(`entities.${e}`),
              }))}
            />
            <TextInput
              label={t('fields.key')}
              required
              value={form.key}
              error={fe.errors.key}
              onChange={(e) => setForm({ ...form, key: e.currentTarget.value })}
            />
            <TextInput
              label={t('fields.label')}
              required
              value={form.label}
              error={fe.errors.label}
              onChange={(e) => setForm({ ...form, label: e.currentTarget.value })}
            />
            <TextInput
              label={t('fields.label_en')}
              value={form.label_en}
              error={fe.errors.label_en}
              onChange={(e) => setForm({ ...form, label_en: e.currentTarget.value })}
            />
            <Select
              label={t('fields.type')}
              value={form.type}
              allowDeselect={false}
              error={fe.errors.type}
              onChange={(v) => setForm({ ...form, type: v ?? 'text' })}
              data={['text', 'number', 'date', 'boolean', 'select', 'multiselect'].map((x) => ({
                value: x,
                label: t(`cfType.${x}`),
              }))}
            />
            {(form.type === 'select' || form.type === 'multiselect') && (
              <TextInput
                label={t('fields.options')}
                description={t('admin.optionsHint')}
                value={form.options}
                error={fe.errors.options}
                onChange={(e) => setForm({ ...form, options: e.currentTarget.value })}
              />
            )}
            <Checkbox
              label={t('fields.required')}
              checked={form.required}
              onChange={(e) => setForm({ ...form, required: e.currentTarget.checked })}
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
