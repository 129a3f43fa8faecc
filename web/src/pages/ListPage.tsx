import {
  ActionIcon,
  Button,
  Checkbox,
  Group,
  Menu,
  Modal,
  MultiSelect,
  NumberInput,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { FieldInput } from '../components/inputs';
import { RecordForm } from '../components/RecordForm';
import { Empty, ErrorState, Loading } from '../components/States';
import { api, type Page } from '../lib/api';
import { type Entity, FORM_FIELDS, SINGULAR, toApiValue } from '../lib/fields';
import { sortByName } from '../lib/format';
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
import { type Ctx, exportUrl, type Filter, LIST_CONFIG, viewParams } from '../lib/listConfig';
import { useLeadScoreMap, usePredictionMap } from '../lib/predict';
import { queryKeys } from '../lib/query-keys';
import type { Named } from '../lib/types';
import { deleteView, loadViews, type SavedView, saveView } from '../lib/views';

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
  const [views, setViews] = useState<SavedView[]>(() => loadViews(entity));
  const [filtersOpen, filtersToggle] = useDisclosure(
    Object.keys(params).some((k) => k !== 'q' && k !== 'sort'),
  );

  useEffect(() => {
    setViews(loadViews(entity));
    setSelected(new Set());
  }, [entity]);
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
          <Menu>
            <Menu.Target>
              <Button variant="default" size="sm" data-testid="views-menu">
                {t('common.views')}
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item onClick={() => setSp(new URLSearchParams(), { replace: true })}>
                {t('common.defaultView')}
              </Menu.Item>
              {views.map((v) => (
                <Menu.Item
                  key={v.name}
                  onClick={() => {
                    setSp(new URLSearchParams(v.params), { replace: true });
                    setQInput(v.params.q ?? '');
                  }}
                  rightSection={
                    <ActionIcon
                      size="xs"
                      variant="subtle"
                      color="red"
                      aria-label={t('common.deleteView')}
                      onClick={(e) => {
                        e.stopPropagation();
                        setViews(deleteView(entity, v.name));
                      }}
                    >
                      ×
                    </ActionIcon>
                  }
                >
                  {v.name}
                </Menu.Item>
              ))}
              <Menu.Divider />
              <Menu.Item
                onClick={() => {
                  const name = window.prompt(t('common.viewName'));
                  if (name?.trim()) {
                    setViews(saveView(entity, { name: name.trim(), params }));
                    notifications.show({ message: t('common.viewSaved') });
                  }
                }}
              >
                {t('common.saveView')}
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
          <Menu>
            <Menu.Target>
              <Button variant="default" size="sm">
                {t('common.export')}
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item component="a" href={exportUrl(entity, { ...params, sort }, 'csv')} download>
                {t('common.exportCsv')}
              </Menu.Item>
              <Menu.Item component="a" href={exportUrl(entity, { ...params, sort }, 'xlsx')} download>
                {t('common.exportXlsx')}
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
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
        <Paper withBorder className="zs-table-wrap">
          <Table highlightOnHover striped={false} verticalSpacing="xs" data-testid="list-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={36}>
                  <Checkbox
                    aria-label={t('common.selectAll')}
                    checked={allSelected}
                    indeterminate={selected.size > 0 && !allSelected}
                    onChange={toggleAll}
                  />
                </Table.Th>
                {cfg.columns.map((c) => {
                  const label = t(`fields.${c.key}`);
                  const dir =
                    c.sort && sort.replace(/^-/, '') === c.sort
                      ? sort.startsWith('-')
                        ? 'descending'
                        : 'ascending'
                      : undefined;
                  return (
                    <Table.Th
                      key={c.key}
                      className={c.mobile ? undefined : 'zs-hide-mobile'}
                      aria-sort={dir ?? 'none'}
                    >
                      {c.sort ? (
                        <UnstyledButton
                          onClick={() => sortBy(c.sort!)}
                          aria-label={t('common.sortBy', { field: label })}
                          fw={600}
                          fz="sm"
                        >
                          {label} {dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : '↕'}
                        </UnstyledButton>
                      ) : (
                        label
                      )}
                    </Table.Th>
                  );
                })}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.id} data-testid="list-row">
                  <Table.Td>
                    <Checkbox
                      aria-label={t('common.selectRow')}
                      checked={selected.has(r.id)}
                      onChange={() => toggle(r.id)}
                    />
                  </Table.Td>
                  {cfg.columns.map((c, i) => (
                    <Table.Td key={c.key} className={c.mobile ? undefined : 'zs-hide-mobile'}>
                      {i === 0 ? (
                        <Link to={detailPath(r.id)} style={{ color: 'inherit' }}>
                          {c.render(r, ctx)}
                        </Link>
                      ) : (
                        c.render(r, ctx)
                      )}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
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

function FilterInput({
  filter,
  value,
  onChange,
}: {
  filter: Filter;
  value: string;
  onChange: (v: string | null) => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const users = useUsers();
  const regions = useRegions();
  const teams = useTeams();
  const pipelines = usePipelines();
  const label = t(filter.labelKey);
  const w = 180;
  switch (filter.kind) {
    case 'text':
      return (
        <TextInput
          w={w}
          label={label}
          defaultValue={value}
          onBlur={(e) => onChange(e.currentTarget.value)}
          onKeyDown={(e) => e.key === 'Enter' && onChange(e.currentTarget.value)}
        />
      );
    case 'number':
      return (
        <NumberInput
          w={w}
          label={label}
          value={value}
          onBlur={(e) => onChange(e.currentTarget.value.replace(/,/g, ''))}
          thousandSeparator=","
        />
      );
    case 'date':
      return (
        <TextInput
          w={w}
          type="date"
          label={label}
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case 'enum':
      return (
        <Select
          w={w}
          label={label}
          clearable
          value={value || null}
          onChange={onChange}
          data={(filter.options ?? []).map((o) => ({
            value: o,
            label: filter.optionsNs ? t(`${filter.optionsNs}.${o}`) : o,
          }))}
        />
      );
    case 'stage': {
      const p = pipelines.data?.find((x) => x.is_default) ?? pipelines.data?.[0];
      return (
        <MultiSelect
          w={260}
          label={label}
          clearable
          value={value ? value.split(',') : []}
          onChange={(v) => onChange(v.join(','))}
          data={(p?.stages ?? []).map((s) => ({ value: s.key, label: stageLabel(s, lang) }))}
        />
      );
    }
    default: {
      const src: Named[] | undefined =
        filter.kind === 'user' ? users.data : filter.kind === 'region' ? regions.data : teams.data;
      return (
        <Select
          w={w}
          label={label}
          searchable
          clearable
          value={value || null}
          onChange={onChange}
          data={sortByName(src ?? [], (r) => r.name, lang).map((r) => ({ value: r.id, label: r.name }))}
        />
      );
    }
  }
}

function BulkEditModal({
  entity,
  opened,
  onClose,
  ids,
  onDone,
}: {
  entity: Entity;
  opened: boolean;
  onClose: () => void;
  ids: string[];
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const fields = FORM_FIELDS[entity].filter((f) => f.bulk);
  const [field, setField] = useState<string | null>(fields[0]?.name ?? null);
  const [value, setValue] = useState<unknown>('');
  const [busy, setBusy] = useState(false);
  const def = fields.find((f) => f.name === field);

  async function apply() {
    if (!def) return;
    setBusy(true);
    const body = { [def.name]: toApiValue(def.type, value) };
    let ok = 0;
    let failed = 0;
    const queue = [...ids];
    await Promise.all(
      Array.from({ length: Math.min(4, queue.length) }, async () => {
        while (queue.length) {
          const id = queue.shift()!;
          try {
            await api(`/${entity}/${id}`, { method: 'PATCH', body });
            ok++;
          } catch {
            failed++;
          }
        }
      }),
    );
    setBusy(false);
    notifications.show({ color: failed ? 'orange' : 'green', message: t('common.bulkDone', { ok, failed }) });
    onDone();
    onClose();
  }

  return (
    <Modal opened={opened} onClose={onClose} title={t('common.bulkEditTitle', { count: ids.length })}>
      <Stack>
        <Select
          label={t('common.bulkField')}
          value={field}
          onChange={(v) => {
            setField(v);
            setValue('');
          }}
          data={fields.map((f) => ({ value: f.name, label: t(`fields.${f.name}`) }))}
        />
        {def && (
          <FieldInput
            key={def.name}
            def={{ ...def, required: false }}
            value={value}
            onChange={setValue}
            values={{}}
          />
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button onClick={apply} loading={busy} data-testid="bulk-apply">
            {t('common.apply')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
