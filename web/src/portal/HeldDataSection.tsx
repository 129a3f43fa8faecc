import { Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isoDay, lineageWords } from './lineage-words';
import { type DataSection, portalApi, portalKeys } from './portal-api';
import { pick, QueryState, Section, showValue } from './Section';

/** Interactions first, then signals and AI insights, then whatever else a module holds. */
const ORDER = ['activities', 'signals', 'insights', 'predictions', 'interventions'];
/** Shown in their own sections (我的资料, 授权管理, 我的请求). */
const ELSEWHERE = new Set(['profile', 'consents', 'privacy_requests']);
const FIRST_SHOWN = 10;
const ALWAYS = new Set(ORDER.slice(0, 3));

/** 我们记录的互动 / 信号 / AI 洞察: everything the modules hold about the person, with lineage. */
export function HeldDataSection() {
  const { t, i18n } = useTranslation();
  const q = useQuery({
    queryKey: portalKeys.data,
    queryFn: () => portalApi<{ sections: DataSection[] }>('/me/data'),
  });
  const all = (q.data?.sections ?? [])
    .filter((s) => !ELSEWHERE.has(s.kind))
    .sort((a, b) => rank(a.kind) - rank(b.kind));
  // Interactions, signals and insights always show; other kinds only when they hold something
  // (the rest are named on one line: the person sees we looked everywhere).
  const sections = all.filter((s) => s.records.length > 0 || ALWAYS.has(s.kind));
  const nothing = all.filter((s) => s.records.length === 0 && !ALWAYS.has(s.kind));
  return (
    <Section id="data" title={t('portal.data.heading')} intro={t('portal.data.intro')}>
      <QueryState query={q}>
        {() =>
          sections.length === 0 ? (
            <Text c="dimmed" fz="sm">
              {t('portal.data.empty')}
            </Text>
          ) : (
            <Stack gap="lg">
              {sections.map((s) => (
                <DataKind key={`${s.module}:${s.kind}`} section={s} />
              ))}
              {nothing.length > 0 && (
                <Text fz="xs" c="dimmed" data-testid="portal-data-nothing">
                  {t('portal.data.nothingIn', {
                    kinds: nothing
                      .map((s) => pick(s.label, i18n.language))
                      .join(i18n.language === 'en' ? ', ' : '、'),
                  })}
                </Text>
              )}
            </Stack>
          )
        }
      </QueryState>
    </Section>
  );
}

const isEmpty = (v: unknown) =>
  v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

const rank = (kind: string) => {
  const i = ORDER.indexOf(kind);
  return i === -1 ? ORDER.length : i;
};

function DataKind({ section }: { section: DataSection }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [all, setAll] = useState(false);
  const heading = ORDER.slice(0, 3).includes(section.kind)
    ? t(`portal.data.kinds.${section.kind}`)
    : pick(section.label, lang);
  const shown = all ? section.records : section.records.slice(0, FIRST_SHOWN);
  return (
    <Stack gap="xs" data-testid={`portal-data-${section.kind}`}>
      <Group gap="xs">
        <Title order={4} fz="md">
          {heading}
        </Title>
        <Badge variant="light" color="gray">
          {section.total}
        </Badge>
      </Group>
      {section.records.length === 0 ? (
        <Text c="dimmed" fz="sm">
          {t('portal.data.empty')}
        </Text>
      ) : (
        shown.map((r) => (
          <Paper key={r.id} withBorder radius="sm" p="sm" data-testid="portal-datum">
            <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
              <Text fw={500} fz="sm" style={{ wordBreak: 'break-word' }}>
                {showValue(r.title, lang)}
              </Text>
              {r.at && (
                <Text fz="xs" c="dimmed" style={{ flexShrink: 0 }}>
                  {isoDay(r.at)}
                </Text>
              )}
            </Group>
            <Stack gap={6} mt={6}>
              {r.fields.map((f) => (
                <Stack key={f.key} gap={0}>
                  <Text fz="sm" style={{ wordBreak: 'break-word' }}>
                    <Text span c="dimmed" fz="sm">
                      {pick(f.label, lang)}
                      {lang === 'en' ? ': ' : '：'}
                    </Text>
                    {showValue(f.value, lang)}
                  </Text>
                  {f.lineage[0] && !isEmpty(f.value) && (
                    <Text fz="xs" c="dimmed" data-testid="portal-lineage">
                      {lineageWords(f.lineage[0], t, lang)}
                    </Text>
                  )}
                </Stack>
              ))}
            </Stack>
          </Paper>
        ))
      )}
      {section.records.length > FIRST_SHOWN && !all && (
        <Button variant="subtle" size="compact-sm" onClick={() => setAll(true)} w="fit-content">
          {t('portal.data.showAll', { count: section.records.length })}
        </Button>
      )}
      {all && section.total > section.records.length && (
        <Text fz="xs" c="dimmed">
          {t('portal.data.more', { shown: section.records.length, total: section.total })}
        </Text>
      )}
    </Stack>
  );
}
