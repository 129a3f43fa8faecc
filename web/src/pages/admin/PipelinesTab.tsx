import {
  ActionIcon,
  Alert,
  Button,
  Group,
  NumberInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Empty, ErrorState, Loading } from '../../components/States';
import { request } from '../../lib/api';
import { usePipelines } from '../../lib/hooks';
import { queryKeys } from '../../lib/query-keys';
import type { Stage } from '../../lib/types';
import { GeneralErrors, Tbl, useFormErrors } from './admin-shared';

export function PipelinesTab() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const pipelines = usePipelines();
  const [pid, setPid] = useState<string | null>(null);
  const current =
    pipelines.data?.find((p) => p.id === pid) ??
    pipelines.data?.find((p) => p.is_default) ??
    pipelines.data?.[0];
  const [stages, setStages] = useState<Stage[]>([]);
  const fe = useFormErrors(['stages', 'name']);
  useEffect(() => {
    if (current) setStages(current.stages.map((s) => ({ ...s })));
  }, [current]);
  const save = useMutation({
    mutationFn: () => request('patch', '/pipelines/{id}', { path: { id: current!.id }, body: { stages } }),
    onSuccess: () => {
      fe.clear();
      void qc.invalidateQueries({ queryKey: queryKeys.pipelines.all });
      notifications.show({ color: 'green', message: t('common.saved') });
    },
    onError: fe.fromError,
  });
  if (pipelines.isPending) return <Loading />;
  if (pipelines.isError) return <ErrorState error={pipelines.error} onRetry={() => pipelines.refetch()} />;
  if (!current) return <Empty />;
  const upd = (i: number, patch: Partial<Stage>) =>
    setStages((s) => s.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const swap = (i: number, j: number) =>
    setStages((s) => {
      if (j < 0 || j >= s.length) return s;
      const n = [...s];
      [n[i], n[j]] = [n[j]!, n[i]!];
      return n;
    });
  return (
    <Stack>
      <Select
        w={260}
        label={t('board.pipeline')}
        value={current.id}
        allowDeselect={false}
        onChange={setPid}
        data={pipelines.data.map((p) => ({ value: p.id, label: p.name }))}
      />
      <Text fz="xs" c="dimmed">
        {t('admin.stageKinds')}
      </Text>
      <GeneralErrors list={fe.general} />
      {fe.errors.stages && <Alert color="red">{fe.errors.stages}</Alert>}
      <Tbl
        head={[
          '',
          t('admin.stageKey'),
          t('admin.stageName'),
          t('admin.stageNameEn'),
          t('fields.probability'),
          t('fields.kind'),
          '',
        ]}
      >
        {stages.map((s, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: stage rows are edited in place, keys can change while typing
          <Table.Tr key={i}>
            <Table.Td>
              <Group gap={2} wrap="nowrap">
                <ActionIcon
                  size="sm"
                  variant="subtle"
                  aria-label={t('admin.moveUp')}
                  onClick={() => swap(i, i - 1)}
                >
                  ↑
                </ActionIcon>
                <ActionIcon
                  size="sm"
                  variant="subtle"
                  aria-label={t('admin.moveDown')}
                  onClick={() => swap(i, i + 1)}
                >
                  ↓
                </ActionIcon>
              </Group>
            </Table.Td>
            <Table.Td>
              <TextInput
                size="xs"
                w={110}
                aria-label={t('admin.stageKey')}
                value={s.key}
                onChange={(e) => upd(i, { key: e.currentTarget.value })}
              />
            </Table.Td>
            <Table.Td>
              <TextInput
                size="xs"
                w={130}
                aria-label={t('admin.stageName')}
                value={s.name}
                onChange={(e) => upd(i, { name: e.currentTarget.value })}
              />
            </Table.Td>
            <Table.Td>
              <TextInput
                size="xs"
                w={150}
                aria-label={t('admin.stageNameEn')}
                value={s.name_en ?? ''}
                onChange={(e) => upd(i, { name_en: e.currentTarget.value })}
              />
            </Table.Td>
            <Table.Td>
              <NumberInput
                size="xs"
                w={80}
                min={0}
                max={100}
                suffix="%"
                aria-label={t('fields.probability')}
                value={s.probability}
                onChange={(v) => upd(i, { probability: Number(v) || 0 })}
              />
            </Table.Td>
            <Table.Td>
              <Select
                size="xs"
                w={100}
                aria-label={t('fields.kind')}
                value={s.kind}
                allowDeselect={false}
                data={(['open', 'won', 'lost'] as const).map((k) => ({
                  value: k,
                  label: t(`oppStatus.${k}`),
                }))}
                onChange={(v) => upd(i, { kind: (v ?? 'open') as Stage['kind'] })}
              />
            </Table.Td>
            <Table.Td>
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={t('admin.removeStage')}
                onClick={() => setStages((x) => x.filter((_, j) => j !== i))}
              >
                ×
              </ActionIcon>
            </Table.Td>
          </Table.Tr>
        ))}
      </Tbl>
      <Group justify="space-between">
        <Button
          variant="default"
          onClick={() =>
            setStages((s) => [
              ...s,
              { key: `stage_${s.length + 1}`, name: '', name_en: '', probability: 10, kind: 'open' },
            ])
          }
        >
          {t('admin.addStage')}
        </Button>
        <Button onClick={() => save.mutate()} loading={save.isPending}>
          {t('common.save')}
        </Button>
      </Group>
    </Stack>
  );
}
