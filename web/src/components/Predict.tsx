import { Badge, Group, Progress, SimpleGrid, Stack, Text, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { request } from '../lib/api';
import type { ApiResponse } from '../lib/api-types';
import { formatDateTime } from '../lib/format';
import { useLang } from '../lib/hooks';
import { modelFeatureLabel, payloadValueLabel } from '../lib/labels';
import {
  type Factor,
  formatProbability,
  type Prediction,
  probabilityColor,
  splitFactors,
} from '../lib/predict';
import { queryKeys } from '../lib/query-keys';
import { wholeBadge } from './badges';
import { Empty, ErrorState, Loading } from './States';
import { Section } from './Timeline';

/** Small win-probability badge for lists and board cards. */
export function ProbBadge({ p, method }: { p: number | undefined; method?: string }) {
  const { t } = useTranslation();
  const lang = useLang();
  if (p === undefined) return null;
  const pct = formatProbability(p, lang);
  return (
    <Tooltip
      label={`${t('predict.badge', { pct })} · ${t(`predict.method_${method ?? 'model'}`, { defaultValue: method })}`}
      withinPortal
    >
      <Badge
        size="sm"
        styles={wholeBadge}
        variant={method === 'model' ? 'filled' : 'light'}
        color={probabilityColor(p)}
        aria-label={t('predict.badge', { pct })}
        data-testid="win-badge"
      >
        {pct}
      </Badge>
    </Tooltip>
  );
}

/** Small lead-score badge for the contacts list. */
export function LeadBadge({ p, method }: { p: number | undefined; method?: string }) {
  const { t } = useTranslation();
  const lang = useLang();
  if (p === undefined) return null;
  const pct = formatProbability(p, lang);
  return (
    <Tooltip
      label={`${t('lead.badge', { pct })} · ${t(`lead.method_${method ?? 'model'}`, { defaultValue: method })}`}
      withinPortal
    >
      <Badge
        size="sm"
        styles={wholeBadge}
        variant={method === 'model' ? 'filled' : 'light'}
        color={probabilityColor(p)}
        aria-label={t('lead.badge', { pct })}
        data-testid="lead-badge"
        data-method={method}
        style={{ flexShrink: 0 }}
      >
        {pct}
      </Badge>
    </Tooltip>
  );
}

/** Contact page: lead score, label (model vs rule fallback), model version, top factors. */
export function LeadScorePanel({ id }: { id: string }) {
  const { t } = useTranslation();
  const lang = useLang();
  const q = useQuery({
    queryKey: queryKeys.contacts.leadScore(id),
    queryFn: () => request('get', '/contacts/{id}/lead-score', { path: { id } }),
  });
  if (q.isPending)
    return (
      <Section title={t('lead.title')}>
        <Loading h={80} />
      </Section>
    );
  if (q.isError)
    return (
      <Section title={t('lead.title')}>
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      </Section>
    );
  const s = q.data;
  return (
    <Section title={t('lead.title')}>
      <ScoreBody
        ns="lead"
        testId="lead-score"
        value={s.score}
        method={s.method}
        modelVersion={s.model_version}
        computedAt={s.computed_at}
        factors={s.top_factors}
        lang={lang}
      />
    </Section>
  );
}

function FactorList({ title, rows, color }: { title: string; rows: Factor[]; color: string }) {
  const { t } = useTranslation();
  if (rows.length === 0) return null;
  const max = Math.max(...rows.map((f) => Math.abs(f.contribution)), 0.0001);
  return (
    <div>
      <Text fz="xs" c="dimmed" fw={600} mb={4}>
        {title}
      </Text>
      <Stack gap={6} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {rows.map((f) => (
          <li key={f.feature}>
            <Group justify="space-between" gap={6} wrap="nowrap">
              <Text fz="sm" truncate>
                {modelFeatureLabel(t, f.feature, f.label)}
                {f.value !== null && f.value !== '' ? (
                  <Text span c="dimmed" fz="xs">{` · ${payloadValueLabel(t, String(f.value))}`}</Text>
                ) : null}
              </Text>
              {f.contribution !== 0 && (
                <Text fz="xs" c={color} ff="monospace" style={{ flexShrink: 0 }}>
                  {f.contribution > 0 ? '▲ +' : '▼ '}
                  {f.contribution.toFixed(2)}
                </Text>
              )}
            </Group>
            {f.contribution !== 0 && (
              <Progress value={(100 * Math.abs(f.contribution)) / max} color={color} size="xs" aria-hidden />
            )}
          </li>
        ))}
      </Stack>
    </div>
  );
}

/** Opportunity page: probability, label (model vs stage fallback), model version, top factors. */
export function WinProbabilityPanel({ id }: { id: string }) {
  const { t } = useTranslation();
  const lang = useLang();
  const q = useQuery({
    queryKey: queryKeys.opportunities.prediction(id),
    queryFn: () => request('get', '/opportunities/{id}/prediction', { path: { id } }),
  });
  return (
    <Section title={t('predict.winProbability')}>
      {q.isPending ? (
        <Loading h={80} />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : (
        <WinProbabilityBody p={q.data} lang={lang} />
      )}
    </Section>
  );
}

function WinProbabilityBody({ p, lang }: { p: Prediction; lang: 'zh-CN' | 'en' }) {
  return (
    <ScoreBody
      ns="predict"
      testId="win-probability"
      value={p.probability}
      method={p.method}
      modelVersion={p.model_version}
      computedAt={p.computed_at}
      factors={p.top_factors}
      lang={lang}
    />
  );
}

/** A probability with its method badge, model version and the factors that moved it (win or lead). */
function ScoreBody(props: {
  ns: 'predict' | 'lead';
  testId: string;
  value: number;
  method: string;
  modelVersion: number | null;
  computedAt: string | null;
  factors: Factor[];
  lang: 'zh-CN' | 'en';
}) {
  const { t } = useTranslation();
  const { ns, testId, value, method, modelVersion, computedAt, factors, lang } = props;
  const { raises, lowers, neutral } = splitFactors(factors);
  return (
    <Stack gap="sm" data-testid={testId} data-method={method}>
      <Group gap="md" align="center" wrap="wrap">
        <Text fz={36} fw={700} lh={1} c={probabilityColor(value)} data-testid={`${testId}-value`}>
          {formatProbability(value, lang)}
        </Text>
        <Stack gap={2}>
          <Group gap={6}>
            <Badge
              variant={method === 'model' ? 'filled' : 'outline'}
              color={method === 'model' ? 'indigo' : 'gray'}
            >
              {t(`${ns}.method_${method}`)}
            </Badge>
            <Text fz="xs" c="dimmed">
              {modelVersion !== null
                ? t('predict.modelVersion', { version: modelVersion })
                : t('predict.noModel')}
            </Text>
          </Group>
          <Text fz="xs" c="dimmed">
            {t(`${ns}.hint_${method}`)}
            {computedAt ? ` · ${t('predict.computedAt', { at: formatDateTime(computedAt, lang) })}` : ''}
          </Text>
        </Stack>
      </Group>
      <Progress value={value * 100} color={probabilityColor(value)} aria-hidden />
      {factors.length === 0 ? (
        <Text fz="sm" c="dimmed">
          {t('predict.noFactors')}
        </Text>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <FactorList title={t(`${ns}.raises`)} rows={raises} color="green" />
          <FactorList title={t(`${ns}.lowers`)} rows={lowers} color="red" />
          <FactorList title={t('predict.context')} rows={neutral} color="gray" />
        </SimpleGrid>
      )}
    </Stack>
  );
}

type BuyingStage = ApiResponse<'/accounts/{id}/buying-stage'>;

/**
 * One checked rule in the user's language, from the rule, whether it fired and its numbers (the
 * `params` the server sends, else the page counts): never the server's English `detail`.
 */
export function evidenceDetail(
  t: TFunction,
  e: BuyingStage['evidence'][number] & { params?: Record<string, number | string> },
  stage: Pick<BuyingStage, 'counts' | 'window_days' | 'events_considered'>,
): string {
  const p = e.params ?? {};
  const num = (k: string, fallback: number) => (typeof p[k] === 'number' ? (p[k] as number) : fallback);
  const days = num('days', stage.window_days);
  const pricing = num('pricing', stage.counts.pricing ?? 0);
  const apiDocs = num('api_docs', stage.counts.api_docs ?? 0);
  const minutes = Math.round(num('threshold_seconds', 240) / 60);
  switch (e.rule) {
    case 'value_tradeoff':
      if (!e.fired) return t('predict.evidenceDetail.value_tradeoff_no', { minutes });
      return typeof p.dwell_seconds === 'number'
        ? t('predict.evidenceDetail.value_tradeoff_yes', {
            dwell: Math.max(1, Math.round(p.dwell_seconds / 60)),
            later: num('minutes_later', 0),
          })
        : t('predict.evidenceDetail.value_tradeoff_yes_plain', { minutes });
    case 'commercial_evaluation':
      return t('predict.evidenceDetail.commercial_evaluation', { days, pricing, apiDocs });
    case 'technical_evaluation':
      return t('predict.evidenceDetail.technical_evaluation', { days, pricing, apiDocs });
    case 'exploring':
      return t('predict.evidenceDetail.exploring', { days, count: num('views', stage.events_considered) });
    default:
      return '';
  }
}

/** Account page: inferred buying stage with the rules that were checked. */
export function BuyingStagePanel({ accountId }: { accountId: string }) {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: queryKeys.accounts.buyingStage(accountId),
    queryFn: () => request('get', '/accounts/{id}/buying-stage', { path: { id: accountId } }),
  });
  return (
    <Section title={t('predict.buyingStage')}>
      {q.isPending ? (
        <Loading h={80} />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : (
        <Stack gap="xs" data-testid="buying-stage" data-stage={q.data.stage}>
          <Group gap="xs">
            <Badge
              size="lg"
              variant={q.data.stage === 'unknown' ? 'outline' : 'filled'}
              color={q.data.stage === 'unknown' ? 'gray' : 'teal'}
            >
              {t(`predict.stage.${q.data.stage}`, { defaultValue: q.data.label })}
            </Badge>
            <Text fz="xs" c="dimmed">
              {t('predict.eventsConsidered', { count: q.data.events_considered, days: q.data.window_days })}
            </Text>
          </Group>
          <Group gap={4}>
            {Object.entries(q.data.counts).map(([k, n]) => (
              <Badge key={k} variant="light" color={n > 0 ? 'indigo' : 'gray'} size="sm">
                {t(`predict.page.${k}`, { defaultValue: k })}: {n}
              </Badge>
            ))}
          </Group>
          {q.data.evidence.length === 0 ? (
            <Empty />
          ) : (
            <Stack
              gap={4}
              component="ul"
              style={{ listStyle: 'none', padding: 0, margin: 0 }}
              aria-label={t('predict.evidence')}
            >
              {q.data.evidence.map((e) => (
                <Group key={e.rule} component="li" gap={6} wrap="nowrap" align="flex-start">
                  <Badge
                    size="xs"
                    color={e.fired ? 'teal' : 'gray'}
                    variant={e.fired ? 'filled' : 'outline'}
                    style={{ flexShrink: 0 }}
                    mt={2}
                  >
                    {e.fired ? t('predict.fired') : t('predict.notFired')}
                  </Badge>
                  <Text fz="xs">
                    <b>{t(`predict.rule.${e.rule}`, { defaultValue: e.rule })}</b>
                    <Text span c="dimmed" fz="xs">{` · ${evidenceDetail(t, e, q.data)}`}</Text>
                  </Text>
                </Group>
              ))}
            </Stack>
          )}
        </Stack>
      )}
    </Section>
  );
}
