import { Badge, Button, Code, CopyButton, Group, Menu, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatDateTime, formatNumber } from '../../../lib/format';
import { useLang } from '../../../lib/hooks';
import { type App, type Scope, scopeLabel } from './apps-lib';

export type AppAction = 'edit' | 'rotate' | 'delete';

const SHOWN_SCOPES = 5;

/** A value with a small copy button (client ID, discovery URL, secret). */
export function CopyValue({ value, testId }: { value: string; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Code block style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }} data-testid={testId}>
        {value}
      </Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button size="xs" variant={copied ? 'filled' : 'light'} onClick={copy} style={{ flexShrink: 0 }}>
            {copied ? t('oauth.copied') : t('oauth.copy')}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Stack gap={0}>
      <Text fz="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={600} data-testid={testId}>
        {value}
      </Text>
    </Stack>
  );
}

/** One app as a card (reads the same at 1280 px and 390 px), its actions below. */
export function AppCard({
  app: a,
  scopes,
  onAction,
}: {
  app: App;
  scopes?: Scope[];
  onAction: (action: AppAction, app: App) => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const extra = a.scopes.length - SHOWN_SCOPES;
  return (
    <Paper withBorder p="md" data-testid="oauth-app" data-id={a.id}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
          <Text fw={600} style={{ minWidth: 0, wordBreak: 'break-word' }} data-testid="app-name">
            {a.name}
          </Text>
          <Badge
            color={a.type === 'confidential' ? 'indigo' : 'teal'}
            variant="light"
            style={{ flexShrink: 0 }}
            data-testid="app-type"
          >
            {t(`oauth.types.${a.type}`)}
          </Badge>
        </Group>
        <Stack gap={4}>
          <Text fz="xs" c="dimmed">
            {t('oauth.clientId')}
          </Text>
          <CopyValue value={a.client_id} testId="app-client-id" />
        </Stack>
        <Stack gap={4}>
          <Text fz="xs" c="dimmed">
            {t('oauth.redirectUris')}
          </Text>
          {a.redirect_uris.length === 0 ? (
            <Text fz="sm" c="dimmed">
              {t('oauth.noRedirects')}
            </Text>
          ) : (
            a.redirect_uris.map((u) => (
              <Text
                key={u}
                fz="sm"
                ff="monospace"
                style={{ wordBreak: 'break-all' }}
                data-testid="app-redirect"
              >
                {u}
              </Text>
            ))
          )}
        </Stack>
        <Stack gap={4}>
          <Text fz="xs" c="dimmed">
            {t('oauth.scopes')}
          </Text>
          <Group gap={6}>
            {a.scopes.slice(0, SHOWN_SCOPES).map((s) => (
              <Badge key={s} variant="light" color="gray" tt="none" title={s} data-testid="app-scope">
                {scopeLabel(scopes, s, lang)}
              </Badge>
            ))}
            {extra > 0 && (
              <Badge variant="outline" color="gray" tt="none">
                {t('oauth.moreScopes', { count: extra })}
              </Badge>
            )}
          </Group>
        </Stack>
        <SimpleGrid cols={2} spacing="xs" maw={320}>
          <Figure
            label={t('oauth.usageToday')}
            value={formatNumber(a.usage.today, lang)}
            testId="app-usage-today"
          />
          <Figure
            label={t('oauth.usage7Days')}
            value={formatNumber(a.usage.last_7_days, lang)}
            testId="app-usage-7d"
          />
        </SimpleGrid>
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Stack gap={0}>
            <Text fz="xs" c="dimmed">
              {t('oauth.created', { time: formatDateTime(a.created_at, lang) })}
            </Text>
            {a.secret_rotated_at && (
              <Text fz="xs" c="dimmed">
                {t('oauth.secretRotated', { time: formatDateTime(a.secret_rotated_at, lang) })}
              </Text>
            )}
          </Stack>
          <Group gap={6} wrap="wrap">
            <Button size="xs" variant="default" onClick={() => onAction('edit', a)} data-testid="app-edit">
              {t('common.edit')}
            </Button>
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <Button size="xs" variant="default" data-testid="app-more" aria-label={t('common.actions')}>
                  ···
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                {a.type === 'confidential' && (
                  <Menu.Item onClick={() => onAction('rotate', a)} data-testid="app-rotate">
                    {t('oauth.rotate')}
                  </Menu.Item>
                )}
                <Menu.Item color="red" onClick={() => onAction('delete', a)} data-testid="app-delete">
                  {t('oauth.delete')}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </Stack>
    </Paper>
  );
}
