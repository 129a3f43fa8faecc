import { Table } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { OppNameCell } from '../../components/opportunity';
import { ProbBadge } from '../../components/Predict';
import { Empty, ErrorState, Loading } from '../../components/States';
import { fetchRows } from '../../lib/api';
import { formatDate, formatMoney } from '../../lib/format';
import { useAccountNames } from '../../lib/hooks';
import { usePredictionMap } from '../../lib/predict';
import { queryKeys } from '../../lib/query-keys';

/** A rep's open deals by close date, with win probability and weighted amount. */
export function RepDeals({ ownerId, lang }: { ownerId: string; lang: 'zh-CN' | 'en' }) {
  const { t } = useTranslation();
  const accounts = useAccountNames().data;
  const predictions = usePredictionMap();
  const q = useQuery({
    queryKey: queryKeys.opportunities.openByOwner(ownerId),
    queryFn: () =>
      fetchRows('/opportunities', { owner_id: ownerId, status: 'open', sort: 'expected_close_date' }, 500),
  });
  if (q.isPending) return <Loading h={80} />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  if (q.data.length === 0) return <Empty text={t('forecast.noDeals')} />;
  return (
    <div className="zs-table-wrap">
      <Table data-testid="rep-deals">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('fields.name')}</Table.Th>
            <Table.Th className="zs-hide-mobile">{t('fields.account_id')}</Table.Th>
            <Table.Th ta="right">{t('fields.amount')}</Table.Th>
            <Table.Th>{t('predict.column')}</Table.Th>
            <Table.Th ta="right" className="zs-hide-mobile">
              {t('forecast.weighted')}
            </Table.Th>
            <Table.Th>{t('forecast.closeDate')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {q.data.map((o) => {
            const p = predictions.data?.get(o.id);
            return (
              <Table.Tr key={o.id}>
                <OppNameCell o={o} />
                <Table.Td className="zs-hide-mobile">{accounts?.get(o.account_id) ?? '—'}</Table.Td>
                <Table.Td ta="right">{formatMoney(o.amount, o.currency, lang)}</Table.Td>
                <Table.Td>{p ? <ProbBadge p={p.probability} method={p.method} /> : '—'}</Table.Td>
                <Table.Td ta="right" className="zs-hide-mobile">
                  {p && o.amount !== null ? formatMoney(o.amount * p.probability, o.currency, lang) : '—'}
                </Table.Td>
                <Table.Td>{formatDate(o.expected_close_date, lang)}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </div>
  );
}
