import { Badge, Button, Grid, Group, Modal, Stack, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { useAuth } from '../auth/auth';
import { BackLink } from '../components/Fact';
import { BuyingStagePanel } from '../components/Predict';
import { RecordForm } from '../components/RecordForm';
import { ReadOnlyBadge, ShareButton } from '../components/ShareDrawer';
import { Loading } from '../components/States';
import { RecordTimeline, Section } from '../components/Timeline';
import { isReadOnly } from '../lib/sharing';
import { AccountFacts, withLineage } from './account/AccountFacts';
import { CommitteeSection } from './account/CommitteeSection';
import { OpenOppsSection } from './account/OpenOppsSection';
import { useAccountData } from './account/useAccountData';
import { MergeButton } from './merge/MergeDialog';
import { RecentMerges, RecordError } from './merge/MergeHistory';

export default function AccountPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { can } = useAuth();
  const [editOpen, edit] = useDisclosure(false);
  const [addOpen, setAddOpen] = useState<null | 'contacts' | 'opportunities'>(null);
  const data = useAccountData(id);
  const { account, lineage, contacts, opps } = data;

  if (account.isPending) return <Loading />;
  if (account.isError)
    return <RecordError entity="accounts" error={account.error} onRetry={() => account.refetch()} />;
  const a = account.data;
  const readOnly = isReadOnly(a);

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <div>
          <BackLink to="/accounts">{t('nav.accounts')}</BackLink>
          <Title order={1} fz="h2" data-testid="account-name">
            {withLineage(lineage.data, 'name', a.name)}
          </Title>
          <Group gap={6} mt={4}>
            {readOnly && <ReadOnlyBadge />}
            {a.industry && <Badge variant="light">{a.industry}</Badge>}
            {a.tags.map((tag) => (
              <Badge key={tag} variant="outline" color="gray">
                {tag}
              </Badge>
            ))}
          </Group>
        </div>
        <Group gap="xs">
          <Button variant="default" onClick={() => setAddOpen('contacts')}>
            {t('account.addContact')}
          </Button>
          <Button variant="default" onClick={() => setAddOpen('opportunities')}>
            {t('account.addOpportunity')}
          </Button>
          <ShareButton entity="accounts" id={id} name={a.name} />
          <MergeButton entity="accounts" record={a} />
          {!readOnly && <Button onClick={edit.open}>{t('common.edit')}</Button>}
        </Group>
      </Group>

      <RecentMerges entity="accounts" id={id} />

      <AccountFacts a={a} lineage={lineage.data} data={data} />

      <Grid gutter="md">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="md">
            <CommitteeSection contacts={contacts} />
            <OpenOppsSection data={data} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="md">
            {can('predict:read') && <BuyingStagePanel accountId={id} />}
            <Section title={t('account.timeline')}>
              <RecordTimeline entity="accounts" id={id} />
            </Section>
          </Stack>
        </Grid.Col>
      </Grid>

      <Modal
        opened={editOpen && !readOnly}
        onClose={edit.close}
        title={`${t('common.edit')} · ${a.name}`}
        size="xl"
      >
        <RecordForm
          entity="accounts"
          record={a as unknown as Record<string, unknown>}
          onCancel={edit.close}
          onSaved={() => {
            edit.close();
            void account.refetch();
            void lineage.refetch();
          }}
        />
      </Modal>
      <Modal
        opened={addOpen !== null}
        onClose={() => setAddOpen(null)}
        title={addOpen === 'contacts' ? t('account.addContact') : t('account.addOpportunity')}
        size="xl"
      >
        {addOpen && (
          <RecordForm
            entity={addOpen}
            defaults={{ account_id: id }}
            initialLabels={{ account_id: a.name }}
            onCancel={() => setAddOpen(null)}
            onSaved={() => {
              setAddOpen(null);
              void contacts.refetch();
              void opps.refetch();
            }}
          />
        )}
      </Modal>
    </Stack>
  );
}
