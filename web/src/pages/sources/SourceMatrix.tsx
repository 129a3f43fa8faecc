import { Badge, Button, Group, Progress, Stack, Table, Text, Tooltip } from '@mantine/core';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../lib/format';
import { useLang } from '../../lib/hooks';
import { sourceLabel } from '../../lib/labels';
import type { SourceRow } from '../../lib/signals';

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

/** The value matrix of signal sources: coverage, timeliness, relevance and the score they make. */
export function SourceMatrix({
  rows,
  onOverride,
}: {
  rows: SourceRow[];
  onOverride?: (s: SourceRow) => void;
}) {
  const { t } = useTranslation();
  return (
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
            {onOverride && <Table.Th>{t('common.actions')}</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((s) => (
            <SourceLine key={s.id} s={s} onOverride={onOverride} />
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}

function SourceLine({ s, onOverride }: { s: SourceRow; onOverride?: (s: SourceRow) => void }) {
  const { t } = useTranslation();
  const lang = useLang();
  return (
    <Table.Tr data-testid="source-row" data-priority={s.priority}>
      <Table.Td>
        <Group gap={6} wrap="nowrap">
          <Text fz="sm" fw={500}>
            {sourceLabel(t, s.name)}
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
        <Text fz="xs" c="dimmed">
          {sourceLabel(t, s.name) !== s.key && (
            <Text span fz="xs" ff="monospace" translate="no">
              {`${s.key} · `}
            </Text>
          )}
          {t(`sources.kind.${s.kind}`, { defaultValue: s.kind })}
        </Text>
      </Table.Td>
      <Table.Td>
        <Score v={s.coverage} lang={lang} />
      </Table.Td>
      <Table.Td>
        <Score v={s.timeliness} lang={lang} />
      </Table.Td>
      <Table.Td>
        <Tooltip label={`${t('sources.basis')}: ${relevanceBasis(t, s.relevance_basis)}`} multiline w={280}>
          <div>
            <Score v={s.relevance} lang={lang} />
          </div>
        </Tooltip>
      </Table.Td>
      <Table.Td>
        <Stack gap={0} align="flex-end">
          <Text fz="md" fw={700} c={s.priority ? 'green' : undefined} data-testid="source-score">
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
      {onOverride && (
        <Table.Td>
          <Button size="xs" variant="light" onClick={() => onOverride(s)} data-testid="override">
            {t('sources.override')}
          </Button>
        </Table.Td>
      )}
    </Table.Tr>
  );
}

/**
 * The server's relevance basis (source-matrix.service.ts writes one of two English sentences) in
 * the user's language; anything else is shown as it came.
 */
export function relevanceBasis(t: TFunction, basis: string): string {
  const few = /^insufficient data \((\d+) closed opportunities with the signal, (\d+) closed in all\)$/.exec(
    basis,
  );
  if (few) return t('sources.basisFew', { withSignal: Number(few[1]), closed: Number(few[2]) });
  const lift = /^win-rate lift (-?[\d.]+) over (\d+) closed opportunities$/.exec(basis);
  if (lift) return t('sources.basisLift', { lift: lift[1], withSignal: Number(lift[2]) });
  return basis;
}
