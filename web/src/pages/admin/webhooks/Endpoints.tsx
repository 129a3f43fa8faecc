import { Badge, Button, Group, Menu, Paper, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../../lib/format';
import { useLang } from '../../../lib/hooks';
import type { Endpoint } from './webhooks-lib';

export type EndpointAction = 'edit' | 'test' | 'secret' | 'toggle' | 'deliveries' | 'recover' | 'delete';

const SHOWN_EVENTS = 4;

/** One endpoint as a card (reads the same at 1280 px and 390 px), its actions below. */
export function EndpointCard({
  endpoint: e,
  onAction,
  busy = false,
}: {
  endpoint: Endpoint;
  onAction: (a: EndpointAction, e: Endpoint) => void;
  busy?: boolean;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const enabled = e.status === 'enabled';
  const extra = e.event_types.length - SHOWN_EVENTS;
  return (
    <Paper withBorder p="md" data-testid="webhook-endpoint" data-status={e.status} data-id={e.id}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
          <Stack gap={2} style={{ minWidth: 0 }}>
            <Text
              fw={600}
              ff="monospace"
              fz="sm"
              style={{ wordBreak: 'break-all' }}
              data-testid="endpoint-url"
            >
              {e.url}
            </Text>
            {e.description && (
              <Text fz="sm" c="dimmed">
                {e.description}
              </Text>
            )}
          </Stack>
          <Badge color={enabled ? 'green' : 'gray'} style={{ flexShrink: 0 }} data-testid="endpoint-status">
            {enabled ? t('webhooks.enabled') : t('webhooks.disabled')}
          </Badge>
        </Group>
        <Group gap={6}>
          {e.event_types.length === 0 ? (
            <Badge variant="light">{t('webhooks.allEvents')}</Badge>
          ) : (
            e.event_types.slice(0, SHOWN_EVENTS).map((n) => (
              <Badge key={n} variant="light" tt="none" ff="monospace">
                {n}
              </Badge>
            ))
          )}
          {extra > 0 && (
            <Badge variant="outline" color="gray" tt="none">
              {t('webhooks.moreEvents', { count: extra })}
            </Badge>
          )}
          {e.condition != null && (
            <Badge variant="outline" color="violet" tt="none">
              {t('webhooks.hasCondition')}
            </Badge>
          )}
        </Group>
        {!enabled && e.disabled_reason && (
          <Text fz="sm" c="orange">
            {t(`webhooks.disabledReason.${e.disabled_reason}`, { defaultValue: e.disabled_reason })}
            {e.disabled_at ? ` · ${formatDateTime(e.disabled_at, lang)}` : ''}
          </Text>
        )}
        {enabled && e.failing_since && (
          <Text fz="sm" c="orange">
            {t('webhooks.failingSince', { time: formatDateTime(e.failing_since, lang) })}
          </Text>
        )}
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Text fz="xs" c="dimmed">
            {t('webhooks.created', { time: formatDateTime(e.created_at, lang) })}
          </Text>
          <Group gap={6} wrap="wrap">
            <Button size="xs" variant="light" onClick={() => onAction('test', e)} data-testid="endpoint-test">
              {t('webhooks.test')}
            </Button>
            <Button
              size="xs"
              variant="default"
              onClick={() => onAction('deliveries', e)}
              data-testid="endpoint-deliveries"
            >
              {t('webhooks.deliveries')}
            </Button>
            <Button
              size="xs"
              variant="default"
              onClick={() => onAction('edit', e)}
              data-testid="endpoint-edit"
            >
              {t('common.edit')}
            </Button>
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <Button
                  size="xs"
                  variant="default"
                  loading={busy}
                  data-testid="endpoint-more"
                  aria-label={t('common.actions')}
                >
                  ···
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item onClick={() => onAction('secret', e)} data-testid="endpoint-secret">
                  {t('webhooks.secret')}
                </Menu.Item>
                <Menu.Item onClick={() => onAction('recover', e)} data-testid="endpoint-recover">
                  {t('webhooks.recover')}
                </Menu.Item>
                <Menu.Item onClick={() => onAction('toggle', e)} data-testid="endpoint-toggle">
                  {enabled ? t('webhooks.disable') : t('webhooks.enable')}
                </Menu.Item>
                <Menu.Divider />
                <Menu.Item color="red" onClick={() => onAction('delete', e)} data-testid="endpoint-delete">
                  {t('webhooks.delete')}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </Stack>
    </Paper>
  );
}
