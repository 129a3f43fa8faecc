import { Badge, Button, Grid, Group, Modal, Stack, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { useAuth } from '../auth/auth';
import { BackLink } from '../components/Fact';
import { WithLineage } from '../components/Lineage';
import { useNotifyError } from '../components/notify';
import { LeadScorePanel, WinProbabilityPanel } from '../components/Predict';
import { RecordForm } from '../components/RecordForm';
import { ReadOnlyBadge, ShareButton } from '../components/ShareDrawer';
import { ErrorState, Loading } from '../components/States';
import { RecordTimeline, Section } from '../components/Timeline';
import { api } from '../lib/api';
import { type Entity, SINGULAR } from '../lib/fields';
import { useCustomFields } from '../lib/hooks';
import { queryKeys } from '../lib/query-keys';
import { isReadOnly, isShareable } from '../lib/sharing';
import type { LineageItem } from '../lib/types';
import { MergeButton } from './merge/MergeDialog';
import { RecentMerges, RecordError } from './merge/MergeHistory';
import { ContactConsentPanel } from './privacy/consent/ContactConsentPanel';
import { RecordDetails } from './record/RecordDetails';
import { type AnyRecord, useRecordDisplay } from './record/useRecordDisplay';

const WITH_HISTORY = new Set(['contacts', 'opportunities', 'accounts']);

export default function RecordPage({ entity }: { entity: Entity }) {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { can } = useAuth();
  const [editOpen, edit] = useDisclosure(false);
  const notifyError = useNotifyError();
  const rec = useQuery({
    queryKey: queryKeys.records.one(entity, id),
    queryFn: () => api<AnyRecord>(`/${entity}/${id}`),
  });
  const lineage = useQuery({
    queryKey: queryKeys.records.lineage(entity, id),
    queryFn: () =>
      api<{ data: LineageItem[] }>(`/${entity}/${id}/lineage`).then(
        (r) => new Map(r.data.map((l) => [l.field, l])),
      ),
    enabled: WITH_HISTORY.has(entity),
  });
  const { display: displayOf, accounts } = useRecordDisplay(entity);
  const cfs = useCustomFields(entity).data ?? [];

  if (rec.isPending) return <Loading />;
  if (rec.isError)
    return entity === 'contacts' ? (
      <RecordError entity={entity} error={rec.error} onRetry={() => rec.refetch()} />
    ) : (
      <ErrorState error={rec.error} onRetry={() => rec.refetch()} />
    );
  const r = rec.data;
  const title = (r.name ?? r.subject) as string;
  const readOnly = isReadOnly(r);
  const display = (name: string) => displayOf(r, name);

  async function remove() {
    if (!window.confirm(t('common.confirmDelete'))) return;
    try {
      await api(`/${entity}/${id}`, { method: 'DELETE' });
      notifications.show({ message: t('common.deleted') });
      void qc.invalidateQueries({ queryKey: queryKeys.records.lists(entity) });
      navigate(`/${entity}`);
    } catch (e) {
      notifyError(e);
    }
  }

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <div>
          <BackLink to={`/${entity}`}>{t(`nav.${entity}`)}</BackLink>
          <Title order={1} fz="h2" data-testid="record-title">
            <WithLineage item={lineage.data?.get(r.name ? 'name' : 'subject')}>{title}</WithLineage>
          </Title>
          <Group gap={6} mt={4}>
            {entity === 'opportunities' && (
              <Badge color={r.status === 'won' ? 'green' : r.status === 'lost' ? 'gray' : 'indigo'}>
                {display('stage')}
              </Badge>
            )}
            {readOnly && <ReadOnlyBadge />}
          </Group>
        </div>
        <Group gap="xs">
          {isShareable(entity) && <ShareButton entity={entity} id={id} name={title} />}
          {entity === 'contacts' && <MergeButton entity={entity} record={r as AnyRecord & { id: string }} />}
          {!readOnly && (
            <>
              <Button variant="default" color="red" onClick={remove}>
                {t('common.delete')}
              </Button>
              <Button onClick={edit.open}>{t('common.edit')}</Button>
            </>
          )}
        </Group>
      </Group>
      {entity === 'contacts' && <RecentMerges entity={entity} id={id} />}
      <Grid>
        <Grid.Col span={{ base: 12, md: WITH_HISTORY.has(entity) ? 7 : 12 }}>
          <Stack gap="md">
            {entity === 'opportunities' && can('predict:read') && <WinProbabilityPanel id={id} />}
            {entity === 'contacts' && can('predict:read') && <LeadScorePanel id={id} />}
            <RecordDetails entity={entity} r={r} display={display} lineage={lineage.data} cfs={cfs} />
            {entity === 'contacts' && <ContactConsentPanel contactId={id} />}
          </Stack>
        </Grid.Col>
        {WITH_HISTORY.has(entity) && (
          <Grid.Col span={{ base: 12, md: 5 }}>
            <Section title={t('account.timeline')}>
              <RecordTimeline entity={entity} id={id} />
            </Section>
          </Grid.Col>
        )}
      </Grid>
      <Modal
        opened={editOpen && !readOnly}
        onClose={edit.close}
        title={`${t('common.edit')} · ${t(`entities.${SINGULAR[entity]}`)}`}
        size="xl"
      >
        <RecordForm
          entity={entity}
          record={r}
          initialLabels={{ account_id: r.account_id ? accounts?.get(r.account_id) : undefined }}
          onCancel={edit.close}
          onSaved={() => {
            edit.close();
            void rec.refetch();
            void lineage.refetch();
          }}
        />
      </Modal>
    </Stack>
  );
}
