import {
  Badge,
  Button,
  Group,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Empty, ErrorState, Loading } from '../../../components/States';
import { request } from '../../../lib/api';
import { formatDateTime } from '../../../lib/format';
import { useLang } from '../../../lib/hooks';
import { Tbl } from '../admin-shared';
import { DeliveryDrawer } from './DeliveryDetail';
import {
  codeColor,
  DELIVERY_STATUSES,
  type Delivery,
  type DeliveryFilter,
  type DeliveryStatus,
  type Endpoint,
  statusColor,
  webhookKeys,
} from './webhooks-lib';

const PAGE = 50;

/** The rows of the delivery log (presentational: the test renders it with fixed rows). */
export function DeliveryRows({
  rows,
  endpoints,
  onOpen,
  compact = false,
}: {
  rows: Delivery[];
  endpoints: Endpoint[];
  onOpen: (d: Delivery) => void;
  /** A phone: one card per delivery instead of a table. */
  compact?: boolean;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const urlOf = new Map(endpoints.map((e) => [e.id, e.description || e.url]));
  const code = (d: Delivery) =>
    d.attempts > 0 ? (
      <Badge
        variant="light"
        color={codeColor(d.last_status_code)}
        data-testid="delivery-code"
        style={{ flexShrink: 0 }}
      >
        {d.last_status_code ?? t('webhooks.noResponse')}
      </Badge>
    ) : (
      '—'
    );
  const status = (d: Delivery) => (
    <Badge color={statusColor(d.status)} style={{ flexShrink: 0 }}>
      {t(`webhooks.deliveryStatus.${d.status}`)}
    </Badge>
  );
  if (compact)
    return (
      <Stack gap="xs">
        {rows.map((d) => (
          <UnstyledButton
            key={d.id}
            onClick={() => onOpen(d)}
            data-testid="delivery-row"
            data-status={d.status}
          >
            <Paper withBorder p="sm">
              <Stack gap={4}>
                <Group justify="space-between" wrap="nowrap" gap="xs">
                  <Text fz="sm" ff="monospace" truncate="end">
                    {d.event_type}
                  </Text>
                  <Group gap={4} wrap="nowrap">
                    {code(d)}
                    {status(d)}
                  </Group>
                </Group>
                <Group justify="space-between" wrap="nowrap" gap="xs">
                  <Text fz="xs" c="dimmed">
                    {formatDateTime(d.created_at, lang)} · {t('webhooks.attempts')} {d.attempts}
                  </Text>
                  <Text fz="xs" c="dimmed" truncate="end" maw="50%">
                    {urlOf.get(d.endpoint_id) ?? d.endpoint_id}
                  </Text>
                </Group>
              </Stack>
            </Paper>
          </UnstyledButton>
        ))}
      </Stack>
    );
  return (
    <Tbl
      head={[
        t('webhooks.time'),
        t('webhooks.eventType'),
        t('webhooks.status'),
        t('webhooks.lastResult'),
        t('webhooks.attempts'),
        t('webhooks.endpoint'),
      ]}
    >
      {rows.map((d) => (
        <Table.Tr
          key={d.id}
          data-testid="delivery-row"
          data-status={d.status}
          style={{ cursor: 'pointer' }}
          onClick={() => onOpen(d)}
        >
          <Table.Td style={{ whiteSpace: 'nowrap' }}>
            <Button
              variant="subtle"
              size="compact-sm"
              px={0}
              onClick={(e) => {
                e.stopPropagation();
                onOpen(d);
              }}
            >
              {formatDateTime(d.created_at, lang)}
            </Button>
          </Table.Td>
          <Table.Td>
            <Text fz="sm" ff="monospace">
              {d.event_type}
            </Text>
          </Table.Td>
          <Table.Td>{status(d)}</Table.Td>
          <Table.Td>{code(d)}</Table.Td>
          <Table.Td>{d.attempts}</Table.Td>
          <Table.Td>
            <Text fz="sm" maw={260} truncate="end">
              {urlOf.get(d.endpoint_id) ?? d.endpoint_id}
            </Text>
          </Table.Td>
        </Table.Tr>
      ))}
    </Tbl>
  );
}

/** The delivery log: endpoint, status and event filters, newest first, "load more" by cursor. */
export function DeliveriesView({
  endpoints,
  endpointId,
  onEndpointChange,
}: {
  endpoints: Endpoint[];
  endpointId: string | null;
  onEndpointChange: (id: string | null) => void;
}) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<DeliveryStatus | null>(null);
  const [eventType, setEventType] = useState('');
  const [debouncedType] = useDebouncedValue(eventType.trim(), 300);
  const [open, setOpen] = useState<string | null>(null);
  const phone = useMediaQuery('(max-width: 36em)') ?? false;
  const filter: DeliveryFilter = {
    endpoint_id: endpointId ?? undefined,
    status: status ?? undefined,
    event_type: debouncedType || undefined,
  };
  const list = useInfiniteQuery({
    queryKey: webhookKeys.deliveries(filter),
    queryFn: ({ pageParam }) =>
      request('get', '/webhooks/deliveries', {
        query: { ...filter, limit: PAGE, cursor: pageParam ?? undefined },
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Stack data-testid="deliveries">
      <Group align="flex-end" wrap="wrap" gap="sm">
        <Select
          label={t('webhooks.endpoint')}
          value={endpointId}
          onChange={onEndpointChange}
          placeholder={t('webhooks.allEndpoints')}
          clearable
          data={endpoints.map((e) => ({
            value: e.id,
            label: e.description ? `${e.description} · ${e.url}` : e.url,
          }))}
          w={{ base: '100%', sm: 320 }}
          data-testid="deliveries-endpoint"
        />
        <Select
          label={t('webhooks.status')}
          value={status}
          onChange={(v) => setStatus((v as DeliveryStatus | null) ?? null)}
          placeholder={t('webhooks.anyStatus')}
          clearable
          data={DELIVERY_STATUSES.map((s) => ({ value: s, label: t(`webhooks.deliveryStatus.${s}`) }))}
          w={{ base: '100%', xs: 160 }}
          data-testid="deliveries-status"
        />
        <TextInput
          label={t('webhooks.eventTypeFilter')}
          value={eventType}
          onChange={(e) => setEventType(e.currentTarget.value)}
          placeholder="accounts.created"
          w={{ base: '100%', xs: 200 }}
        />
        <Button variant="default" onClick={() => list.refetch()} loading={list.isRefetching}>
          {t('webhooks.refresh')}
        </Button>
      </Group>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : rows.length === 0 ? (
        <Empty text={t('webhooks.noDeliveries')} />
      ) : (
        <>
          <DeliveryRows rows={rows} endpoints={endpoints} onOpen={(d) => setOpen(d.id)} compact={phone} />
          {list.hasNextPage && (
            <Group justify="center">
              <Button
                variant="default"
                onClick={() => list.fetchNextPage()}
                loading={list.isFetchingNextPage}
                data-testid="deliveries-more"
              >
                {t('common.loadMore')}
              </Button>
            </Group>
          )}
        </>
      )}
      <DeliveryDrawer id={open} onClose={() => setOpen(null)} />
    </Stack>
  );
}
