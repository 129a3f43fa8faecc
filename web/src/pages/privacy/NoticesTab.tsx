import {
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../auth/auth';
import { Empty, ErrorState, Loading } from '../../components/States';
import { api } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { useLang } from '../../lib/hooks';
import { GeneralErrors, useFormErrors } from '../admin/admin-shared';
import { consentKeys, type Notice } from './consent/consent-lib';

const FIELDS = ['title_zh', 'title_en', 'text_zh', 'text_en'] as const;
type Draft = Record<(typeof FIELDS)[number], string>;
const EMPTY: Draft = { title_zh: '', title_en: '', text_zh: '', text_en: '' };

/** Privacy → Privacy notices: every version, the current one marked; admins draft, edit and publish. */
export function NoticesTab() {
  const { t } = useTranslation();
  const lang = useLang();
  const { can } = useAuth();
  const qc = useQueryClient();
  const manage = can('privacy:manage');
  const [editing, setEditing] = useState<{ id: string | null; draft: Draft; publish: boolean } | null>(null);
  const [viewing, setViewing] = useState<Notice | null>(null);
  const fe = useFormErrors([...FIELDS]);
  const q = useQuery({
    queryKey: consentKeys.notices,
    queryFn: () => api<{ data: Notice[]; current_id: string | null }>('/privacy/notices'),
  });
  const done = (message: string) => {
    void qc.invalidateQueries({ queryKey: consentKeys.all });
    notifications.show({ color: 'green', message });
  };
  const save = useMutation({
    mutationFn: (e: { id: string | null; draft: Draft; publish: boolean }) =>
      e.id
        ? api<Notice>(`/privacy/notices/${e.id}`, { method: 'PATCH', body: e.draft })
        : api<Notice>('/privacy/notices', { method: 'POST', body: { ...e.draft, publish: e.publish } }),
    onSuccess: (n) => {
      setEditing(null);
      fe.clear();
      done(n.status === 'published' ? t('consent.published', { version: n.version }) : t('common.saved'));
    },
    onError: fe.fromError,
  });
  const publish = useMutation({
    mutationFn: (id: string) => api<Notice>(`/privacy/notices/${id}/publish`, { method: 'POST' }),
    onSuccess: (n) => done(t('consent.published', { version: n.version })),
    onError: (e) =>
      notifications.show({ color: 'red', message: e instanceof Error ? e.message : t('common.error') }),
  });

  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const notices = q.data.data;
  const open = (n: Notice | null) => {
    fe.clear();
    const last = notices.find((x) => x.status === 'published');
    const base = n ?? last;
    setEditing({
      id: n?.id ?? null,
      draft: base
        ? { title_zh: base.title_zh, title_en: base.title_en, text_zh: base.text_zh, text_en: base.text_en }
        : EMPTY,
      publish: false,
    });
  };
  return (
    <Stack data-testid="privacy-notices">
      <Group justify="space-between">
        <Text fz="sm" c="dimmed">
          {t('consent.noticesHelp')}
        </Text>
        {manage && (
          <Button onClick={() => open(null)} data-testid="notice-new">
            {t('consent.newVersion')}
          </Button>
        )}
      </Group>
      {notices.length === 0 ? (
        <Empty text={t('consent.noNotices')} />
      ) : (
        <div className="zs-table-wrap">
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('consent.version')}</Table.Th>
                <Table.Th>{t('consent.noticeTitle')}</Table.Th>
                <Table.Th>{t('consent.status')}</Table.Th>
                <Table.Th className="zs-hide-mobile">{t('consent.publishedAt')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {notices.map((n) => (
                <Table.Tr key={n.id} data-testid={`notice-v${n.version}`}>
                  <Table.Td>v{n.version}</Table.Td>
                  <Table.Td>{lang === 'en' ? n.title_en : n.title_zh}</Table.Td>
                  <Table.Td>
                    {n.id === q.data.current_id ? (
                      <Badge color="green">{t('consent.current')}</Badge>
                    ) : n.status === 'published' ? (
                      <Badge color="gray" variant="light">
                        {t('consent.superseded')}
                      </Badge>
                    ) : (
                      <Badge color="yellow" variant="light">
                        {t('consent.draft')}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td className="zs-hide-mobile">
                    {n.published_at
                      ? `${formatDateTime(n.published_at, lang)} · ${n.published_by_name ?? ''}`
                      : '—'}
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" justify="flex-end" wrap="nowrap">
                      <Button size="xs" variant="subtle" onClick={() => setViewing(n)}>
                        {t('consent.view')}
                      </Button>
                      {manage && n.status === 'draft' && (
                        <>
                          <Button size="xs" variant="light" onClick={() => open(n)}>
                            {t('common.edit')}
                          </Button>
                          <Button
                            size="xs"
                            loading={publish.isPending && publish.variables === n.id}
                            onClick={() => publish.mutate(n.id)}
                            data-testid={`notice-publish-v${n.version}`}
                          >
                            {t('consent.publish')}
                          </Button>
                        </>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}

      <Modal
        opened={!!editing}
        onClose={() => setEditing(null)}
        size="xl"
        title={editing?.id ? t('consent.editDraft') : t('consent.newVersion')}
      >
        {editing && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate(editing);
            }}
          >
            <Stack>
              <GeneralErrors list={fe.general} />
              <Group grow align="flex-start">
                <TextInput
                  label={t('consent.titleZh')}
                  required
                  value={editing.draft.title_zh}
                  error={fe.errors.title_zh}
                  onChange={(e) =>
                    setEditing({ ...editing, draft: { ...editing.draft, title_zh: e.currentTarget.value } })
                  }
                />
                <TextInput
                  label={t('consent.titleEn')}
                  required
                  value={editing.draft.title_en}
                  error={fe.errors.title_en}
                  onChange={(e) =>
                    setEditing({ ...editing, draft: { ...editing.draft, title_en: e.currentTarget.value } })
                  }
                />
              </Group>
              <Textarea
                label={t('consent.textZh')}
                required
                autosize
                minRows={6}
                maxRows={16}
                value={editing.draft.text_zh}
                error={fe.errors.text_zh}
                onChange={(e) =>
                  setEditing({ ...editing, draft: { ...editing.draft, text_zh: e.currentTarget.value } })
                }
              />
              <Textarea
                label={t('consent.textEn')}
                required
                autosize
                minRows={6}
                maxRows={16}
                value={editing.draft.text_en}
                error={fe.errors.text_en}
                onChange={(e) =>
                  setEditing({ ...editing, draft: { ...editing.draft, text_en: e.currentTarget.value } })
                }
              />
              {!editing.id && (
                <Checkbox
                  label={t('consent.publishNow')}
                  checked={editing.publish}
                  onChange={(e) => setEditing({ ...editing, publish: e.currentTarget.checked })}
                />
              )}
              <Text fz="xs" c="dimmed">
                {t('consent.immutableHint')}
              </Text>
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setEditing(null)}>
                  {t('common.cancel')}
                </Button>
                <Button type="submit" loading={save.isPending} data-testid="notice-save">
                  {t('common.save')}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>

      <Modal
        opened={!!viewing}
        onClose={() => setViewing(null)}
        size="xl"
        title={viewing ? `v${viewing.version}` : ''}
      >
        {viewing && (
          <Stack>
            <Title order={3} fz="h4">
              {lang === 'en' ? viewing.title_en : viewing.title_zh}
            </Title>
            <Text style={{ whiteSpace: 'pre-wrap' }}>
              {lang === 'en' ? viewing.text_en : viewing.text_zh}
            </Text>
            <Title order={4} fz="sm" c="dimmed">
              {lang === 'en' ? viewing.title_zh : viewing.title_en}
            </Title>
            <Text fz="sm" c="dimmed" style={{ whiteSpace: 'pre-wrap' }}>
              {lang === 'en' ? viewing.text_zh : viewing.text_en}
            </Text>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
