import { Alert, Anchor, Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { Empty, ErrorState, Loading } from '../components/States';
import { api } from '../lib/api';
import { formatDate, formatDateTime, formatNumber } from '../lib/format';
import { useLang } from '../lib/hooks';
import { deliveryReason } from '../lib/labels';
import { queryKeys } from '../lib/query-keys';
import { type Brief, severityColor } from '../lib/signals';

function shiftDate(iso: string, days: number): string {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export default function BriefPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const [params, setParams] = useSearchParams();
  const date = params.get('date') ?? undefined;
  const q = useQuery({
    queryKey: queryKeys.briefs.week(date),
    // the API declares the brief as an open record: its shape is named in lib/signals.ts
    queryFn: () => api<Brief>('/briefs', { query: { date } }),
  });
  const go = (days: number) =>
    q.data && setParams({ date: shiftDate(q.data.week_start, days) }, { replace: true });
  const b = q.data;
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <Title order={1} fz="h2">
            {t('brief.title')}
          </Title>
          {b && (
            <Text fz="sm" c="dimmed">
              {t('brief.week', { from: formatDate(b.week_start, lang), to: formatDate(b.week_end, lang) })}
            </Text>
          )}
        </div>
        <Group gap="xs">
          <Button variant="default" size="xs" onClick={() => go(-7)} disabled={!b}>
            ← {t('brief.prevWeek')}
          </Button>
          <Button variant="default" size="xs" onClick={() => go(7)} disabled={!b}>
            {t('brief.nextWeek')} →
          </Button>
        </Group>
      </Group>
      {q.isPending ? (
        <Loading />
      ) : q.isError || !b ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : (
        <>
          <Alert
            color={b.circuit_breaker.tripped ? 'yellow' : 'gray'}
            variant="light"
            title={t('brief.breaker')}
            data-testid="brief-breaker"
          >
            <Group gap="xs">
              <Badge color={b.circuit_breaker.tripped ? 'yellow' : 'green'}>
                {b.circuit_breaker.tripped ? t('brief.tripped') : t('brief.notTripped')}
              </Badge>
              <Text fz="sm">
                {t('brief.threshold', {
                  threshold: formatNumber(b.circuit_breaker.threshold, lang, 2),
                  factor: formatNumber(b.circuit_breaker.factor, lang, 1),
                  avg: formatNumber(b.circuit_breaker.average_daily_touches, lang, 2),
                  today: b.circuit_breaker.suggested_today,
                })}
              </Text>
            </Group>
          </Alert>
          <Group gap="xs">
            <Text fw={600}>
              {t('brief.summary', { count: b.summary.count, accounts: b.summary.accounts })}
            </Text>
            {Object.entries(b.summary.by_severity).map(([s, n]) => (
              <Badge key={s} color={severityColor(s)} variant="light">
                {t(`inbox.severity.${s}`, { defaultValue: s })}: {n}
              </Badge>
            ))}
          </Group>
          {b.accounts.length === 0 ? (
            <Empty text={t('brief.empty')} />
          ) : (
            <Stack gap="sm" data-testid="brief">
              {b.accounts.map((a) => (
                <Paper key={a.account_id} withBorder p="md">
                  <Stack gap="xs">
                    <Anchor component={Link} to={`/accounts/${a.account_id}`} fw={600}>
                      {a.account_name ?? t('entities.account')}
                    </Anchor>
                    {a.items.map((i) => (
                      <Stack
                        key={i.id}
                        gap={2}
                        pl="sm"
                        style={{ borderLeft: '3px solid var(--mantine-color-gray-3)' }}
                      >
                        <Group gap={6} wrap="wrap">
                          <Badge size="xs" color={severityColor(i.severity)}>
                            {t(`inbox.severity.${i.severity}`)}
                          </Badge>
                          <Text fz="sm" fw={500}>
                            {i.title}
                          </Text>
                          <Text fz="xs" c="dimmed">
                            {formatDateTime(i.created_at, lang)}
                          </Text>
                        </Group>
                        <Text fz="sm">{i.talk_track}</Text>
                        {i.delivery_reason && (
                          <Text fz="xs" c="dimmed">
                            {t('brief.whyHeld')}: {deliveryReason(t, i.delivery_reason, lang)}
                          </Text>
                        )}
                      </Stack>
                    ))}
                  </Stack>
                </Paper>
              ))}
            </Stack>
          )}
        </>
      )}
    </Stack>
  );
}
