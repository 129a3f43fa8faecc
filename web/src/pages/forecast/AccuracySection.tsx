import { Alert, Badge, Group, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Chart } from '../../components/Chart';
import { ErrorState, Loading } from '../../components/States';
import { Section } from '../../components/Timeline';
import { api } from '../../lib/api';
import { formatDateTime, formatMoney, formatNumber } from '../../lib/format';
import type { Accuracy } from '../../lib/predict';
import { queryKeys } from '../../lib/query-keys';
import type { PeriodKind } from './ForecastTable';

/** How past snapshots compared with what was won: MAPE / WAPE, a chart and a table a period. */
export function AccuracySection({ period, lang }: { period: PeriodKind; lang: 'zh-CN' | 'en' }) {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: queryKeys.forecastAccuracy.of(period),
    // the API declares the rows as open records: their shape is named in lib/predict.ts
    queryFn: () => api<Accuracy>('/forecast/accuracy', { query: { period } }),
  });
  const option = useMemo(() => {
    const d = q.data?.data ?? [];
    const fmt = (v: number) => formatMoney(v, 'CNY', lang, true);
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: 'category', data: d.map((r) => r.period) },
      yAxis: { type: 'value', axisLabel: { formatter: fmt } },
      series: [
        { name: t('forecast.expected'), type: 'line', data: d.map((r) => r.expected) },
        { name: 'P10', type: 'line', lineStyle: { type: 'dashed' }, data: d.map((r) => r.p10) },
        { name: 'P90', type: 'line', lineStyle: { type: 'dashed' }, data: d.map((r) => r.p90) },
        { name: t('forecast.actual'), type: 'bar', barMaxWidth: 24, data: d.map((r) => r.actual) },
      ],
    };
  }, [q.data, t, lang]);
  return (
    <Section
      title={t('forecast.accuracy')}
      action={
        q.data && q.data.periods_evaluated > 0 ? (
          <Group gap={6}>
            <Badge variant="light">
              {t('forecast.mape')} {formatNumber(q.data.mape, lang, 1)}%
            </Badge>
            <Badge variant="light">
              {t('forecast.wape')} {formatNumber(q.data.wape, lang, 1)}%
            </Badge>
          </Group>
        ) : undefined
      }
    >
      {q.isPending ? (
        <Loading h={80} />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : q.data.data.length === 0 ? (
        <Alert color="gray" variant="light" data-testid="accuracy-empty">
          {t('forecast.noAccuracy')}
        </Alert>
      ) : (
        <>
          <Text fz="xs" c="dimmed">
            {t('forecast.periodsEvaluated', { count: q.data.periods_evaluated })}
          </Text>
          <Chart option={option} height={220} label={t('forecast.accuracyChart')} />
          <div className="zs-table-wrap">
            <Table data-testid="accuracy-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('forecast.period')}</Table.Th>
                  <Table.Th className="zs-hide-mobile">{t('forecast.snapshotAt')}</Table.Th>
                  <Table.Th ta="right">{t('forecast.expected')}</Table.Th>
                  <Table.Th ta="right">{t('forecast.actual')}</Table.Th>
                  <Table.Th ta="right">{t('forecast.error')}</Table.Th>
                  <Table.Th>{t('forecast.withinRange')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {q.data.data.map((r) => (
                  <Table.Tr key={r.period}>
                    <Table.Td>{r.period}</Table.Td>
                    <Table.Td className="zs-hide-mobile">{formatDateTime(r.snapshot_at, lang)}</Table.Td>
                    <Table.Td ta="right">{formatMoney(r.expected, 'CNY', lang)}</Table.Td>
                    <Table.Td ta="right">{formatMoney(r.actual, 'CNY', lang)}</Table.Td>
                    <Table.Td ta="right">
                      {r.ape === null ? '—' : `${formatNumber(r.ape, lang, 1)}%`}
                    </Table.Td>
                    <Table.Td>
                      {r.complete ? (
                        <Badge color={r.within_p10_p90 ? 'green' : 'orange'} variant="light">
                          {r.within_p10_p90 ? t('common.yes') : t('common.no')}
                        </Badge>
                      ) : (
                        <Badge color="gray" variant="outline">
                          {t('forecast.inProgress')}
                        </Badge>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
        </>
      )}
    </Section>
  );
}
