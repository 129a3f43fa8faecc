import { Alert, Button, Center, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from './portal-api';

/** One card of the portal page, with an anchor for the section links at the top. */
export function Section({
  id,
  title,
  intro,
  children,
}: {
  id: string;
  title: string;
  intro?: string;
  children: ReactNode;
}) {
  return (
    <Paper
      component="section"
      id={`portal-${id}`}
      withBorder
      radius="md"
      p={{ base: 'md', sm: 'lg' }}
      aria-labelledby={`portal-${id}-title`}
      data-testid={`portal-section-${id}`}
      style={{ scrollMarginTop: 12 }}
    >
      <Stack gap="sm">
        <Stack gap={2}>
          <Title order={3} fz="lg" id={`portal-${id}-title`}>
            {title}
          </Title>
          {intro && (
            <Text fz="sm" c="dimmed">
              {intro}
            </Text>
          )}
        </Stack>
        {children}
      </Stack>
    </Paper>
  );
}

/** Loading and error states of a section's query (empty is the section's own business). */
export function QueryState({
  query,
  children,
}: {
  query: { isPending: boolean; isError: boolean; error: unknown; refetch: () => unknown };
  children: () => ReactNode;
}) {
  const { t } = useTranslation();
  if (query.isPending)
    return (
      <Center py="md" aria-busy="true">
        <Stack align="center" gap={4}>
          <Loader size="sm" />
          <Text fz="sm" c="dimmed">
            {t('portal.loading')}
          </Text>
        </Stack>
      </Center>
    );
  if (query.isError)
    return (
      <Alert color="red" role="alert" title={t('portal.error')}>
        <Stack gap="xs" align="flex-start">
          <Text fz="sm">{errorText(query.error, t)}</Text>
          <Button size="xs" variant="light" color="red" onClick={() => query.refetch()}>
            {t('portal.retry')}
          </Button>
        </Stack>
      </Alert>
    );
  return <>{children()}</>;
}

/** A value as a person reads it: lists joined, nothing as "—". */
export function showValue(v: unknown, lang: string): string {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v))
    return v.length ? v.map((x) => showValue(x, lang)).join(lang === 'en' ? ', ' : '、') : '—';
  if (typeof v === 'boolean') return v ? (lang === 'en' ? 'Yes' : '是') : lang === 'en' ? 'No' : '否';
  if (typeof v === 'number') return new Intl.NumberFormat(lang).format(v);
  if (isLabel(v)) return pick(v, lang);
  if (typeof v === 'object' && Object.keys(v).length === 0) return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A value a module gave in both languages ({ en, zh }). */
const isLabel = (v: unknown): v is { en: string; zh: string } =>
  typeof v === 'object' &&
  v !== null &&
  'en' in v &&
  'zh' in v &&
  typeof v.en === 'string' &&
  typeof v.zh === 'string';

/** en or zh of a two-language label. */
export const pick = (l: { en: string; zh: string }, lang: string) => (lang === 'en' ? l.en : l.zh);
