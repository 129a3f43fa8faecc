import { Alert, Button, Group, Modal, NumberInput, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchRows, request } from '../lib/api';
import { formatMoney, type Lang, sortByName } from '../lib/format';
import { useUsers } from '../lib/hooks';
import {
  type QuotaGrid,
  quarterMonths,
  quotaCellErrors,
  quotaCellKey,
  quotaChanges,
  quotaGrid,
  shiftQuarter,
  sumCells,
} from '../lib/predict';
import { ApiError } from '../lib/problem';
import { queryKeys } from '../lib/query-keys';
import { Empty, ErrorState, Loading } from './States';

/**
 * "Set quotas": the month quotas of every rep for one quarter, as a grid of number inputs.
 * Saving sends the changed cells in one PUT /quotas (all or nothing); emptied cells delete their
 * stored quota afterwards. Server field errors (`3.amount`) are shown at the cell they belong to.
 */
export function QuotaEditor({
  opened,
  onClose,
  initialQuarter,
  lang,
}: {
  opened: boolean;
  onClose: () => void;
  initialQuarter: string;
  lang: Lang;
}) {
  const { t } = useTranslation();
  const [quarter, setQuarter] = useState(initialQuarter);
  useEffect(() => {
    if (opened) setQuarter(initialQuarter);
  }, [opened, initialQuarter]);
  return (
    <Modal opened={opened} onClose={onClose} title={t('quotas.title')} size="xl">
      <Stack gap="sm">
        <Group gap="xs" justify="center">
          <Button
            variant="subtle"
            size="xs"
            onClick={() => setQuarter((q) => shiftQuarter(q, -1))}
            aria-label={t('quotas.previous')}
          >
            ‹
          </Button>
          <Text fw={600} data-testid="quota-quarter">
            {quarter}
          </Text>
          <Button
            variant="subtle"
            size="xs"
            onClick={() => setQuarter((q) => shiftQuarter(q, 1))}
            aria-label={t('quotas.next')}
          >
            ›
          </Button>
        </Group>
        {opened && <QuarterGrid key={quarter} quarter={quarter} lang={lang} onSaved={onClose} />}
      </Stack>
    </Modal>
  );
}

