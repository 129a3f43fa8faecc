import { Alert, Anchor, Group, Paper, Stack, Switch, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isoDay } from './lineage-words';
import { type Consents, errorText, portalApi, portalKeys } from './portal-api';
import { pick, QueryState, Section } from './Section';

/** 授权管理: one switch per purpose, with the notice version a grant agrees to. */
export function ConsentSection() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const q = useQuery({ queryKey: portalKeys.consents, queryFn: () => portalApi<Consents>('/me/consents') });
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const toggle = async (purpose: string, granted: boolean) => {
    setBusy(purpose);
    setError(null);
    setSaved(null);
    try {
      const next = await portalApi<Consents>(`/me/consents/${encodeURIComponent(purpose)}`, {
        method: 'PUT',
        body: { granted, notice_version_id: q.data?.notice?.id ?? null },
      });
      qc.setQueryData(portalKeys.consents, next);
      setSaved(purpose);
      void qc.invalidateQueries({ queryKey: portalKeys.data });
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Section id="consents" title={t('portal.consents.heading')} intro={t('portal.consents.intro')}>
      <QueryState query={q}>
        {() => {
          const notice = q.data?.notice ?? null;
          return (
            <Stack gap="sm">
              {notice ? (
                <Paper bg="var(--mantine-color-gray-0)" p="sm" radius="sm">
                  <Group justify="space-between" gap="xs">
                    <Text fz="sm" fw={500} data-testid="portal-notice-version">
                      {pick({ en: notice.title_en, zh: notice.title_zh }, lang)} ·{' '}
                      {t('portal.consents.notice', { version: notice.version })}
                    </Text>
                    <Anchor component="button" fz="sm" onClick={() => setOpen((o) => !o)}>
                      {open ? t('portal.consents.hideNotice') : t('portal.consents.readNotice')}
                    </Anchor>
                  </Group>
                  {open && (
                    <Text mt="xs" fz="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="portal-notice-text">
                      {pick({ en: notice.text_en, zh: notice.text_zh }, lang)}
                    </Text>
                  )}
                  <Text fz="xs" c="dimmed" mt={4}>
                    {t('portal.consents.agree', { version: notice.version })}
                  </Text>
                </Paper>
              ) : (
                <Alert color="yellow">{t('portal.consents.noNotice')}</Alert>
              )}
              {error && (
                <Alert color="red" role="alert">
                  {error}
                </Alert>
              )}
              {(q.data?.items ?? []).map((c) => (
                <Group
                  key={c.purpose}
                  justify="space-between"
                  align="flex-start"
                  wrap="nowrap"
                  py="xs"
                  style={{ borderTop: '1px solid var(--mantine-color-gray-2)' }}
                  data-testid={`portal-consent-${c.purpose}`}
                >
                  <Stack gap={2} style={{ minWidth: 0 }}>
                    <Text fw={500}>{pick(c.label, lang)}</Text>
                    <Text fz="sm" c="dimmed">
                      {pick(c.description, lang)}
                    </Text>
                    <Text fz="xs" c="dimmed">
                      {c.basis === 'default'
                        ? t('portal.consents.byDefault')
                        : c.notice_version
                          ? t('portal.consents.recorded', { date: isoDay(c.at), version: c.notice_version })
                          : t('portal.consents.recordedNoVersion', { date: isoDay(c.at) })}
                      {saved === c.purpose ? ` · ${t('portal.consents.saved')}` : ''}
                    </Text>
                  </Stack>
                  <Switch
                    checked={c.granted}
                    disabled={busy !== null || (!notice && !c.granted)}
                    onChange={(e) => toggle(c.purpose, e.currentTarget.checked)}
                    label={c.granted ? t('portal.consents.granted') : t('portal.consents.withdrawn')}
                    labelPosition="left"
                    aria-label={pick(c.label, lang)}
                    data-testid={`portal-consent-switch-${c.purpose}`}
                    style={{ flexShrink: 0 }}
                  />
                </Group>
              ))}
            </Stack>
          );
        }}
      </QueryState>
    </Section>
  );
}
