import { Badge, Table } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { wholeBadge } from '../../components/badges';
import { OppNameCell, opportunityStage } from '../../components/opportunity';
import { ProbBadge } from '../../components/Predict';
import { Empty, ErrorState, Loading } from '../../components/States';
import { Section } from '../../components/Timeline';
import { formatDate, formatMoney } from '../../lib/format';
import { useLang } from '../../lib/hooks';
import type { Opportunity } from '../../lib/types';
import type { AccountData } from './useAccountData';

/** The account's open opportunities, largest first, with stage and win probability. */
export function OpenOppsSection({ data }: { data: Pick<AccountData, 'opps' | 'pipelines' | 'predictions'> }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { opps, pipelines, predictions } = data;
  const stageName = (o: Opportunity) => opportunityStage(pipelines.data, o, lang);
  return (
    <Section title={t('account.openOpps')}>
      {opps.isPending ? (
        <Loading h={80} />
      ) : opps.isError ? (
        <ErrorState error={opps.error} />
      ) : opps.data.length === 0 ? (
        <Empty text={t('account.noOpps')} />
      ) : (
        <div className="zs-table-wrap">
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('fields.name')}</Table.Th>
                <Table.Th>{t('fields.stage')}</Table.Th>
                <Table.Th ta="right">{t('fields.amount')}</Table.Th>
                <Table.Th>{t('predict.column')}</Table.Th>
                <Table.Th className="zs-hide-mobile">{t('fields.expected_close_date')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {opps.data.map((o) => (
                <Table.Tr key={o.id}>
                  <OppNameCell o={o} />
                  <Table.Td>
                    <Badge variant="light" styles={wholeBadge}>
                      {stageName(o)}
                    </Badge>
                  </Table.Td>
                  <Table.Td ta="right">{formatMoney(o.amount, o.currency, lang)}</Table.Td>
                  <Table.Td>
                    <ProbBadge
                      p={predictions.data?.get(o.id)?.probability}
                      method={predictions.data?.get(o.id)?.method}
                    />
                  </Table.Td>
                  <Table.Td className="zs-hide-mobile">{formatDate(o.expected_close_date, lang)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </Section>
  );
}