function QuarterGrid({ quarter, lang, onSaved }: { quarter: string; lang: Lang; onSaved: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const months = useMemo(() => quarterMonths(quarter), [quarter]);
  const users = useUsers();
  const stored = useQuery({
    queryKey: queryKeys.quotas.reps(quarter),
    queryFn: () => fetchRows('/quotas', { scope: 'rep', period: [...months, quarter].join(',') }),
  });
  const reps = useMemo(() => {
    const withQuota = new Set((stored.data ?? []).map((q) => q.scope_key));
    return sortByName(
      (users.data ?? []).filter((u) => (u.role === 'rep' && u.active) || withQuota.has(u.id)),
      (u) => u.name,
      lang,
    );
  }, [users.data, stored.data, lang]);
  const initial = useMemo(
    () =>
      quotaGrid(
        stored.data ?? [],
        reps.map((r) => r.id),
        months,
      ),
    [stored.data, reps, months],
  );
  const quarterRows = useMemo(
    () =>
      new Map(
        (stored.data ?? []).filter((q) => q.period_kind === 'quarter').map((q) => [q.scope_key, q.amount]),
      ),
    [stored.data],
  );
  const [grid, setGrid] = useState<QuotaGrid>({});
  const [cellErrors, setCellErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  useEffect(() => setGrid(initial), [initial]);

  const changes = useMemo(() => quotaChanges(initial, grid, stored.data ?? []), [initial, grid, stored.data]);
  const dirty = changes.items.length + changes.deletes.length > 0;
  /** Whether the PUT of the current save is stored (a later delete may still fail). */
  const putStored = useRef(false);

  const save = useMutation({
    mutationFn: async () => {
      putStored.current = false;
      if (changes.items.length) await request('put', '/quotas', { body: changes.items });
      putStored.current = true;
      for (const id of changes.deletes) await request('delete', '/quotas/{id}', { path: { id } });
    },
    onMutate: () => {
      setCellErrors({});
      setGeneral([]);
    },
    onSuccess: () => {
      notifications.show({ color: 'green', message: t('quotas.saved', { quarter }) });
      void qc.invalidateQueries({ queryKey: queryKeys.quotas.all });
      void qc.invalidateQueries({ queryKey: queryKeys.forecast.all });
      onSaved();
    },
    onError: (e) => {
      const placed = quotaCellErrors(e instanceof ApiError ? e.problem : undefined, changes.cells);
      setCellErrors(placed.cells);
      setGeneral(
        placed.general.length || Object.keys(placed.cells).length
          ? placed.general
          : [e instanceof Error ? e.message : t('common.error')],
      );
      // A failed PUT stored nothing: the grid keeps the edits so the marked cells can be fixed.
      // A failed delete comes after a stored PUT: reload what is stored now.
      if (putStored.current) {
        void qc.invalidateQueries({ queryKey: queryKeys.quotas.all });
        void qc.invalidateQueries({ queryKey: queryKeys.forecast.all });
      }
    },
  });

  if (users.isPending || stored.isPending) return <Loading h={120} />;
  if (users.isError || stored.isError)
    return (
      <ErrorState
        error={users.error ?? stored.error}
        onRetry={() => {
          void users.refetch();
          void stored.refetch();
        }}
      />
    );
  if (reps.length === 0) return <Empty text={t('quotas.noReps')} />;

  const money = (v: number | null) => (v === null ? '—' : formatMoney(v, 'CNY', lang));
  return (
    <Stack gap="sm">
      <Text fz="xs" c="dimmed">
        {t('quotas.hint')}
      </Text>
      {general.length > 0 && (
        <Alert color="red" role="alert" data-testid="quota-errors">
          {general.map((g) => (
            <div key={g}>{g}</div>
          ))}
        </Alert>
      )}
      <div className="zs-table-wrap">
        <Table data-testid="quota-grid" verticalSpacing={4}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('forecast.rep')}</Table.Th>
              {months.map((m) => (
                <Table.Th key={m} ta="right">
                  {m}
                </Table.Th>
              ))}
              <Table.Th ta="right">{t('quotas.quarterTotal')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {reps.map((rep) => {
              const quarterRow = quarterRows.get(rep.id);
              const monthSum = sumCells(
                grid,
                months.map((m) => quotaCellKey(rep.id, m)),
              );
              return (
                <Table.Tr key={rep.id}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{rep.name}</Table.Td>
                  {months.map((m) => {
                    const cell = quotaCellKey(rep.id, m);
                    return (
                      <Table.Td key={m} miw={130}>
                        <NumberInput
                          size="xs"
                          min={0}
                          step={10_000}
                          thousandSeparator=","
                          hideControls
                          allowNegative={false}
                          aria-label={t('quotas.cell', { name: rep.name, month: m })}
                          placeholder={
                            quarterRow !== undefined
                              ? t('quotas.fromQuarter', { amount: formatMoney(quarterRow / 3, 'CNY', lang) })
                              : undefined
                          }
                          value={grid[cell] ?? ''}
                          onChange={(v) => setGrid((g) => ({ ...g, [cell]: v }))}
                          error={cellErrors[cell]}
                          data-testid={`quota-cell-${cell}`}
                        />
                      </Table.Td>
                    );
                  })}
                  <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                    {quarterRow !== undefined ? (
                      <Text fz="sm" title={t('quotas.quarterOwn')}>
                        {money(quarterRow)} *
                      </Text>
                    ) : (
                      money(monthSum)
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
            <Table.Tr fw={700}>
              <Table.Td>{t('forecast.total')}</Table.Td>
              {months.map((m) => (
                <Table.Td key={m} ta="right">
                  {money(
                    sumCells(
                      grid,
                      reps.map((r) => quotaCellKey(r.id, m)),
                    ),
                  )}
                </Table.Td>
              ))}
              <Table.Td ta="right">
                {money(
                  sumCells(
                    grid,
                    reps.flatMap((r) => months.map((m) => quotaCellKey(r.id, m))),
                  ),
                )}
              </Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      </div>
      {quarterRows.size > 0 && (
        <Text fz="xs" c="dimmed">
          * {t('quotas.quarterOwn')}
        </Text>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onSaved}>
          {t('common.cancel')}
        </Button>
        <Button
          onClick={() => save.mutate()}
          loading={save.isPending}
          disabled={!dirty}
          data-testid="quota-save"
        >
          {t('common.save')}
        </Button>
      </Group>
    </Stack>
  );
}
