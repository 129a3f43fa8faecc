import {
  ActionIcon,
  Badge,
  Button,
  Checkbox,
  Group,
  Menu,
  Modal,
  Select,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ProbBadge } from '../components/Predict';
import { RecordForm } from '../components/RecordForm';
import { Empty, ErrorState, Loading } from '../components/States';
import { fetchRows, request } from '../lib/api';
import { formatDate, formatMoney, type Lang, sortByName } from '../lib/format';
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
import { type BoardState, boardReducer, groupByStage, sumByCurrency } from '../lib/kanban';
import { type PredictionRow, usePredictionMap } from '../lib/predict';
import { ApiError } from '../lib/problem';
import { queryKeys } from '../lib/query-keys';
import type { Opportunity, Stage } from '../lib/types';

const CARD_H = 92;

export default function BoardPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const qc = useQueryClient();
  const [sp, setSp] = useSearchParams();
  const pipelines = usePipelines();
  const users = useUsers();
  const teams = useTeams();
  const regions = useRegions();
  const accounts = useAccountNames();
  const predictions = usePredictionMap();
  const [createOpen, create] = useDisclosure(false);
  const pipelineId =
    sp.get('pipeline') ?? pipelines.data?.find((p) => p.is_default)?.id ?? pipelines.data?.[0]?.id ?? null;
  const pipeline = pipelines.data?.find((p) => p.id === pipelineId);
  const owner = sp.get('owner') ?? '';
  const team = sp.get('team') ?? '';
  const region = sp.get('region') ?? '';
  const hideClosed = sp.get('closed') !== 'show';
  const setParam = (k: string, v: string | null) =>
    setSp(
      (prev) => {
        const n = new URLSearchParams(prev);
        if (v) n.set(k, v);
        else n.delete(k);
        return n;
      },
      { replace: true },
    );

  const opps = useQuery({
    queryKey: queryKeys.board.pipeline(pipelineId),
    queryFn: () => fetchRows('/opportunities', { pipeline_id: pipelineId!, sort: '-amount' }, 10000),
    enabled: !!pipelineId,
  });
  const [state, dispatch] = useReducer(boardReducer<Opportunity>, {
    cards: [],
    pending: {},
  } as BoardState<Opportunity>);
  useEffect(() => {
    if (opps.data) dispatch({ type: 'load', cards: opps.data });
  }, [opps.data]);

  const stages = useMemo(
    () => (pipeline?.stages ?? []).filter((s) => !hideClosed || s.kind === 'open'),
    [pipeline, hideClosed],
  );
  const filtered = useMemo(
    () =>
      state.cards.filter(
        (c) =>
          (!owner || c.owner_id === owner) &&
          (!team || c.team_id === team) &&
          (!region || c.region_id === region),
      ),
    [state.cards, owner, team, region],
  );
  const columns = useMemo(
    () =>
      groupByStage(
        filtered,
        stages.map((s) => s.key),
      ),
    [filtered, stages],
  );
  const userNames = useMemo(() => nameMap(users.data), [users.data]);

  const move = useCallback(
    async (card: Opportunity, to: string) => {
      if (card.stage === to) return;
      const target = pipeline?.stages.find((s) => s.key === to);
      dispatch({ type: 'move', id: card.id, to });
      try {
        const updated = await request('patch', '/opportunities/{id}', {
          path: { id: card.id },
          body: { stage: to },
        });
        dispatch({ type: 'confirm', id: card.id, card: updated });
        qc.setQueryData<Opportunity[]>(queryKeys.board.pipeline(pipelineId), (old) =>
          old?.map((o) => (o.id === card.id ? updated : o)),
        );
        void qc.invalidateQueries({ queryKey: queryKeys.records.lists('opportunities') });
        void qc.invalidateQueries({ queryKey: queryKeys.records.one('opportunities', card.id) });
        notifications.show({
          color: 'green',
          message: t('board.moved', { stage: stageLabel(target, lang, to) }),
          autoClose: 2000,
        });
      } catch (err) {
        dispatch({ type: 'rollback', id: card.id });
        const reason =
          err instanceof ApiError
            ? err.problem.errors?.map((e) => e.reason).join('; ') || err.message
            : t('errors.network');
        notifications.show({
          color: 'red',
          title: t('common.error'),
          message: t('board.moveFailed', { name: card.name, reason }),
        });
      }
    },
    [pipeline, pipelineId, qc, t, lang],
  );

  const ready = !!pipeline && opps.isSuccess && !!accounts.data;
  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap">
        <Group gap="xs">
          <Title order={1} fz="h2">
            {t('board.title')}
          </Title>
          <Button component={Link} to="/opportunities" variant="subtle" size="xs">
            {t('nav.list')}
          </Button>
        </Group>
        <Button onClick={create.open} disabled={!pipeline} data-testid="quick-create">
          {t('board.quickCreate')}
        </Button>
      </Group>
      <Group gap="xs" wrap="wrap" align="flex-end">
        <Select
          label={t('board.pipeline')}
          w={200}
          value={pipelineId}
          onChange={(v) => setParam('pipeline', v)}
          data={(pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
          allowDeselect={false}
        />
        <Select
          label={t('board.owner')}
          w={170}
          clearable
          searchable
          value={owner || null}
          onChange={(v) => setParam('owner', v)}
          data={sortByName(users.data ?? [], (u) => u.name, lang).map((u) => ({
            value: u.id,
            label: u.name,
          }))}
          data-testid="board-owner"
        />
        <Select
          label={t('board.team')}
          w={160}
          clearable
          value={team || null}
          onChange={(v) => setParam('team', v)}
          data={sortByName(teams.data ?? [], (u) => u.name, lang).map((u) => ({
            value: u.id,
            label: u.name,
          }))}
        />
        <Select
          label={t('board.region')}
          w={160}
          clearable
          value={region || null}
          onChange={(v) => setParam('region', v)}
          data={sortByName(regions.data ?? [], (u) => u.name, lang).map((u) => ({
            value: u.id,
            label: u.name,
          }))}
        />
        <Checkbox
          mb={8}
          label={t('board.onlyOpen')}
          checked={hideClosed}
          onChange={(e) => setParam('closed', e.currentTarget.checked ? null : 'show')}
        />
      </Group>
      {pipelines.isPending || (pipelineId && opps.isPending) ? (
        <Loading />
      ) : pipelines.isError || opps.isError ? (
        <ErrorState error={pipelines.error ?? opps.error} onRetry={() => opps.refetch()} />
      ) : !pipeline ? (
        <Empty text={t('board.noPipeline')} />
      ) : (
        <div className="zs-board" data-testid="board" data-ready={ready} data-count={state.cards.length}>
          {stages.map((s) => (
            <Column
              key={s.key}
              stage={s}
              stages={pipeline.stages}
              cards={columns[s.key] ?? []}
              lang={lang}
              accounts={accounts.data}
              predictions={predictions.data}
              users={userNames}
              pending={state.pending}
              onMove={move}
            />
          ))}
        </div>
      )}
      <Modal opened={createOpen} onClose={create.close} title={t('board.quickCreate')} size="lg">
        <RecordForm
          entity="opportunities"
          only={['name', 'account_id', 'stage', 'amount', 'currency', 'expected_close_date', 'owner_id']}
          defaults={{ pipeline_id: pipelineId, stage: stages[0]?.key, currency: 'CNY' }}
          onCancel={create.close}
          onSaved={() => {
            create.close();
            void opps.refetch();
          }}
        />
      </Modal>
    </Stack>
  );
}

