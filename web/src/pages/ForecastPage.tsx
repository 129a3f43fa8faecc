import { Stack, Tabs, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useAuth } from '../auth/auth';
import { Chart } from '../components/Chart';
import { QuotaEditor } from '../components/QuotaEditor';
import { Empty, ErrorState, Loading } from '../components/States';
import { Section } from '../components/Timeline';
import { request } from '../lib/api';
import { useLang } from '../lib/hooks';
import { chartRows, forecastChartOption, quarterOf } from '../lib/predict';
import { queryKeys } from '../lib/query-keys';
import { AccuracySection } from './forecast/AccuracySection';
import { ForecastHeader } from './forecast/ForecastHeader';
import { ForecastTable, type GroupBy, type PeriodKind, TotalCards } from './forecast/ForecastTable';
import { RepDeals } from './forecast/RepDeals';

/** The period, grouping and drilled-into rep, kept in the address (changing either of the first clears the rep). */
function useForecastParams() {
  const [params, setParams] = useSearchParams();
  const period = (params.get('period') === 'quarter' ? 'quarter' : 'month') as PeriodKind;
  const groupBy = (
    ['team', 'region'].includes(params.get('group_by') ?? '') ? params.get('group_by') : 'rep'
  ) as GroupBy;
  const rep = params.get('rep');
  const set = (k: string, v: string | null) => {
    const next = new URLSearchParams(params);
    if (v === null) next.delete(k);
    else next.set(k, v);
    if (k !== 'rep') next.delete('rep');
    setParams(next, { replace: true });
  };
  return { period, groupBy, rep, set };
}

export default function ForecastPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const { can } = useAuth();
  const { period, groupBy, rep, set } = useForecastParams();

  const forecast = useQuery({
    queryKey: queryKeys.forecast.of(period, groupBy),
    queryFn: () =>
      request('get', '/forecast', {
        query: { period, group_by: groupBy, periods: period === 'month' ? 3 : 2 },
      }),
  });
  const [tab, setTab] = useState<string | null>(null);
  const [quotasOpen, setQuotasOpen] = useState(false);
  const periods = forecast.data?.periods ?? [];
  const current = periods.find((p) => p.period === tab) ?? periods[0];

  const labels = useMemo(
    () => ({
      range: t('forecast.range'),
      expected: t('forecast.expected'),
      commit: t('forecast.commit'),
      won: t('forecast.won'),
      quota: t('forecast.quota'),
    }),
    [t],
  );
  const rows = current ? chartRows(current.groups) : [];
  const option = useMemo(() => forecastChartOption(rows, labels, lang), [rows, labels, lang]);
  const repRow = groupBy === 'rep' && rep ? current?.groups.find((g) => g.group_key === rep) : undefined;

  return (
    <Stack gap="md">
      <ForecastHeader
        data={forecast.data}
        period={period}
        groupBy={groupBy}
        onPeriod={(v) => {
          setTab(null);
          set('period', v);
        }}
        onGroupBy={(v) => set('group_by', v)}
        onQuotas={() => setQuotasOpen(true)}
      />

      {forecast.isPending ? (
        <Loading />
      ) : forecast.isError ? (
        <ErrorState error={forecast.error} onRetry={() => forecast.refetch()} />
      ) : periods.length === 0 || !current ? (
        <Empty text={t('forecast.noGroups')} />
      ) : (
        <>
          <Tabs value={current.period} onChange={setTab} keepMounted={false}>
            <Tabs.List>
              {periods.map((p) => (
                <Tabs.Tab key={p.period} value={p.period}>
                  {p.period}
                </Tabs.Tab>
              ))}
            </Tabs.List>
          </Tabs>
          <TotalCards total={current.total} lang={lang} />
          <Section title={`${t('forecast.title')} · ${current.period}`}>
            {rows.length === 0 ? (
              <Empty text={t('forecast.noGroups')} />
            ) : (
              <Chart option={option} height={300} label={t('forecast.chart')} />
            )}
            <ForecastTable
              rows={current.groups}
              total={current.total}
              groupBy={groupBy}
              selected={rep}
              onSelect={(key) => set('rep', key === rep ? null : key)}
              lang={lang}
            />
          </Section>
          {groupBy === 'rep' && (
            <Section
              title={
                repRow
                  ? t('forecast.drill', { name: repRow.group_label })
                  : t('forecast.drill', { name: '…' })
              }
            >
              {repRow ? (
                <RepDeals ownerId={repRow.group_key} lang={lang} />
              ) : (
                <Text fz="sm" c="dimmed">
                  {t('forecast.drillHint')}
                </Text>
              )}
            </Section>
          )}
        </>
      )}
      <AccuracySection period={period} lang={lang} />
      {can('quotas:write') && (
        <QuotaEditor
          opened={quotasOpen}
          onClose={() => setQuotasOpen(false)}
          initialQuarter={quarterOf(current?.period ?? new Date().toISOString().slice(0, 7))}
          lang={lang}
        />
      )}
    </Stack>
  );
}
