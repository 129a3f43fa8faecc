import { NumberInput, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatMoney, type Lang } from '../../lib/format';
import { quotaCellKey, sumCells } from '../../lib/predict';
import type { QuotaDraft } from './useQuotaDraft';

type Rep = QuotaDraft['reps'][number];

/** The grid: a row a rep with a number input a month and the quarter total, then the totals a month. */
export function QuotaTable({ d, lang }: { d: QuotaDraft; lang: Lang }) {
  const { t } = useTranslation();
  const { months, reps, grid } = d;
  const money = (v: number | null) => (v === null ? '—' : formatMoney(v, 'CNY', lang));
  return (
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
          {reps.map((rep) => (
            <QuotaRepRow key={rep.id} rep={rep} d={d} lang={lang} money={money} />
          ))}
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
  );
}

function QuotaRepRow({
  rep,
  d,
  lang,
  money,
}: {
  rep: Rep;
  d: QuotaDraft;
  lang: Lang;
  money: (v: number | null) => string;
}) {
  const { t } = useTranslation();
  const { months, grid, setGrid, cellErrors } = d;
  const quarterRow = d.quarterRows.get(rep.id);
  const monthSum = sumCells(
    grid,
    months.map((m) => quotaCellKey(rep.id, m)),
  );
  return (
    <Table.Tr>
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
}
