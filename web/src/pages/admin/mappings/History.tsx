import { Badge, Button, Group, Modal, Paper, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Empty } from '../../../components/States';
import { formatDateTime, type Lang } from '../../../lib/format';
import type { Run, Version } from './mappings-lib';

const STATUS_COLOR = { ok: 'teal', skipped: 'gray', failed: 'red' } as const;

/** Frozen versions, newest first: which one is active, view one, make an earlier one active again. */
export function VersionsList({
  versions,
  lang,
  onReactivate,
  busy,
}: {
  versions: Version[];
  lang: Lang;
  onReactivate: (version: number) => void;
  busy?: boolean;
}) {
  const { t } = useTranslation();
  const [viewing, setViewing] = useState<Version | null>(null);
  if (!versions.length) return <Empty text={t('mappings.versionsEmpty')} />;
  return (
    <Stack gap="xs" data-testid="versions">
      {versions.map((v) => (
        <Paper key={v.version} withBorder p="xs">
          <Group justify="space-between" wrap="wrap" gap="xs">
            <Group gap="xs">
              <Text fw={600}>{t('mappings.version', { version: v.version })}</Text>
              {v.active && (
                <Badge color="teal" variant="light">
                  {t('mappings.active', { version: v.version })}
                </Badge>
              )}
              <Text fz="xs" c="dimmed">
                {formatDateTime(v.created_at, lang)}
              </Text>
            </Group>
            <Group gap="xs">
              <Button size="xs" variant="subtle" onClick={() => setViewing(v)}>
                {t('mappings.view')}
              </Button>
              {!v.active && (
                <Button size="xs" variant="light" loading={busy} onClick={() => onReactivate(v.version)}>
                  {t('mappings.reactivate')}
                </Button>
              )}
            </Group>
          </Group>
        </Paper>
      ))}
      <Modal
        opened={viewing !== null}
        onClose={() => setViewing(null)}
        title={viewing ? t('mappings.version', { version: viewing.version }) : ''}
        size="lg"
      >
        {viewing && (
          <Stack gap="xs">
            <Text fz="sm" fw={600}>
              {t('mappings.fieldMappings')}
            </Text>
            <pre className="zs-pre">{JSON.stringify(viewing.fields, null, 2)}</pre>
            <Text fz="sm" fw={600}>
              {t('mappings.trigger')}
            </Text>
            <pre className="zs-pre">{JSON.stringify(viewing.trigger, null, 2)}</pre>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}

/** The run history: time, trigger (test run / webhook), status, input excerpt, errors at their fields. */
export function RunHistory({ runs, lang }: { runs: Run[]; lang: Lang }) {
  const { t } = useTranslation();
  if (!runs.length) return <Empty text={t('mappings.runsEmpty')} />;
  return (
    <Stack gap="xs" data-testid="runs">
      {runs.map((r) => (
        <Paper key={r.id} withBorder p="xs">
          <Stack gap={4}>
            <Group gap="xs" wrap="wrap">
              <Text fz="sm">{formatDateTime(r.at, lang)}</Text>
              <Badge variant="outline" color="gray">
                {r.trigger === 'test' ? t('mappings.triggerTest') : t('mappings.triggerWebhook')}
              </Badge>
              <Badge color={STATUS_COLOR[r.status]} variant="light">
                {t(`mappings.status.${r.status}`)}
              </Badge>
              <Text fz="xs" c="dimmed">
                {r.version === null ? t('mappings.draft') : t('mappings.version', { version: r.version })}
              </Text>
            </Group>
            <Text fz="xs" ff="monospace" c="dimmed" lineClamp={2} style={{ wordBreak: 'break-all' }}>
              {r.input_excerpt}
            </Text>
            {r.errors.map((e) => (
              <Text key={`${e.field}-${e.reason}`} fz="xs" c="red">
                {e.field}: {e.reason}
              </Text>
            ))}
          </Stack>
        </Paper>
      ))}
    </Stack>
  );
}
