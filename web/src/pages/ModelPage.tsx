import {
  Alert,
  Badge,
  Button,
  Grid,
  Group,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/auth';
import { Chart } from '../components/Chart';
import { Empty, ErrorState, Loading } from '../components/States';
import { Section } from '../components/Timeline';
import { request } from '../lib/api';
import { formatDateTime, formatNumber } from '../lib/format';
import { useLang } from '../lib/hooks';
import { modelFeatureLabel } from '../lib/labels';
import {
  MODEL_KINDS,
  type ModelKind,
  metric,
  type PredictModel,
  reliabilityOption,
  type TrainResult,
  trainPath,
} from '../lib/predict';
import { queryKeys } from '../lib/query-keys';

export default function ModelPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const { can } = useAuth();
  const qc = useQueryClient();
  const [kind, setKindState] = useState<ModelKind>(() =>
    new URLSearchParams(window.location.search).get('kind') === 'lead_score'
      ? 'lead_score'
      : 'win_probability',
  );
  const [selected, setSelected] = useState<string | null>(null);
  const setKind = (k: ModelKind) => {
    setKindState(k);
    setSelected(null);
  };
  const models = useQuery({
    queryKey: queryKeys.predict.models(kind),
    queryFn: () =>
      request('get', '/predict/models', { query: { kind } }).then((r) => r.data as PredictModel[]),
  });
  const id = selected ?? models.data?.[0]?.id ?? null;
  const detail = useQuery({
    queryKey: queryKeys.predict.model(id),
    queryFn: () => request('get', '/predict/models/{id}', { path: { id: id! } }) as Promise<PredictModel>,
    enabled: !!id,
  });
  const train = useMutation({
    mutationFn: (): Promise<TrainResult> => request('post', trainPath(kind)),
    onSuccess: (r) => {
      notifications.show({
        color: 'green',
        message: t(kind === 'lead_score' ? 'model.trainedLead' : 'model.trained', {
          version: r.version,
          status: t(`model.status_${r.status}`, { defaultValue: r.status }),
          scored: r.scored,
        }),
      });
      setSelected(r.model_id);
      void qc.invalidateQueries({ queryKey: queryKeys.predict.all });
      void qc.invalidateQueries({ queryKey: queryKeys.forecast.all });
    },
    onError: (e) =>
      notifications.show({ color: 'red', message: e instanceof Error ? e.message : t('common.error') }),
  });

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap">
        <Group gap="md" wrap="wrap">
          <Title order={1} fz="h2">
            {t(kind === 'lead_score' ? 'model.titleLead' : 'model.title')}
          </Title>
          <SegmentedControl
            size="xs"
            value={kind}
            onChange={(v) => setKind(v as ModelKind)}
            data={MODEL_KINDS.map((k) => ({ value: k, label: t(`model.kind_${k}`) }))}
            aria-label={t('model.kind')}
            data-testid="model-kind"
          />
        </Group>
        {can('predict:manage') && (
          <Button onClick={() => train.mutate()} loading={train.isPending} data-testid="retrain">
            {t('model.retrain')}
          </Button>
        )}
      </Group>
      {train.isPending && (
        <Alert color="indigo" variant="light" aria-live="polite">
          {t(kind === 'lead_score' ? 'model.trainingLead' : 'model.training')}
        </Alert>
      )}
      {models.isPending ? (
        <Loading />
      ) : models.isError ? (
        <ErrorState error={models.error} onRetry={() => models.refetch()} />
      ) : models.data.length === 0 ? (
        <Empty text={t(kind === 'lead_score' ? 'model.noModelsLead' : 'model.noModels')} />
      ) : (
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, md: 5 }}>
            <Section title={t('model.versions')}>
              <div className="zs-table-wrap">
                <Table highlightOnHover data-testid="model-versions">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('model.version')}</Table.Th>
                      <Table.Th>{t('model.status')}</Table.Th>
                      <Table.Th ta="right">AUC</Table.Th>
                      <Table.Th ta="right">Brier</Table.Th>
                      <Table.Th className="zs-hide-mobile">{t('model.trainedAt')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {models.data.map((m) => (
                      <Table.Tr
                        key={m.id}
                        bg={m.id === id ? 'var(--mantine-color-indigo-light)' : undefined}
                        onClick={() => setSelected(m.id)}
                        style={{ cursor: 'pointer' }}
                      >
                        <Table.Td>
                          <Button
                            variant="subtle"
                            size="compact-sm"
                            onClick={() => setSelected(m.id)}
                            aria-pressed={m.id === id}
                          >
                            v{m.version}
                          </Button>
                        </Table.Td>
                        <Table.Td>
                          <Badge
                            size="sm"
                            variant="light"
                            color={
                              m.status === 'active' ? 'green' : m.status === 'fallback' ? 'orange' : 'gray'
                            }
                          >
                            {t(`model.status_${m.status}`, { defaultValue: m.status })}
                          </Badge>
                        </Table.Td>
                        <Table.Td ta="right">{metric(m.metrics.auc, lang)}</Table.Td>
                        <Table.Td ta="right">{metric(m.metrics.brier, lang)}</Table.Td>
                        <Table.Td className="zs-hide-mobile">{formatDateTime(m.trained_at, lang)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </div>
            </Section>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 7 }}>
            {detail.isPending ? (
              <Loading />
            ) : detail.isError ? (
              <ErrorState error={detail.error} onRetry={() => detail.refetch()} />
            ) : (
              <ModelDetail m={detail.data} />
            )}
          </Grid.Col>
        </Grid>
      )}
    </Stack>
  );
}

