import { Button, Group, Modal, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { RecordForm } from '../components/RecordForm';
import { Empty, ErrorState, Loading } from '../components/States';
import { api, type Page } from '../lib/api';
import { type Entity, SINGULAR } from '../lib/fields';
import {
  nameMap,
  stageLabel,
  useAccountNames,
  useLang,
  usePipelines,
  useRegions,
  useTeams,
  useUsers,
} from '../lib/hooks';
import { type Ctx, LIST_CONFIG, viewParams } from '../lib/listConfig';
import { useLeadScoreMap, usePredictionMap } from '../lib/predict';
import { queryKeys } from '../lib/query-keys';

import { BulkEditModal } from './list/BulkEditModal';
import { FilterInput } from './list/FilterInput';
import { ExportMenu, SavedViewsMenu } from './list/ListMenus';
import { ListTable } from './list/ListTable';
import { useMergePair } from './list/useMergePair';
import { MergeDialog } from './merge/MergeDialog';

const PAGE = 50;

export default function ListPage({ entity }: { entity: Entity }) {
  const { t } = useTranslation();
  const lang = useLang();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const cfg = LIST_CONFIG[entity];
  const [sp, setSp] = useSearchParams();
  const params = viewParams(sp);
  const sort = params.sort ?? cfg.defaultSort;
  const [qInput, setQInput] = useState(params.q ?? '');
  const [q] = useDebouncedValue(qInput, 250);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [createOpen, createModal] = useDisclosure(false);
  const [bulkOpen, bulkModal] = useDisclosure(false);
  const [mergeOpen, mergeModal] = useDisclosure(false);
  const [filtersOpen, filtersToggle] = useDisclosure(
    Object.keys(params).some((k) => k !== 'q' && k !== 'sort'),
  );

  useEffect(() => {
    setSelected(new Set());
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when switching between lists
  useEffect(() => {
    setQInput(sp.get('q') ?? '');
  }, [entity]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: push the debounced search box into the URL
  useEffect(() => {
    if ((params.q ?? '') === q) return;
    setParam('q', q);
  }, [q]);

  function setParam(key: string, value: string | null | undefined) {
    setSp(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value === null || value === undefined || value === '') next.delete(key);
        else next.set(key, value);
        return next;
      },
      { replace: true },
    );
    setSelected(new Set());
  }

  const users = useUsers();
  const regions = useRegions();
  const teams = useTeams();
  const pipelines = usePipelines();
  const accounts = useAccountNames();
  const predictions = usePredictionMap(entity === 'opportunities');
  const leadScores = useLeadScoreMap(entity === 'contacts');
  const ctx: Ctx = useMemo(
    () => ({
      t,
      lang,
      users: nameMap(users.data),
      regions: nameMap(regions.data),
      teams: nameMap(teams.data),
      accounts: accounts.data ?? new Map(),
      predictions: predictions.data,
      leadScores: leadScores.data,
      stageName: (pid, key) => {
        const p = pipelines.data?.find((x) => x.id === pid);
        return stageLabel(
          p?.stages.find((s) => s.key === key),
          lang,
          key,
        );
      },
    }),
    [
      t,
      lang,
      users.data,
      regions.data,
      teams.data,
      accounts.data,
      pipelines.data,
      predictions.data,
      leadScores.data,
    ],
  );

  const apiParams = { ...params, sort };
  const list = useInfiniteQuery({
    queryKey: queryKeys.records.list(entity, apiParams),
    queryFn: ({ pageParam, signal }) =>
      api<Page<Record<string, any>>>(`/${entity}`, {
        query: { ...apiParams, limit: PAGE, cursor: pageParam ?? undefined },
        signal,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
  // Kept in server order: the server sorts names by pinyin across pages (re-sorting the loaded
  // rows here would make rows jump as pages load and disagree on polyphones such as 重庆).
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.data) ?? [], [list.data]);

  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const mergePair = useMergePair(entity, rows, selected);
  const toggleAll = () => setSelected(allSelected ? new Set() : new Set(rows.map((r) => r.id)));
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  function sortBy(key: string) {
    const next = sort === key ? `-${key}` : key;
    setParam('sort', next === cfg.defaultSort ? null : next);
  }

  const activeFilters = cfg.filters.filter((f) => params[f.key]);
  const titleKey = `nav.${entity}`;
  const detailPath = (id: string) => `/${entity}/${id}`;

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap">
        <Group gap="xs">
          <Title order={1} fz="h2">
            {t(titleKey)}
          </Title>
          {entity === 'opportunities' && (
            <Button component={Link} to="/opportunities/board" variant="subtle" size="xs">
              {t('nav.board')}
            </Button>
          )}
        </Group>
        <Group gap="xs">
          <SavedViewsMenu
            entity={entity}
            params={params}
            onApply={(next) => {
              setSp(new URLSearchParams(next), { replace: true });
              setQInput(next.q ?? '');
            }}
            onReset={() => setSp(new URLSearchParams(), { replace: true })}
          />
          <ExportMenu entity={entity} params={{ ...params, sort }} />
          <Button size="sm" onClick={createModal.open} data-testid="new-record">
            {t('common.new')}
          </Button>
        </Group>
      </Group>

      <Group gap="xs" wrap="wrap">
        <TextInput
          placeholder={t('common.searchPlaceholder')}
          aria-label={t('common.search')}
          value={qInput}
          onChange={(e) => setQInput(e.currentTarget.value)}
          style={{ flex: '1 1 220px', maxWidth: 360 }}
          data-testid="list-search"
        />
        <Button
          variant={filtersOpen ? 'light' : 'default'}
          onClick={filtersToggle.toggle}
          aria-expanded={filtersOpen}
        >
          {t('common.filters')}
          {activeFilters.length ? ` (${activeFilters.length})` : ''}
        </Button>
        {activeFilters.length > 0 && (
          <Button
            variant="subtle"
            onClick={() => {
              const next = new URLSearchParams();
              if (params.q) next.set('q', params.q);
              if (params.sort) next.set('sort', params.sort);
              setSp(next, { replace: true });
            }}
          >
            {t('common.clearFilters')}
          </Button>
        )}
      </Group>
      {filtersOpen && (
        <Paper withBorder p="sm">
          <Group gap="sm" align="flex-end" wrap="wrap">
            {cfg.filters.map((f) => (
              <FilterInput
                key={f.key}
                filter={f}
                value={params[f.key] ?? ''}
                onChange={(v) => setParam(f.key, v)}
              />
            ))}
          </Group>
        </Paper>
      )}

      {selected.size > 0 && (
        <Paper withBorder p="xs" bg="indigo.0">
          <Group justify="space-between">
            <Text fz="sm">{t('common.selected', { count: selected.size })}</Text>
            <Group gap="xs">
              <Button size="xs" onClick={bulkModal.open} data-testid="bulk-edit">
                {t('common.bulkEdit')}
              </Button>
              {mergePair && (
                <Button size="xs" variant="default" onClick={mergeModal.open} data-testid="list-merge">
                  {t('merge.action')}
                </Button>
              )}
              <Button size="xs" variant="subtle" onClick={() => setSelected(new Set())}>
                {t('common.cancel')}
              </Button>
            </Group>
          </Group>
        </Paper>
      )}

      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : rows.length === 0 ? (
        <Empty text={Object.keys(params).length ? t('common.emptyFiltered') : t('common.empty')} />
      ) : (
        <ListTable
          entity={entity}
          rows={rows}
          ctx={ctx}
          sort={sort}
          onSort={sortBy}
          selected={selected}
          onToggle={toggle}
          onToggleAll={toggleAll}
        />
      )}
      <Group justify="space-between">
        <Text fz="sm" c="dimmed">
          {t('common.loaded', { count: rows.length })}
        </Text>
        {list.hasNextPage && (
          <Button variant="default" onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage}>
            {t('common.loadMore')}
          </Button>
        )}
      </Group>

      <Modal
        opened={createOpen}
        onClose={createModal.close}
        title={`${t('common.new')} · ${t(`entities.${SINGULAR[entity]}`)}`}
        size="xl"
      >
        <RecordForm
          entity={entity}
          defaults={
            entity === 'activities'
              ? { type: 'call', status: 'done', occurred_at: new Date().toISOString() }
              : undefined
          }
          onCancel={createModal.close}
          onSaved={(row) => {
            createModal.close();
            navigate(detailPath(String(row.id)));
          }}
        />
      </Modal>
      {mergeOpen && mergePair && (
        <MergeDialog
          entity={mergePair.entity}
          record={mergePair.record}
          initialOtherId={mergePair.otherId}
          onClose={() => {
            mergeModal.close();
            setSelected(new Set());
          }}
        />
      )}
      <BulkEditModal
        entity={entity}
        opened={bulkOpen}
        onClose={bulkModal.close}
        ids={[...selected]}
        onDone={() => {
          setSelected(new Set());
          void qc.invalidateQueries({ queryKey: queryKeys.records.lists(entity) });
        }}
      />
    </Stack>
  );
}
