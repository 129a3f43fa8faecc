import { SimpleGrid, Table, Text, UnstyledButton } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatMoney, formatNumber } from '../../lib/format';
import { type ForecastRow, formatAttainment, moneyOrDash } from '../../lib/predict';

export type PeriodKind = 'month' | 'quarter';
export type GroupBy = 'rep' | 'team' | 'region';

/** The period's totals as stat cards: expected, range, commit, won, quota, attainment. */
export function TotalCards({ total, lang }: { total: ForecastRow; lang: 'zh-CN' | 'en' }) {
  const { t } = useTranslation();
  const card = (label: string, value: string, testid?: string) => (
    <div className="zs-stat" key={label}>
      <Text fz="xs" c="dimmed">
        {label}
      </Text>
      <Text fz="lg" fw={700} data-testid={testid}>
        {value}
      </Text>
    </div>
  );
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, md: 6 }} spacing="sm" data-testid="forecast-total">
      {card(t('forecast.expected'), formatMoney(total.expected, 'CNY', lang, true), 'forecast-expected')}
      {card(
        t('forecast.range'),
        `${formatMoney(total.p10, 'CNY', lang, true)} – ${formatMoney(total.p90, 'CNY', lang, true)}`,
      )}
      {card(t('forecast.commit'), formatMoney(total.commit, 'CNY', lang, true))}
      {card(t('forecast.won'), formatMoney(total.won_to_date, 'CNY', lang, true))}
      {card(t('forecast.quota'), moneyOrDash(total.quota, lang, true), 'forecast-quota')}
      {card(t('forecast.attainment'), formatAttainment(total.attainment, lang), 'forecast-attainment')}
    </SimpleGrid>
  );
}

/** One row a rep / team / region, then the total; a rep's name opens their deals. */
export function ForecastTable({
  rows,
  total,
  groupBy,
  selected,
  onSelect,
  lang,
}: {
  rows: ForecastRow[];
  total: ForecastRow;
  groupBy: GroupBy;
  selected: string | null;
  onSelect: (key: string) => void;
  lang: 'zh-CN' | 'en';
}) {
  const { t } = useTranslation();
  const m = (v: number | null) => moneyOrDash(v, lang);
  const cells = (r: ForecastRow) => (
    <>
      <Table.Td ta="right">{m(r.expected)}</Table.Td>
      <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
        {m(r.p10)} – {m(r.p90)}
      </Table.Td>
      <Table.Td ta="right">{m(r.commit)}</Table.Td>
      <Table.Td ta="right">{m(r.quota)}</Table.Td>
      <Table.Td ta="right">{m(r.won_to_date)}</Table.Td>
      <Table.Td ta="right" className="zs-hide-mobile">
        {formatAttainment(r.attainment, lang)}
      </Table.Td>
      <Table.Td ta="right" className="zs-hide-mobile">
        {formatNumber(r.open_deals, lang)}
      </Table.Td>
    </>
  );
  return (
    <div className="zs-table-wrap">
      <Table striped highlightOnHover data-testid="forecast-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t(`forecast.${groupBy}`)}</Table.Th>
            <Table.Th ta="right">{t('forecast.expected')}</Table.Th>
            <Table.Th ta="right">{t('forecast.range')}</Table.Th>
            <Table.Th ta="right">{t('forecast.commit')}</Table.Th>
            <Table.Th ta="right">{t('forecast.quota')}</Table.Th>
            <Table.Th ta="right">{t('forecast.won')}</Table.Th>
            <Table.Th ta="right" className="zs-hide-mobile">
              {t('forecast.attainment')}
            </Table.Th>
            <Table.Th ta="right" className="zs-hide-mobile">
              {t('forecast.openDeals')}
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr
              key={r.group_key}
              data-testid="forecast-row"
              bg={selected === r.group_key ? 'var(--mantine-color-indigo-light)' : undefined}
            >
              <Table.Td>
                {groupBy === 'rep' ? (
                  <UnstyledButton
                    onClick={() => onSelect(r.group_key)}
                    aria-pressed={selected === r.group_key}
                    aria-label={t('forecast.showDeals', { name: r.group_label })}
                    fz="sm"
                    c="indigo"
                    fw={500}
                  >
                    {r.group_label}
                  </UnstyledButton>
                ) : (
                  r.group_label
                )}
              </Table.Td>
              {cells(r)}
            </Table.Tr>
          ))}
          <Table.Tr fw={700}>
            <Table.Td>{t('forecast.total')}</Table.Td>
            {cells(total)}
          </Table.Tr>
        </Table.Tbody>
      </Table>
    </div>
  );
}
