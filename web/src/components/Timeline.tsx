import { Badge, Group, Timeline as MTimeline, Paper, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../lib/api';
import { formatDateTime } from '../lib/format';
import { useLang } from '../lib/hooks';
import type { TimelineItem } from '../lib/types';
import { lineageMethod } from './Lineage';
import { Empty, ErrorState, Loading } from './States';

export function RecordTimeline({ entity, id }: { entity: string; id: string }) {
  const { t } = useTranslation();
  const lang = useLang();
  const q = useQuery({
    queryKey: [entity, id, 'timeline'],
    queryFn: () =>
      api<{ data: TimelineItem[] }>(`/${entity}/${id}/timeline`, { query: { limit: 100 } }).then(
        (r) => r.data,
      ),
  });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  if (q.data.length === 0) return <Empty text={t('account.noTimeline')} />;
  return (
    <MTimeline bulletSize={14} lineWidth={2} data-testid="timeline">
      {q.data.map((item) => {
        const type = item.kind === 'activity' ? String(item.data?.type ?? '') : '';
        const title =
          item.kind === 'change' ? t(`timeline.${item.title}`, { defaultValue: item.title }) : item.title;
        return (
          <MTimeline.Item
            key={`${item.kind}-${item.id}`}
            color={item.kind === 'activity' ? 'indigo' : item.kind === 'signal' ? 'orange' : 'gray'}
            title={
              <Group gap={6} wrap="wrap">
                <Badge
                  size="xs"
                  variant="light"
                  color={item.kind === 'activity' ? 'indigo' : item.kind === 'signal' ? 'orange' : 'gray'}
                >
                  {type
                    ? t(`activityType.${type}`, { defaultValue: type })
                    : t(`timeline.${item.kind}`, { defaultValue: item.kind })}
                </Badge>
                <Text fz="sm" fw={500}>
                  {title}
                </Text>
              </Group>
            }
          >
            {item.summary && (
              <Text fz="sm" c="dimmed" lineClamp={3}>
                {item.kind === 'change'
                  ? t('timeline.changed', {
                      fields: item.summary
                        .split(', ')
                        .map((f) => t(`fields.${f}`, { defaultValue: f }))
                        .join(', '),
                    })
                  : item.summary}
              </Text>
            )}
            <Text fz="xs" c="dimmed">
              {formatDateTime(item.at, lang)}
              {item.actor_name ? ` · ${item.actor_name}` : ''}
              {item.kind === 'change' && item.source
                ? ` · ${lineageMethod({ source: item.source, method: String(item.data?.method ?? '') }, t)}`
                : ''}
            </Text>
          </MTimeline.Item>
        );
      })}
    </MTimeline>
  );
}

export function Section({
  title,
  children,
  action,
}: {
  title: string;
  children: React.ReactNode;
  action?: React.ReactNode;
}) {
  return (
    <Paper withBorder p="md">
      <Stack gap="sm">
        <Group justify="space-between">
          <Text fw={600} component="h2" fz="md" m={0}>
            {title}
          </Text>
          {action}
        </Group>
        {children}
      </Stack>
    </Paper>
  );
}
