import { Badge, Button, Group, Timeline as MTimeline, Paper, Stack, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import { api } from '../lib/api';
import { formatDateTime, formatNumber } from '../lib/format';
import { useLang } from '../lib/hooks';
import { payloadText, sourceLabel } from '../lib/labels';
import { queryKeys } from '../lib/query-keys';
import { flattenFeatures, severityColor, signalTypeName, useSignalTypes } from '../lib/signals';
import type { TimelineItem } from '../lib/types';
import { mergeTimelineText } from '../pages/merge/merge-lib';

const KIND_COLOR: Record<string, string> = {
  activity: 'indigo',
  signal: 'orange',
  intervention: 'red',
  change: 'gray',
};

import { lineageMethod } from './Lineage';
import { Empty, ErrorState, Loading } from './States';

/** Items per "load more" page: a long account history stays a page, not a 8,000 px wall. */
export const TIMELINE_PAGE = 30;

export function RecordTimeline({ entity, id }: { entity: string; id: string }) {
  const { t } = useTranslation();
  const lang = useLang();
  const pages = useInfiniteQuery({
    queryKey: queryKeys.records.timeline(entity, id),
    queryFn: ({ pageParam }) =>
      api<{ data: TimelineItem[]; next_cursor?: string | null }>(`/${entity}/${id}/timeline`, {
        query: { limit: TIMELINE_PAGE, ...(pageParam ? { cursor: pageParam } : {}) },
      }),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor || undefined,
  });
  const q = { ...pages, data: pages.data?.pages.flatMap((p) => p.data) };
  const types = useSignalTypes().data;
  const location = useLocation();
  // evidence links point at #signal-<id>: scroll there once the timeline is loaded
  // (an older item is on a later page: load pages until it is there, at most 10)
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;
  const loadedPages = pages.data?.pages.length ?? 0;
  useEffect(() => {
    if (!q.data || !location.hash) return;
    const target = document.getElementById(location.hash.slice(1));
    if (target) target.scrollIntoView({ block: 'center' });
    else if (hasNextPage && !isFetchingNextPage && loadedPages < 10) void fetchNextPage();
  }, [q.data, location.hash, hasNextPage, isFetchingNextPage, loadedPages, fetchNextPage]);
  if (q.isPending || !q.data) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  if (q.data.length === 0) return <Empty text={t('account.noTimeline')} />;
  return (
    <Stack gap="sm">
      <MTimeline bulletSize={14} lineWidth={2} data-testid="timeline">
        {q.data.map((item) => {
          const type = item.kind === 'activity' ? String(item.data?.type ?? '') : '';
          const merge = mergeTimelineText(t, item);
          const color = KIND_COLOR[item.kind] ?? 'gray';
          const title = merge
            ? merge.title
            : item.kind === 'change'
              ? t(`timeline.${item.title}`, { defaultValue: item.title })
              : item.kind === 'signal'
                ? signalTypeName(types, item.title, lang)
                : item.title;
          const strength = item.kind === 'signal' ? item.data?.strength : null;
          const severity = item.kind === 'intervention' ? String(item.data?.severity ?? '') : '';
          return (
            <MTimeline.Item
              key={`${item.kind}-${item.id}`}
              id={`${item.kind}-${item.id}`}
              className="zs-timeline-target"
              data-kind={item.kind}
              color={color}
              title={
                <Group gap={6} wrap="wrap">
                  <Badge size="xs" variant="light" color={color}>
                    {type
                      ? t(`activityType.${type}`, { defaultValue: type })
                      : (merge?.badge ?? t(`timeline.${item.kind}`, { defaultValue: item.kind }))}
                  </Badge>
                  <Text fz="sm" fw={500}>
                    {title}
                  </Text>
                  {severity && (
                    <Badge size="xs" color={severityColor(severity)}>
                      {t(`inbox.severity.${severity}`, { defaultValue: severity })}
                    </Badge>
                  )}
                  {typeof strength === 'number' && (
                    <Text span fz="xs" c="dimmed">
                      {t('timeline.strength', { value: formatNumber(strength, lang, 2) })}
                    </Text>
                  )}
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
                    : item.kind === 'signal' && item.data?.payload && typeof item.data.payload === 'object'
                      ? payloadText(t, flattenFeatures(item.data.payload).slice(0, 4))
                      : item.summary}
                </Text>
              )}
              <Text fz="xs" c="dimmed">
                {formatDateTime(item.at, lang)}
                {item.actor_name ? ` · ${item.actor_name}` : ''}
                {item.kind === 'signal' && item.source ? ` · ${sourceLabel(t, item.source)}` : ''}
                {item.kind === 'intervention' && item.source?.startsWith('rule:')
                  ? ` · ${t('timeline.byRule')}`
                  : ''}
                {item.kind === 'change' && item.source
                  ? ` · ${lineageMethod({ source: item.source, method: String(item.data?.method ?? '') }, t)}`
                  : ''}
              </Text>
            </MTimeline.Item>
          );
        })}
      </MTimeline>
      {pages.hasNextPage && (
        <Button
          variant="light"
          size="xs"
          onClick={() => pages.fetchNextPage()}
          loading={pages.isFetchingNextPage}
          data-testid="timeline-more"
        >
          {t('common.loadMore')}
        </Button>
      )}
    </Stack>
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
