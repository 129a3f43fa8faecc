import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useAuth } from '../auth/auth';
import { Chart } from '../components/Chart';
import { ProbBadge } from '../components/Predict';
import { QuotaEditor } from '../components/QuotaEditor';
import { Empty, ErrorState, Loading } from '../components/States';
import { Section } from '../components/Timeline';
import { api, fetchRows, request } from '../lib/api';
import { formatDate, formatDateTime, formatMoney, formatNumber } from '../lib/format';
import { useAccountNames, useLang } from '../lib/hooks';
import {
  type Accuracy,
  chartRows,
  type ForecastRow,
  forecastChartOption,
  formatAttainment,
  moneyOrDash,
  quarterOf,
  usePredictionMap,
} from '../lib/predict';
import { queryKeys } from '../lib/query-keys';

type PeriodKind = 'month' | 'quarter';
type GroupBy = 'rep' | 'team' | 'region';

export default function ForecastPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const { can } = useAuth();
  const qc = useQueryClient();
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

  const snapshot = useMutation({
    mutationFn: () => request('post', '/forecast/snapshots', { body: { period } }),
    onSuccess: (r) => {
      notifications.show({ color: 'green', message: t('forecast.snapshotSaved', { period: r.period }) });
      void qc.invalidateQueries({ queryKey: queryKeys.forecastAccuracy.all });
    },
    onError: (e) =>
      notifications.show({ color: 'red', message: e instanceof Error ? e.message : t('common.error') }),
  });

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
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <Title order={1} fz="h2">
            {t('forecast.title')}
          </Title>
          {forecast.data && (
            <Text fz="xs" c="dimmed">
              {t('forecast.asOf', { at: formatDateTime(forecast.data.as_of, lang) })} ·{' '}
              {forecast.data.method === 'model' && forecast.data.model_version !== null
                ? t('forecast.basis_model', { version: forecast.data.model_version })
                : t('forecast.basis_stage')}
            </Text>
          )}
        </div>
        <Group gap="sm" wrap="wrap">
          <SegmentedControl
            aria-label={t('forecast.period')}
            value={period}
            onChange={(v) => {
              setTab(null);
              set('period', v);
            }}
            data={[
              { value: 'month', label: t('forecast.month') },
              { value: 'quarter', label: t('forecast.quarter') },
            ]}
          />
          <SegmentedControl
            aria-label={t('forecast.groupBy')}
            value={groupBy}
            onChange={(v) => set('group_by', v)}
            data={[
              { value: 'rep', label: t('forecast.rep') },
              { value: 'team', label: t('forecast.team') },
              { value: 'region', label: t('forecast.region') },
            ]}
          />
          {can('quotas:write') && (
            <Button variant="default" onClick={() => setQuotasOpen(true)} data-testid="set-quotas">
              {t('quotas.open')}
            </Button>
          )}
          {can('predict:manage') && (
            <Button
              variant="default"
              loading={snapshot.isPending}
              onClick={() => snapshot.mutate()}
              data-testid="save-snapshot"
            >
              {t('forecast.saveSnapshot')}
            </Button>
          )}
        </Group>
      </Group>

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

function TotalCards({ total, lang }: { total: ForecastRow; lang: 'zh-CN' | 'en' }) {
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

function ForecastTable({
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

function RepDeals({ ownerId, lang }: { ownerId: string; lang: 'zh-CN' | 'en' }) {
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
                <Table.Td>
                  <Anchor component={Link} to={`/opportunities/${o.id}`} fz="sm">
                    {o.name}
                  </Anchor>
                </Table.Td>
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

function AccuracySection({ period, lang }: { period: PeriodKind; lang: 'zh-CN' | 'en' }) {
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
