import { Alert, Anchor, Badge, Group, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatNumber } from '../../lib/format';
import { useLang } from '../../lib/hooks';
import type { Breaker } from '../../lib/signals';

/** The title with the live indicator, and the status / owner filters. */
export function InboxHeader({
  live,
  isError,
  isFetching,
  status,
  owner,
  canSeeAll,
  set,
}: {
  live: boolean;
  isError: boolean;
  isFetching: boolean;
  status: string;
  owner: string;
  canSeeAll: boolean;
  set: (k: string, v: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <Group justify="space-between" align="flex-end" wrap="wrap">
      <div>
        <Title order={1} fz="h2">
          {t('inbox.title')}
        </Title>
        <Group gap={6}>
          <Badge
            variant="dot"
            color={isError ? 'red' : 'green'}
            data-testid="live-indicator"
            data-fetching={isFetching}
          >
            {t(live ? 'inbox.livePush' : 'inbox.live')}
          </Badge>
        </Group>
      </div>
      <Group gap="sm" wrap="wrap">
        <SegmentedControl
          aria-label={t('fields.status')}
          value={status}
          onChange={(v) => set('status', v)}
          data={[
            { value: 'open', label: t('inbox.status_open') },
            { value: 'accepted', label: t('inbox.status_accepted') },
            { value: 'dismissed', label: t('inbox.status_dismissed') },
            { value: 'all', label: t('inbox.all') },
          ]}
        />
        {canSeeAll && (
          <SegmentedControl
            aria-label={t('inbox.owner')}
            value={owner}
            onChange={(v) => set('owner', v)}
            data={[
              { value: 'me', label: t('inbox.mine') },
              { value: 'any', label: t('inbox.everyone') },
            ]}
          />
        )}
      </Group>
    </Group>
  );
}

/** Says how many bundles the circuit breaker held back today for the brief, with a link to it. */
export function BreakerNotice({ held, breaker }: { held: number; breaker: Breaker | null | undefined }) {
  const { t } = useTranslation();
  const lang = useLang();
  if (!(held > 0 && breaker)) return null;
  return (
    <Alert color="yellow" variant="light" data-testid="breaker-notice" role="status">
      <Stack gap={4} align="flex-start">
        <Text fz="sm">
          {t('inbox.breaker', {
            count: held,
            today: breaker.suggested_today,
            factor: formatNumber(breaker.factor, lang, 1),
            avg: formatNumber(breaker.average_daily_touches, lang, 1),
          })}
        </Text>
        <Anchor component={Link} to="/brief" fz="sm">
          {t('inbox.breakerLink')}
        </Anchor>
      </Stack>
    </Alert>
  );
}