interface ColumnProps {
  stage: Stage;
  stages: Stage[];
  cards: Opportunity[];
  lang: Lang;
  accounts?: Map<string, string>;
  predictions?: Map<string, PredictionRow>;
  users: Map<string, string>;
  pending: Record<string, string>;
  onMove: (card: Opportunity, to: string) => void;
}

function Column({ stage, stages, cards, lang, accounts, predictions, users, pending, onMove }: ColumnProps) {
  const { t } = useTranslation();
  const parentRef = useRef<HTMLDivElement>(null);
  const [over, setOver] = useState(false);
  const virtualizer = useVirtualizer({
    count: cards.length,
    getScrollElement: () => parentRef.current,
    estimateSize: () => CARD_H,
    overscan: 6,
    getItemKey: (i) => cards[i]!.id,
  });
  const sums = sumByCurrency(cards);
  const byId = useMemo(() => new Map(cards.map((c) => [c.id, c])), [cards]);
  const label = stageLabel(stage, lang, stage.key);

  return (
    <section
      className="zs-col"
      data-over={over}
      data-stage={stage.key}
      data-testid={`column-${stage.key}`}
      aria-label={label}
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
        if (!over) setOver(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node)) setOver(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const id = e.dataTransfer.getData('text/x-zs-opportunity') || e.dataTransfer.getData('text/plain');
        const card = byId.get(id) ?? (window as any).__zsDragCard;
        if (card) onMove(card, stage.key);
      }}
    >
      <div style={{ padding: '10px 10px 6px' }}>
        <Group justify="space-between" wrap="nowrap">
          <Text fw={600} fz="sm" truncate>
            {label}
          </Text>
          <Badge
            size="sm"
            variant="light"
            color={stage.kind === 'won' ? 'green' : stage.kind === 'lost' ? 'gray' : 'indigo'}
          >
            {stage.probability}%
          </Badge>
        </Group>
        <Text fz="xs" c="dimmed" data-testid="column-sum">
          {t('board.cards', { count: cards.length })} ·{' '}
          {sums.length
            ? sums.map((s) => formatMoney(s.amount, s.currency, lang, true)).join(' + ')
            : formatMoney(0, 'CNY', lang)}
        </Text>
      </div>
      <div ref={parentRef} className="zs-col-body">
        {cards.length === 0 ? (
          <Text fz="xs" c="dimmed" ta="center" py="md">
            {t('board.empty')}
          </Text>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((v) => {
              const c = cards[v.index]!;
              return (
                <div
                  key={v.key}
                  style={{
                    position: 'absolute',
                    top: 0,
                    left: 0,
                    right: 0,
                    height: CARD_H,
                    transform: `translateY(${v.start}px)`,
                    paddingBottom: 6,
                  }}
                >
                  <Card
                    card={c}
                    stages={stages}
                    lang={lang}
                    account={accounts?.get(c.account_id)}
                    owner={c.owner_id ? users.get(c.owner_id) : undefined}
                    prediction={predictions?.get(c.id)}
                    pending={pending[c.id] !== undefined}
                    onMove={onMove}
                  />
                </div>
              );
            })}
          </div>
        )}
      </div>
    </section>
  );
}

