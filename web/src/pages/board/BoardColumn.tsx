import { ActionIcon, Badge, Group, Menu, Text } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { ProbBadge } from '../../components/Predict';
import { formatDate, formatMoney, type Lang } from '../../lib/format';
import { stageLabel } from '../../lib/hooks';
import { sumByCurrency } from '../../lib/kanban';
import type { PredictionRow } from '../../lib/predict';
import type { Opportunity, Stage } from '../../lib/types';

const CARD_H = 92;

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

/** One stage of the board: its header (count, sums), a virtualised list of cards, and the drop target. */
export function Column({
  stage,
  stages,
  cards,
  lang,
  accounts,
  predictions,
  users,
  pending,
  onMove,
}: ColumnProps) {
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
