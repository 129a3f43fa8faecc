import { Anchor, Badge, Grid, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useAuth } from '../auth/auth';
import { Chart } from '../components/Chart';
import { Empty, ErrorState, Loading } from '../components/States';
import { Section } from '../components/Timeline';
import { fetchRows, request } from '../lib/api';
import { MANAGER_ROLES, pipelineByStage, wonLostByMonth } from '../lib/dashboard';
import { formatDate, formatDateTime, formatMoney, formatMonth, formatNumber, type Lang } from '../lib/format';
import { stageLabel, useAccountNames, useLang, usePipelines } from '../lib/hooks';
import { queryKeys } from '../lib/query-keys';
import type { Opportunity, Pipeline } from '../lib/types';

export default function HomePage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const manager = MANAGER_ROLES.has(me?.role ?? '');
  return (
    <Stack>
      <Title order={1} fz="h2">
        {t('home.greeting', { name: me?.name })}
      </Title>
      {manager ? <ManagerHome /> : <RepHome ownerId={me?.id ?? ''} />}
    </Stack>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <Paper withBorder p="md">
      <Text fz="xs" c="dimmed">
        {label}
      </Text>
      <Text fz="xl" fw={700}>
        {value}
      </Text>
    </Paper>
  );
}

function StageChart({
  opps,
  pipeline,
  lang,
  label,
}: {
  opps: Opportunity[];
  pipeline?: Pipeline;
  lang: Lang;
  label: string;
}) {
  const { t } = useTranslation();
  const data = useMemo(
    () =>
      pipelineByStage(
        opps.filter((o) => !pipeline || o.pipeline_id === pipeline.id),
        pipeline?.stages ?? [],
      ),
    [opps, pipeline],
  );
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatMoney(v, 'CNY', lang) },
      grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
      xAxis: {
        type: 'category',
        data: data.map((d) => stageLabel(d.stage, lang)),
        axisLabel: { interval: 0, rotate: data.length > 5 ? 30 : 0 },
      },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatMoney(v, 'CNY', lang, true) } },
      series: [
        {
          type: 'bar',
          name: t('fields.amount'),
          data: data.map((d) => d.amount),
          itemStyle: { color: '#4c6ef5' },
          barMaxWidth: 48,
        },
      ],
    }),
    [data, lang, t],
  );
  return <Chart option={option} label={label} />;
}

