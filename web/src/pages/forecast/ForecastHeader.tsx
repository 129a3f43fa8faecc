import { Button, Group, SegmentedControl, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../auth/auth';
import { useNotifyError } from '../../components/notify';
import { request } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { useLang } from '../../lib/hooks';
import { queryKeys } from '../../lib/query-keys';
import type { GroupBy, PeriodKind } from './ForecastTable';

type ForecastMeta = { as_of: string; method: string; model_version: number | null };

/** The title with the forecast's basis, the period / grouping switches, and the quota and snapshot buttons. */
export function ForecastHeader({
  data,
  period,
  groupBy,
  onPeriod,
  onGroupBy,
  onQuotas,
}: {
  data: ForecastMeta | undefined;
  period: PeriodKind;
  groupBy: GroupBy;
  onPeriod: (v: string) => void;
  onGroupBy: (v: string) => void;
  onQuotas: () => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const { can } = useAuth();
  const qc = useQueryClient();
  const notifyError = useNotifyError();
  const snapshot = useMutation({
    mutationFn: () => request('post', '/forecast/snapshots', { body: { period } }),
    onSuccess: (r) => {
      notifications.show({ color: 'green', message: t('forecast.snapshotSaved', { period: r.period }) });
      void qc.invalidateQueries({ queryKey: queryKeys.forecastAccuracy.all });
    },
    onError: notifyError,
  });
  return (
    <Group justify="space-between" align="flex-end" wrap="wrap">
      <div>
        <Title order={1} fz="h2">
          {t('forecast.title')}
        </Title>
        {data && (
          <Text fz="xs" c="dimmed">
            {t('forecast.asOf', { at: formatDateTime(data.as_of, lang) })} ·{' '}
            {data.method === 'model' && data.model_version !== null
              ? t('forecast.basis_model', { version: data.model_version })
              : t('forecast.basis_stage')}
          </Text>
        )}
      </div>
      <Group gap="sm" wrap="wrap">
        <SegmentedControl
          aria-label={t('forecast.period')}
          value={period}
          onChange={onPeriod}
          data={[
            { value: 'month', label: t('forecast.month') },
            { value: 'quarter', label: t('forecast.quarter') },
          ]}
        />
        <SegmentedControl
          aria-label={t('forecast.groupBy')}
          value={groupBy}
          onChange={onGroupBy}
          data={[
            { value: 'rep', label: t('forecast.rep') },
            { value: 'team', label: t('forecast.team') },
            { value: 'region', label: t('forecast.region') },
          ]}
        />
        {can('quotas:write') && (
          <Button variant="default" onClick={onQuotas} data-testid="set-quotas">
            {t('quotas.open')}
          </Button>
        )}
        {can('predict:manage') && (
          <Button
            variant="default"
            loading={snapshot.isPending}
            onClick={() => snapshot.mutate()}
            data-testid="save-snapshot"
          >
            {t('forecast.saveSnapshot')}
          </Button>
        )}
      </Group>
    </Group>
  );
}
