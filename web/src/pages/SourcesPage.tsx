import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  NumberInput,
  Progress,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/auth';
import { Empty, ErrorState, Loading } from '../components/States';
import { request } from '../lib/api';
import { formatNumber } from '../lib/format';
import { useLang } from '../lib/hooks';
import { queryKeys } from '../lib/query-keys';
import type { SourceRow } from '../lib/signals';

function Score({ v, lang }: { v: number; lang: 'zh-CN' | 'en' }) {
  return (
    <Stack gap={2} miw={64}>
      <Text fz="sm" ta="right" ff="monospace">
        {formatNumber(v, lang, 1)}
      </Text>
      <Progress value={v * 10} size="xs" color={v > 7.5 ? 'green' : v >= 5 ? 'yellow' : 'gray'} aria-hidden />
    </Stack>
  );
}

export default function SourcesPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const { can } = useAuth();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: queryKeys.signalSources.all,
    queryFn: () => request('get', '/signal-sources'),
  });
  const [editing, setEditing] = useState<SourceRow | null>(null);
  const [score, setScore] = useState<number | string>('');
  const [reason, setReason] = useState('');
  const save = useMutation({
    mutationFn: (body: { override_score: number | null; override_reason: string | null }) =>
      request('patch', '/signal-sources/{id}', { path: { id: editing?.id ?? '' }, body }),
    onSuccess: () => {
      notifications.show({ color: 'green', message: t('common.saved') });
      setEditing(null);
      void qc.invalidateQueries({ queryKey: queryKeys.signalSources.all });
    },
  });
  const open = (s: SourceRow) => {
    setEditing(s);
    setScore(s.override_score ?? s.computed_score);
    setReason(s.override_reason ?? '');
    save.reset();
  };
  const rows = [...(q.data?.data ?? [])].sort((a, b) => b.score - a.score);
  return (
    <Stack gap="md">
      <Title order={1} fz="h2">
        {t('sources.title')}
      </Title>
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : rows.length === 0 ? (
        <Empty text={t('sources.empty')} />
      ) : (
        <>
          <div className="zs-table-wrap">
            <Table data-testid="source-matrix" verticalSpacing="xs" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('sources.source')}</Table.Th>
                  <Table.Th ta="right">{t('sources.coverage')}</Table.Th>
                  <Table.Th ta="right">{t('sources.timeliness')}</Table.Th>
                  <Table.Th ta="right">{t('sources.relevance')}</Table.Th>
                  <Table.Th ta="right">{t('sources.score')}</Table.Th>
                  <Table.Th ta="right" className="zs-hide-mobile">
                    {t('sources.signals90')}
                  </Table.Th>
                  <Table.Th ta="right" className="zs-hide-mobile">
                    {t('sources.delay')}
                  </Table.Th>
                  {can('signals:manage') && <Table.Th>{t('common.actions')}</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((s) => (
                  <Table.Tr key={s.id} data-testid="source-row" data-priority={s.priority}>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <Text fz="sm" fw={500}>
                          {s.name}
                        </Text>
                        {s.priority && (
                          <Tooltip label={t('sources.priorityHint')}>
                            <Badge color="green" size="sm" aria-label={t('sources.priority')}>
                              ★ {t('sources.priority')}
                            </Badge>
                          </Tooltip>
                        )}
                        {!s.active && (
                          <Badge color="gray" size="xs" variant="outline">
                            {t('rules.inactive')}
                          </Badge>
                        )}
                      </Group>
                      <Text fz="xs" c="dimmed" title={s.relevance_basis}>
                        {s.key} · {s.kind}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Score v={s.coverage} lang={lang} />
                    </Table.Td>
                    <Table.Td>
                      <Score v={s.timeliness} lang={lang} />
                    </Table.Td>
                    <Table.Td>
                      <Tooltip label={`${t('sources.basis')}: ${s.relevance_basis}`} multiline w={280}>
                        <div>
                          <Score v={s.relevance} lang={lang} />
                        </div>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td>
                      <Stack gap={0} align="flex-end">
                        <Text
                          fz="md"
                          fw={700}
                          c={s.priority ? 'green' : undefined}
                          data-testid="source-score"
                        >
                          {formatNumber(s.score, lang, 1)}
                        </Text>
                        {s.override_score !== null && (
                          <Tooltip label={s.override_reason ?? ''} multiline w={260}>
                            <Text fz="xs" c="orange">
                              {t('sources.override')} ·{' '}
                              {t('sources.computed', { score: formatNumber(s.computed_score, lang, 1) })}
                            </Text>
                          </Tooltip>
                        )}
                      </Stack>
                    </Table.Td>
                    <Table.Td ta="right" className="zs-hide-mobile">
                      {formatNumber(s.signals_90d, lang)}
                    </Table.Td>
                    <Table.Td ta="right" className="zs-hide-mobile">
                      {s.median_delay_hours === null
                        ? '—'
                        : t('sources.hours', { value: formatNumber(s.median_delay_hours, lang, 1) })}
                    </Table.Td>
                    {can('signals:manage') && (
                      <Table.Td>
                        <Button size="xs" variant="light" onClick={() => open(s)} data-testid="override">
                          {t('sources.override')}
                        </Button>
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
          <Alert color="gray" variant="light" title={t('sources.formula')}>
            <Text fz="xs" ff="monospace">
              {q.data.formula}
            </Text>
          </Alert>
        </>
      )}
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={t('sources.overrideTitle', { name: editing?.name })}
      >
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim().length >= 3)
              save.mutate({ override_score: Number(score), override_reason: reason.trim() });
          }}
        >
          <Stack gap="sm">
            <NumberInput
              label={t('sources.score')}
              min={0}
              max={10}
              step={0.1}
              decimalScale={1}
              value={score}
              onChange={setScore}
              required
              name="override_score"
            />
            <Textarea
              label={t('sources.overrideReason')}
              description={t('sources.reasonHint')}
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              required
              autosize
              minRows={2}
              name="override_reason"
            />
            {save.isError && (
              <Alert color="red" variant="light">
                {save.error instanceof Error ? save.error.message : t('common.error')}
              </Alert>
            )}
            <Group justify="space-between">
              {editing?.override_score !== null ? (
                <Button
                  variant="subtle"
                  color="red"
                  onClick={() => save.mutate({ override_score: null, override_reason: null })}
                >
                  {t('sources.clearOverride')}
                </Button>
              ) : (
                <span />
              )}
              <Group gap="xs">
                <Button variant="default" onClick={() => setEditing(null)}>
                  {t('common.cancel')}
                </Button>
                <Button
                  type="submit"
                  disabled={reason.trim().length < 3 || score === ''}
                  loading={save.isPending}
                >
                  {t('common.save')}
                </Button>
              </Group>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}
