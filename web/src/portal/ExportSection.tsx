import { Alert, Button, Group, Progress, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type ExportStatus, errorText, exportFileUrl, portalApi, portalKeys } from './portal-api';
import { Section } from './Section';

const size = (bytes: number | null, lang: string) => {
  if (!bytes) return '0 KB';
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(v)} ${units[i]}`;
};

/** 导出我的数据: start, progress, download (JSON + CSV zip). */
export function ExportSection() {
  const { t, i18n } = useTranslation();
  const [id, setId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const status = useQuery({
    queryKey: portalKeys.export(id ?? ''),
    queryFn: () => portalApi<ExportStatus>(`/me/exports/${encodeURIComponent(id ?? '')}`),
    enabled: id !== null,
    refetchInterval: (q) =>
      q.state.data && (q.state.data.status === 'done' || q.state.data.status === 'failed') ? false : 800,
    staleTime: 0,
  });
  const start = async () => {
    setStarting(true);
    setError(null);
    try {
      const s = await portalApi<ExportStatus>('/me/exports', { method: 'POST' });
      setId(s.id);
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setStarting(false);
    }
  };
  const s = status.data;
  const finished = s?.status === 'done' || s?.status === 'failed';
  const pct = s && s.progress.total > 0 ? Math.round((100 * s.progress.done) / s.progress.total) : 0;
  return (
    <Section id="export" title={t('portal.export.heading')} intro={t('portal.export.intro')}>
      <Stack gap="sm">
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        {id && !s && status.isError && (
          <Alert color="red" role="alert">
            {errorText(status.error, t)}
          </Alert>
        )}
        {s && (
          <Stack gap={6} data-testid="portal-export-status" data-status={s.status}>
            {!finished && (
              <>
                <Progress
                  value={s.status === 'queued' ? 5 : Math.max(pct, 5)}
                  animated
                  aria-label={t('portal.export.heading')}
                />
                <Text fz="sm" c="dimmed">
                  {s.status === 'queued'
                    ? t('portal.export.queued')
                    : t('portal.export.running', { done: s.progress.done, total: s.progress.total })}
                </Text>
              </>
            )}
            {s.status === 'done' && (
              <Group justify="space-between" gap="xs">
                <Text fz="sm">
                  {t('portal.export.done', {
                    records: s.records ?? 0,
                    size: size(s.file_bytes, i18n.language),
                  })}
                </Text>
                <Button
                  component="a"
                  href={exportFileUrl(s.id)}
                  download
                  data-testid="portal-export-download"
                >
                  {t('portal.export.download')}
                </Button>
              </Group>
            )}
            {s.status === 'failed' && (
              <Alert color="red" role="alert">
                {t('portal.export.failed', { error: s.error ?? '' })}
              </Alert>
            )}
          </Stack>
        )}
        {(!id || finished) && (
          <Button
            variant={s?.status === 'done' ? 'default' : 'filled'}
            onClick={start}
            loading={starting}
            w={{ base: '100%', sm: 'auto' }}
            data-testid="portal-export-start"
          >
            {id ? t('portal.export.again') : t('portal.export.start')}
          </Button>
        )}
      </Stack>
    </Section>
  );
}
