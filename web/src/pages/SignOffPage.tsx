import { Alert, Button, Group, Radio, Stack, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { InterventionCard } from '../components/Intervention';
import { Empty, ErrorState, Loading } from '../components/States';
import { request } from '../lib/api';
import { nameMap, useAccountNames, useUsers } from '../lib/hooks';
import { queryKeys } from '../lib/query-keys';
import { INBOX_POLL_MS, type Intervention } from '../lib/signals';

export default function SignOffPage() {
  const { t } = useTranslation();
  const accounts = useAccountNames().data;
  const users = nameMap(useUsers().data);
  const q = useQuery({
    queryKey: queryKeys.interventions.signOffQueue,
    queryFn: () =>
      request('get', '/interventions/sign-off-queue', { query: { limit: 200 } }).then(
        (r) => r.data as Intervention[],
      ),
    refetchInterval: INBOX_POLL_MS * 2,
  });
  return (
    <Stack gap="md">
      <Title order={1} fz="h2">
        {t('signoff.title')}
      </Title>
      <Alert color="indigo" variant="light">
        {t('signoff.intro')}
      </Alert>
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : q.data.length === 0 ? (
        <Empty text={t('signoff.empty')} />
      ) : (
        <Stack gap="sm" data-testid="sign-off-queue">
          {q.data.map((i) => (
            <Stack key={i.id} gap={0}>
              <InterventionCard
                item={i}
                accountName={accounts?.get(i.account_id)}
                ownerName={i.owner_id ? users.get(i.owner_id) : undefined}
              />
              <SignOffForm id={i.id} />
            </Stack>
          ))}
        </Stack>
      )}
    </Stack>
  );
}

function SignOffForm({ id }: { id: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [decision, setDecision] = useState<'approved' | 'rejected'>('approved');
  const [basis, setBasis] = useState('');
  const m = useMutation({
    mutationFn: () =>
      request('post', '/interventions/{id}/sign-off', {
        path: { id },
        body: { decision, basis: basis.trim() },
      }),
    onSuccess: () => {
      notifications.show({ color: 'green', message: t('signoff.done') });
      void qc.invalidateQueries({ queryKey: queryKeys.interventions.all });
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (basis.trim().length >= 10) m.mutate();
      }}
      style={{
        border: '1px solid var(--mantine-color-gray-3)',
        borderTop: 0,
        borderRadius: '0 0 8px 8px',
        padding: 12,
        background: 'var(--mantine-color-gray-0)',
      }}
      data-testid="sign-off-form"
    >
      <Stack gap="xs">
        <Radio.Group
          label={t('signoff.decision')}
          value={decision}
          onChange={(v) => setDecision(v as 'approved' | 'rejected')}
          name={`decision-${id}`}
        >
          <Group gap="md" mt={4}>
            <Radio value="approved" label={t('signoff.approve')} />
            <Radio value="rejected" label={t('signoff.reject')} />
          </Group>
        </Radio.Group>
        <Textarea
          label={t('signoff.basis')}
          description={t('signoff.basisHint')}
          value={basis}
          onChange={(e) => setBasis(e.currentTarget.value)}
          autosize
          minRows={2}
          required
          name="basis"
          error={m.error instanceof Error ? m.error.message : undefined}
        />
        <Group justify="flex-end">
          <Button
            type="submit"
            disabled={basis.trim().length < 10}
            loading={m.isPending}
            color={decision === 'rejected' ? 'red' : undefined}
          >
            {t('signoff.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