/**
 * Why a version is not used, in the user's language, from the reason code the server stores with
 * it; a version trained before the codes existed shows a generic sentence, never the English note.
 */
function modelNote(t: TFunction, m: PredictModel): string {
  const reason = m.metrics.note_reason;
  const ns = m.kind === 'lead_score' ? 'modelInfo.noteLead' : 'modelInfo.noteWin';
  const code = reason?.code ?? 'did_not_beat_base_rate';
  if (!reason) return t(m.kind === 'lead_score' ? 'model.losesLead' : 'model.loses');
  return t(`${ns}.${code}`, {
    count: reason.count ?? 0,
    need: reason.need ?? 0,
    logloss: reason.logloss ?? '—',
    base: reason.base_logloss ?? '—',
    defaultValue: t(m.kind === 'lead_score' ? 'model.losesLead' : 'model.loses'),
  });
}

function ModelDetail({ m }: { m: PredictModel }) {
  const { t } = useTranslation();
  const lang = useLang();
  const b = m.metrics.baseline ?? {};
  const rows: {
    key: string;
    model: number | null | undefined;
    base: number | null | undefined;
    higherBetter: boolean;
  }[] = [
    { key: 'auc', model: m.metrics.auc, base: b.logistic_auc ?? 0.5, higherBetter: true },
    { key: 'brier', model: m.metrics.brier, base: b.prior_brier, higherBetter: false },
    { key: 'logloss', model: m.metrics.logloss, base: b.prior_logloss, higherBetter: false },
    { key: 'ece', model: m.metrics.ece, base: null, higherBetter: false },
  ];
  const option = useMemo(
    () =>
      reliabilityOption(m.metrics.reliability ?? [], {
        predicted: t('model.predicted'),
        observed: t('model.observed'),
        perfect: t('model.perfect'),
      }),
    [m, t],
  );
  const beats = m.status === 'active' && m.method === 'model';
  return (
    <Stack gap="md">
      <Section title={`${t('model.metricsVsBaseline')} · v${m.version}`}>
        <Group gap="xs">
          <Badge color={beats ? 'green' : 'orange'} variant="light">
            {beats ? t('model.beats') : t(m.kind === 'lead_score' ? 'model.losesLead' : 'model.loses')}
          </Badge>
          <Text fz="xs" c="dimmed">
            {t('model.rows')}: {formatNumber(m.train_rows, lang)} / {formatNumber(m.test_rows, lang)}
            {m.metrics.model
              ? ` · ${t(`modelInfo.algo.${m.metrics.model}`, { defaultValue: m.metrics.model })}`
              : ''}
            {m.metrics.calibration
              ? ` · ${t(`modelInfo.calib.${m.metrics.calibration}`, { defaultValue: m.metrics.calibration })}`
              : ''}
          </Text>
        </Group>
        {m.note && (
          <Text fz="sm" c="dimmed" data-testid="model-note">
            {modelNote(t, m)}
          </Text>
        )}
        <div className="zs-table-wrap">
          <Table data-testid="model-metrics">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('model.metric')}</Table.Th>
                <Table.Th ta="right">{t('model.model')}</Table.Th>
                <Table.Th ta="right">{t('model.baseline')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => {
                const better =
                  r.model !== null && r.model !== undefined && r.base !== null && r.base !== undefined
                    ? r.higherBetter
                      ? r.model > r.base
                      : r.model < r.base
                    : null;
                return (
                  <Table.Tr key={r.key}>
                    <Table.Td>{t(`model.${r.key}`)}</Table.Td>
                    <Table.Td ta="right" c={better === null ? undefined : better ? 'green' : 'red'} fw={600}>
                      {metric(r.model, lang)}
                      {better === null ? '' : better ? ' ▲' : ' ▼'}
                    </Table.Td>
                    <Table.Td ta="right">{metric(r.base, lang)}</Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </div>
      </Section>
      <Section title={t('model.calibration')}>
        {(m.metrics.reliability ?? []).some((b) => b.count > 0) ? (
          <Chart option={option} height={280} label={t('model.calibrationChart')} />
        ) : (
          <Empty text={t('model.noReliability')} />
        )}
      </Section>
      {(m.metrics.top_features ?? []).length > 0 && (
        <Section title={t('model.topFeatures')}>
          <Stack gap={4}>
            {(m.metrics.top_features ?? []).slice(0, 10).map((f) => (
              <Group key={f.column} justify="space-between" wrap="nowrap">
                <Text fz="sm" truncate>
                  {modelFeatureLabel(t, f.column)}
                </Text>
                <Text fz="xs" ff="monospace" c="dimmed">
                  {formatNumber(f.importance * 100, lang, 1)}%
                </Text>
              </Group>
            ))}
          </Stack>
        </Section>
      )}
    </Stack>
  );
}
