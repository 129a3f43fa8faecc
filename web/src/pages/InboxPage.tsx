import { Button, Group, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useAuth } from '../auth/auth';
import { InterventionCard } from '../components/Intervention';
import { Empty, ErrorState, Loading } from '../components/States';
import { nameMap, useAccountNames, useUsers } from '../lib/hooks';
import { sortInbox } from '../lib/signals';
import { DismissModal } from './inbox/DismissModal';
import { BreakerNotice, InboxHeader } from './inbox/InboxHeader';
import { useInbox, useInboxActions } from './inbox/useInbox';

export default function InboxPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? 'open';
  // managers and admins look after a team: their inbox opens on everyone's
  const canSeeAll = can('interventions:sign_off');
  const owner = canSeeAll ? (params.get('owner') ?? 'any') : 'me';
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    next.set(k, v);
    setParams(next, { replace: true });
  };
  const accounts = useAccountNames().data;
  const users = nameMap(useUsers().data);
  const { live, inbox, heldToday, fresh } = useInbox(status, owner);
  const actions = useInboxActions();
  const { accept, setDismissing } = actions;

  const breaker = inbox.data?.circuit_breaker;
  const held = heldToday.data?.data.length ?? 0;
  const rows = sortInbox(inbox.data?.data ?? []);

  return (
    <Stack gap="md">
      <InboxHeader
        live={live}
        isError={inbox.isError}
        isFetching={inbox.isFetching}
        status={status}
        owner={owner}
        canSeeAll={canSeeAll}
        set={set}
      />
      <BreakerNotice held={held} breaker={breaker} />

      {inbox.isPending ? (
        <Loading />
      ) : inbox.isError && !inbox.data ? (
        <ErrorState error={inbox.error} onRetry={() => inbox.refetch()} />
      ) : rows.length === 0 ? (
        <Stack gap="xs" align="center" data-testid="inbox-empty">
          <Empty
            text={
              !canSeeAll
                ? t('inbox.empty')
                : owner === 'any'
                  ? t('inbox.emptyEveryone')
                  : t('inbox.emptyMine')
            }
          />
          {canSeeAll && (
            <Button variant="light" size="xs" onClick={() => set('owner', owner === 'any' ? 'me' : 'any')}>
              {owner === 'any' ? t('inbox.showMine') : t('inbox.showEveryone')}
            </Button>
          )}
        </Stack>
      ) : (
        <Stack gap="sm" data-testid="inbox" aria-live="polite">
          {rows.map((i) => (
            <InterventionCard
              key={i.id}
              item={i}
              isNew={fresh.has(i.id)}
              accountName={accounts?.get(i.account_id)}
              ownerName={i.owner_id ? users.get(i.owner_id) : undefined}
              actions={
                i.status === 'open' && can('interventions:act') ? (
                  <Group gap="xs">
                    <Button
                      size="xs"
                      onClick={() => accept.mutate(i.id)}
                      loading={accept.isPending && accept.variables === i.id}
                      data-testid="accept"
                    >
                      {t('inbox.accept')}
                    </Button>
                    <Button
                      size="xs"
                      variant="default"
                      onClick={() => setDismissing(i)}
                      data-testid="dismiss"
                    >
                      {t('inbox.dismiss')}
                    </Button>
                  </Group>
                ) : undefined
              }
            />
          ))}
        </Stack>
      )}

      <DismissModal actions={actions} />
    </Stack>
  );
}
