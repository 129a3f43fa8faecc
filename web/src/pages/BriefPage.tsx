import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useAuth } from '../auth/auth';
import { Empty, ErrorState, Loading } from '../components/States';
import { api } from '../lib/api';
import { formatDate, formatDateTime, formatNumber } from '../lib/format';
import { useLang } from '../lib/hooks';
import { deliveryReason } from '../lib/labels';
import { queryKeys } from '../lib/query-keys';
import { type Brief, type BriefMember, severityColor } from '../lib/signals';

function shiftDate(iso: string, days: number): string {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export default function BriefPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const { can } = useAuth();
  const [params, setParams] = useSearchParams();
  const date = params.get('date') ?? undefined;
  // Managers open on their team's roll-up; everyone else (and a manager who switches) on their own.
  const manages = can('interventions:sign_off');
  const scope: 'me' | 'team' = manages && params.get('scope') !== 'me' ? 'team' : 'me';
  const q = useQuery({
    queryKey: queryKeys.briefs.week(date, scope),
    // the API declares the brief as an open record: its shape is named in lib/signals.ts
    queryFn: () =>
      api<Brief>('/briefs', { query: { date, owner_id: scope === 'team' ? 'team' : undefined } }),
  });
  const setParam = (patch: Record<string, string>) =>
    setParams({ ...Object.fromEntries(params), ...patch }, { replace: true });
  const go = (days: number) => q.data && setParam({ date: shiftDate(q.data.week_start, days) });
  const b = q.data;
  const names = new Map((b?.members ?? []).map((m) => [m.owner_id, m.name]));
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
        <Group gap="xs" wrap="wrap">
          {manages && (
            <SegmentedControl
              size="xs"
              value={scope}
              onChange={(v) => setParam({ scope: v })}
              data={[
                { value: 'team', label: t('brief.team') },
                { value: 'me', label: t('brief.mine') },
              ]}
              data-testid="brief-scope"
            />
          )}
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
          {b.members && <Members members={b.members} />}
          {b.circuit_breaker && (
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
          )}
          <Group gap="xs">
            <Text fw={600}>
              {t(b.scope === 'team' ? 'brief.teamSummary' : 'brief.summary', {
                count: b.summary.count,
                accounts: b.summary.accounts,
              })}
            </Text>
            {Object.entries(b.summary.by_severity).map(([s, n]) => (
              <Badge key={s} color={severityColor(s)} variant="light">
                {t(`inbox.severity.${s}`, { defaultValue: s })}: {n}
              </Badge>
            ))}
          </Group>
          {b.accounts.length === 0 ? (
            <Empty text={t(b.scope === 'team' ? 'brief.teamEmpty' : 'brief.empty')} />
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
                          {b.scope === 'team' && (
                            <Badge size="xs" variant="outline" color="gray">
                              {t('brief.owner')}: {names.get(i.owner_id) ?? '—'}
                            </Badge>
                          )}
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

/** The team brief's one line per member: held back this week, and today's breaker. */
function Members({ members }: { members: BriefMember[] }) {
  const { t } = useTranslation();
  const lang = useLang();
  return (
    <Paper withBorder p="sm" data-testid="brief-members">
      <Stack gap={6}>
        <Text fw={600} fz="sm">
          {t('brief.members')}
        </Text>
        {members.map((m) => (
          <Group key={m.owner_id} gap="xs" wrap="wrap" justify="space-between">
            <Text fz="sm" fw={500}>
              {m.name ?? '—'}
            </Text>
            <Group gap={6} wrap="wrap">
              <Text fz="xs" c="dimmed">
                {t('brief.memberLine', {
                  count: m.count,
                  accounts: m.accounts,
                  today: m.suggested_today,
                  threshold: formatNumber(m.threshold, lang, 2),
                })}
              </Text>
              <Badge size="xs" color={m.tripped ? 'yellow' : 'green'} variant="light">
                {m.tripped ? t('brief.tripped') : t('brief.notTripped')}
              </Badge>
            </Group>
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}
