import { Alert, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/auth';
import { Empty, ErrorState, Loading } from '../components/States';
import { request } from '../lib/api';
import { queryKeys } from '../lib/query-keys';
import { OverrideModal, useSourceOverride } from './sources/OverrideModal';
import { SourceMatrix } from './sources/SourceMatrix';

export default function SourcesPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const q = useQuery({
    queryKey: queryKeys.signalSources.all,
    queryFn: () => request('get', '/signal-sources'),
  });
  const override = useSourceOverride();
  const rows = [...(q.data?.data ?? [])].sort((a, b) => b.score - a.score);
  return (
    <Stack gap="md">
      <Title order={1} fz="h2">
        {t('sources.title')}
      </Title>
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : rows.length === 0 ? (
        <Empty text={t('sources.empty')} />
      ) : (
        <>
          <SourceMatrix rows={rows} onOverride={can('signals:manage') ? override.open : undefined} />
          <Alert color="gray" variant="light" title={t('sources.formula')}>
            <Text fz="xs" data-testid="source-formula">
              {t('sources.formulaText')}
            </Text>
          </Alert>
        </>
      )}
      <OverrideModal o={override} />
    </Stack>
  );
}