function RepHome({ ownerId }: { ownerId: string }) {
  const { t } = useTranslation();
  const lang = useLang();
  const pipelines = usePipelines();
  const opps = useQuery({
    queryKey: queryKeys.home.myOpportunities(ownerId),
    queryFn: () => fetchRows('/opportunities', { owner_id: ownerId ?? undefined, status: 'open' }, 2000),
    enabled: !!ownerId,
  });
  const tasks = useQuery({
    queryKey: queryKeys.home.myTasks(ownerId),
    queryFn: () =>
      request('get', '/activities', {
        query: { owner_id: ownerId ?? undefined, status: 'planned', sort: 'occurred_at', limit: 20 },
      }),
    enabled: !!ownerId,
  });
  const pipeline = pipelines.data?.find((p) => p.is_default) ?? pipelines.data?.[0];
  const now = new Date();
  const month = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
  const list = opps.data ?? [];
  const total = list.reduce((s, o) => s + o.amount, 0);
  const weighted = list.reduce((s, o) => s + (o.amount * o.probability) / 100, 0);
  const closing = list
    .filter((o) => o.expected_close_date.startsWith(month))
    .reduce((s, o) => s + o.amount, 0);
  return (
    <Stack>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Stat label={t('home.openAmount')} value={formatMoney(total, 'CNY', lang, true)} />
        <Stat label={t('home.openCount')} value={formatNumber(list.length, lang)} />
        <Stat label={t('home.weighted')} value={formatMoney(weighted, 'CNY', lang, true)} />
        <Stat label={t('home.closingThisMonth')} value={formatMoney(closing, 'CNY', lang, true)} />
      </SimpleGrid>
      <Grid>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Section title={t('home.myPipeline')}>
            {opps.isPending ? (
              <Loading />
            ) : opps.isError ? (
              <ErrorState error={opps.error} onRetry={() => opps.refetch()} />
            ) : list.length === 0 ? (
              <Empty />
            ) : (
              <StageChart opps={list} pipeline={pipeline} lang={lang} label={t('home.myPipeline')} />
            )}
          </Section>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Section title={t('home.myTasks')}>
            {tasks.isPending ? (
              <Loading />
            ) : tasks.isError ? (
              <ErrorState error={tasks.error} onRetry={() => tasks.refetch()} />
            ) : tasks.data.data.length === 0 ? (
              <Empty text={t('home.noTasks')} />
            ) : (
              <Stack gap={6}>
                {tasks.data.data.map((a) => (
                  <Group key={a.id} justify="space-between" wrap="nowrap">
                    <div>
                      <Anchor component={Link} to={`/activities/${a.id}`} fz="sm">
                        {a.subject}
                      </Anchor>
                      <Text fz="xs" c="dimmed">
                        {t(`activityType.${a.type}`)} · {formatDateTime(a.occurred_at, lang)}
                      </Text>
                    </div>
                    {new Date(a.occurred_at) < now && (
                      <Badge color="red" size="xs">
                        {t('home.overdue')}
                      </Badge>
                    )}
                  </Group>
                ))}
              </Stack>
            )}
          </Section>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function ManagerHome() {
  const { t } = useTranslation();
  const lang = useLang();
  const pipelines = usePipelines();
  const accounts = useAccountNames();
  const open = useQuery({
    queryKey: queryKeys.home.open,
    queryFn: () => fetchRows('/opportunities', { status: 'open' }, 5000),
  });
  const closed = useQuery({
    queryKey: queryKeys.home.closed,
    queryFn: async () => [
      ...(await fetchRows('/opportunities', { status: 'won' }, 5000)),
      ...(await fetchRows('/opportunities', { status: 'lost' }, 5000)),
    ],
  });
  const top = useQuery({
    queryKey: queryKeys.home.top,
    queryFn: () =>
      request('get', '/opportunities', { query: { status: 'open', sort: '-amount', limit: 10 } }),
  });
  const pipeline = pipelines.data?.find((p) => p.is_default) ?? pipelines.data?.[0];
  const trend = useMemo(() => wonLostByMonth(closed.data ?? [], new Date(), 12), [closed.data]);
  const trendOption = useMemo(
    () => ({
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatMoney(v, 'CNY', lang) },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: trend.map((m) => formatMonth(`${m.month}-01`, lang)) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatMoney(v, 'CNY', lang, true) } },
      series: [
        { type: 'bar', name: t('home.won'), data: trend.map((m) => m.won), itemStyle: { color: '#40c057' } },
        {
          type: 'line',
          name: t('home.lost'),
          data: trend.map((m) => m.lost),
          itemStyle: { color: '#fa5252' },
          smooth: true,
        },
      ],
    }),
    [trend, lang, t],
  );
  const list = open.data ?? [];
  const total = list.reduce((s, o) => s + o.amount, 0);
  const weighted = list.reduce((s, o) => s + (o.amount * o.probability) / 100, 0);
  const wonTotal = trend.reduce((s, m) => s + m.won, 0);
  return (
    <Stack>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Stat label={t('home.openAmount')} value={formatMoney(total, 'CNY', lang, true)} />
        <Stat label={t('home.openCount')} value={formatNumber(list.length, lang)} />
        <Stat label={t('home.weighted')} value={formatMoney(weighted, 'CNY', lang, true)} />
        <Stat label={t('home.won')} value={formatMoney(wonTotal, 'CNY', lang, true)} />
      </SimpleGrid>
      <Grid>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Section title={t('home.teamPipeline')}>
            {open.isPending ? (
              <Loading />
            ) : open.isError ? (
              <ErrorState error={open.error} onRetry={() => open.refetch()} />
            ) : (
              <StageChart opps={list} pipeline={pipeline} lang={lang} label={t('home.teamPipeline')} />
            )}
          </Section>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Section title={t('home.wonLost')}>
            {closed.isPending ? (
              <Loading />
            ) : closed.isError ? (
              <ErrorState error={closed.error} onRetry={() => closed.refetch()} />
            ) : (
              <Chart option={trendOption} label={t('home.wonLost')} />
            )}
          </Section>
        </Grid.Col>
      </Grid>
      <Section title={t('home.topDeals')}>
        {top.isPending ? (
          <Loading />
        ) : top.isError ? (
          <ErrorState error={top.error} onRetry={() => top.refetch()} />
        ) : top.data.data.length === 0 ? (
          <Empty />
        ) : (
          <div className="zs-table-wrap">
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('fields.name')}</Table.Th>
                  <Table.Th className="zs-hide-mobile">{t('fields.account_id')}</Table.Th>
                  <Table.Th>{t('fields.stage')}</Table.Th>
                  <Table.Th ta="right">{t('fields.amount')}</Table.Th>
                  <Table.Th className="zs-hide-mobile">{t('fields.expected_close_date')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {top.data.data.map((o) => (
                  <Table.Tr key={o.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/opportunities/${o.id}`} fz="sm">
                        {o.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td className="zs-hide-mobile">{accounts.data?.get(o.account_id) ?? '—'}</Table.Td>
                    <Table.Td>
                      <Badge variant="light">
                        {stageLabel(
                          pipelines.data
                            ?.find((p) => p.id === o.pipeline_id)
                            ?.stages.find((s) => s.key === o.stage),
                          lang,
                          o.stage,
                        )}
                      </Badge>
                    </Table.Td>
                    <Table.Td ta="right">{formatMoney(o.amount, o.currency, lang)}</Table.Td>
                    <Table.Td className="zs-hide-mobile">{formatDate(o.expected_close_date, lang)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
        )}
      </Section>
    </Stack>
  );
}