const Card = memo(function Card({
  card,
  stages,
  lang,
  account,
  owner,
  prediction,
  pending,
  onMove,
}: {
  card: Opportunity;
  stages: Stage[];
  lang: Lang;
  account?: string;
  owner?: string;
  prediction?: PredictionRow;
  pending: boolean;
  onMove: (card: Opportunity, to: string) => void;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    // biome-ignore lint/a11y/useSemanticElements: a draggable card cannot be a <button> (it contains a link and a menu button)
    <div
      className="zs-card"
      draggable
      tabIndex={0}
      role="button"
      aria-roledescription="draggable card"
      aria-label={card.name}
      data-testid="board-card"
      data-id={card.id}
      data-pending={pending}
      style={{ height: CARD_H - 6, overflow: 'hidden' }}
      onDragStart={(e) => {
        e.dataTransfer.setData('text/x-zs-opportunity', card.id);
        e.dataTransfer.setData('text/plain', card.id);
        e.dataTransfer.effectAllowed = 'move';
        (window as any).__zsDragCard = card;
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') navigate(`/opportunities/${card.id}`);
      }}
    >
      <Group justify="space-between" wrap="nowrap" gap={4}>
        <Text
          fz="sm"
          fw={500}
          truncate
          component={Link}
          to={`/opportunities/${card.id}`}
          style={{ color: 'inherit', textDecoration: 'none' }}
          draggable={false}
        >
          {card.name}
        </Text>
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <ActionIcon size="sm" variant="subtle" aria-label={t('board.moveTo')} data-testid="card-move">
              ⋯
            </ActionIcon>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Label>{t('board.moveTo')}</Menu.Label>
            {stages.map((s) => (
              <Menu.Item
                key={s.key}
                disabled={s.key === card.stage}
                onClick={() => onMove(card, s.key)}
                data-stage={s.key}
              >
                {stageLabel(s, lang, s.key)}
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
      </Group>
      <Group justify="space-between" wrap="nowrap" gap={4}>
        <Text fz="xs" c="dimmed" truncate>
          {account ?? '—'}
        </Text>
        <ProbBadge p={prediction?.probability} method={prediction?.method} />
      </Group>
      <Group justify="space-between" wrap="nowrap" mt={2}>
        <Text fz="sm" fw={600}>
          {formatMoney(card.amount, card.currency, lang)}
        </Text>
        <Text fz="xs" c="dimmed" truncate>
          {owner ?? ''} · {formatDate(card.expected_close_date, lang)}
        </Text>
      </Group>
    </div>
  );
});
