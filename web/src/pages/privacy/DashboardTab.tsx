import {
  Alert,
  Badge,
  Card,
  Group,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Chart } from '../../components/Chart';
import { ErrorState, Loading } from '../../components/States';
import { api } from '../../lib/api';
import { formatDate, formatNumber, formatPercent } from '../../lib/format';
import { useLang } from '../../lib/hooks';
import { consentKeys, type Dashboard, PURPOSE_COLOURS, pick } from './consent/consent-lib';

/** Privacy → Consent: consent rate per purpose per week, and what customers contributed through the portal. */
export function DashboardTab() {
  const { t } = useTranslation();
  const lang = useLang();
  const [weeks, setWeeks] = useState('12');
  const q = useQuery({
    queryKey: consentKeys.dashboard(Number(weeks)),
    queryFn: () => api<Dashboard>('/privacy/dashboard', { query: { weeks } }),
  });
  const d = q.data;
  const rateOption = useMemo(() => {
    if (!d) return {};
    return {
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: number | null) => (v === null || v === undefined ? '—' : `${v}%`),
      },
      legend: { bottom: 0 },
      grid: { left: 40, right: 16, top: 16, bottom: 48 },
      xAxis: { type: 'category', data: d.weeks.map((w) => formatDate(w, lang)) },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series: d.purposes.map((p) => ({
        name: pick(p.label, lang),
        type: 'line',
        smooth: true,
        connectNulls: true,
        itemStyle: { color: PURPOSE_COLOURS[p.purpose] },
        data: p.points.map((pt) => (pt.rate === null ? null : Math.round(pt.rate * 1000) / 10)),
      })),
    };
  }, [d, lang]);
  const contribOption = useMemo(() => {
    if (!d) return {};
    return {
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 40, right: 16, top: 16, bottom: 48 },
      xAxis: { type: 'category', data: d.contributions.map((c) => formatDate(c.week, lang)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          name: t('consent.corrections'),
          type: 'bar',
          itemStyle: { color: '#1c7ed6' },
          data: d.contributions.map((c) => c.corrections),
        },
        {
          name: t('consent.preferences'),
          type: 'bar',
          itemStyle: { color: '#2f9e44' },
          data: d.contributions.map((c) => c.preferences),
        },
      ],
    };
  }, [d, lang, t]);

  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  if (!d) return null;
  return (
    <Stack data-testid="consent-dashboard">
      <Group justify="space-between" wrap="wrap">
        <Text fz="sm" c="dimmed">
          {d.current_notice
            ? t('consent.currentNotice', {
                version: d.current_notice.version,
                date: formatDate(d.current_notice.published_at, lang),
              })
            : t('consent.noNotice')}
        </Text>
        <SegmentedControl
          value={weeks}
          onChange={setWeeks}
          aria-label={t('consent.period')}
          data={[
            { value: '4', label: t('consent.weeks', { count: 4 }) },
            { value: '12', label: t('consent.weeks', { count: 12 }) },
            { value: '26', label: t('consent.weeks', { count: 26 }) },
            { value: '52', label: t('consent.weeks', { count: 52 }) },
          ]}
        />
      </Group>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
        {d.purposes.map((p) => (
          <Card key={p.purpose} withBorder padding="md" data-testid={`consent-rate-${p.purpose}`}>
            <Group justify="space-between" gap={4} wrap="nowrap">
              <Text fw={600} fz="sm">
                {pick(p.label, lang)}
              </Text>
              <Badge variant="light" color={p.requires_consent ? 'blue' : 'gray'} size="sm">
                {p.requires_consent ? t('consent.optIn') : t('consent.optOut')}
              </Badge>
            </Group>
            <Text fz={28} fw={700} c={PURPOSE_COLOURS[p.purpose]}>
              {p.current.rate === null ? '—' : formatPercent(p.current.rate * 100, lang)}
            </Text>
            <Text fz="xs" c="dimmed">
              {t('consent.grantedOf', {
                granted: formatNumber(p.current.granted, lang),
                decided: formatNumber(p.current.decided, lang),
              })}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
      <Card withBorder>
        <Title order={2} fz="h4" mb="xs">
          {t('consent.rateTitle')}
        </Title>
        <Text fz="xs" c="dimmed" mb="xs">
          {t('consent.rateHelp')}
        </Text>
        <Chart option={rateOption} height={300} label={t('consent.rateTitle')} />
      </Card>
      <Card withBorder>
        <Title order={2} fz="h4" mb="xs">
          {t('consent.contribTitle')}
        </Title>
        <Group gap="xl" mb="xs">
          <Text fz="sm">
            {t('consent.corrections')}: <b>{formatNumber(d.totals.corrections, lang)}</b>
          </Text>
          <Text fz="sm">
            {t('consent.preferences')}: <b>{formatNumber(d.totals.preferences, lang)}</b>
          </Text>
          <Text fz="sm">
            {t('consent.restricted')}: <b>{formatNumber(d.totals.restricted, lang)}</b>
          </Text>
        </Group>
        <Chart option={contribOption} height={220} label={t('consent.contribTitle')} />
        <div className="zs-table-wrap">
          <Table data-testid="consent-contributions" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('consent.week')}</Table.Th>
                <Table.Th ta="right">{t('consent.corrections')}</Table.Th>
                <Table.Th ta="right">{t('consent.preferences')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {d.contributions
                .filter((c) => c.corrections || c.preferences)
                .map((c) => (
                  <Table.Tr key={c.week}>
                    <Table.Td>{formatDate(c.week, lang)}</Table.Td>
                    <Table.Td ta="right">{c.corrections}</Table.Td>
                    <Table.Td ta="right">{c.preferences}</Table.Td>
                  </Table.Tr>
                ))}
            </Table.Tbody>
          </Table>
        </div>
        {d.totals.corrections + d.totals.preferences === 0 && (
          <Alert color="gray" variant="light">
            {t('consent.noContributions')}
          </Alert>
        )}
      </Card>
    </Stack>
  );
}
