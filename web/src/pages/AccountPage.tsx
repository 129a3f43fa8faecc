import {
  Alert,
  Anchor,
  Badge,
  Button,
  Grid,
  Group,
  Modal,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useAuth } from '../auth/auth';
import { WithLineage } from '../components/Lineage';
import { BuyingStagePanel, ProbBadge } from '../components/Predict';
import { RecordForm } from '../components/RecordForm';
import { ReadOnlyBadge, ShareButton } from '../components/ShareDrawer';
import { Empty, ErrorState, Loading } from '../components/States';
import { RecordTimeline, Section } from '../components/Timeline';
import { fetchRows, request } from '../lib/api';
import { groupCommittee } from '../lib/committee';
import { formatDate, formatMoney, formatNumber } from '../lib/format';
import {
  fieldLabel,
  nameMap,
  stageLabel,
  useCustomFields,
  useLang,
  usePipelines,
  useRegions,
  useUsers,
} from '../lib/hooks';
import { usePredictionMap } from '../lib/predict';
import { queryKeys } from '../lib/query-keys';
import { isReadOnly } from '../lib/sharing';
import type { Opportunity } from '../lib/types';

export default function AccountPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const lang = useLang();
  const { can } = useAuth();
  const [editOpen, edit] = useDisclosure(false);
  const [addOpen, setAddOpen] = useState<null | 'contacts' | 'opportunities'>(null);
  const account = useQuery({
    queryKey: queryKeys.records.one('accounts', id),
    queryFn: () => request('get', '/accounts/{id}', { path: { id: id! } }),
  });
  const lineage = useQuery({
    queryKey: queryKeys.records.lineage('accounts', id),
    queryFn: () =>
      request('get', '/accounts/{id}/lineage', { path: { id: id! } }).then(
        (r) => new Map(r.data.map((l) => [l.field, l])),
      ),
  });
  const contacts = useQuery({
    queryKey: queryKeys.contacts.byAccount(id),
    queryFn: () => fetchRows('/contacts', { account_id: id }, 1000),
  });
  const opps = useQuery({
    queryKey: queryKeys.opportunities.byAccount(id),
    queryFn: () => fetchRows('/opportunities', { account_id: id, status: 'open', sort: '-amount' }, 500),
  });
  const users = useUsers();
  const predictions = usePredictionMap();
  const regions = useRegions();
  const pipelines = usePipelines();
  const cfs = useCustomFields('accounts');
  const userNames = nameMap(users.data);
  const committee = useMemo(() => groupCommittee(contacts.data ?? []), [contacts.data]);

  if (account.isPending) return <Loading />;
  if (account.isError) return <ErrorState error={account.error} onRetry={() => account.refetch()} />;
  const a = account.data;
  const readOnly = isReadOnly(a);
  const L = (field: string, node: ReactNode) => (
    <WithLineage item={lineage.data?.get(field)}>{node}</WithLineage>
  );
  const fact = (field: string, value: ReactNode) => (
    <div key={field}>
      <Text fz="xs" c="dimmed">
        {t(`fields.${field}`)}
      </Text>
      <Text fz="sm" component="div">
        {value === null || value === undefined || value === '' ? '—' : L(field, value)}
      </Text>
    </div>
  );
  const stageName = (o: Opportunity) =>
    stageLabel(
      pipelines.data?.find((p) => p.id === o.pipeline_id)?.stages.find((s) => s.key === o.stage),
      lang,
      o.stage,
    );

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <div>
          <Text fz="sm" c="dimmed">
            <Anchor component={Link} to="/accounts">
              {t('nav.accounts')}
            </Anchor>
          </Text>
          <Title order={1} fz="h2" data-testid="account-name">
            {L('name', a.name)}
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
          {!readOnly && <Button onClick={edit.open}>{t('common.edit')}</Button>}
        </Group>
      </Group>

      <Section title={t('account.facts')}>
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
          {fact(
            'credit_code',
            a.credit_code && (
              <Text span ff="monospace" fz="sm">
                {a.credit_code}
              </Text>
            ),
          )}
          {fact('industry', a.industry)}
          {fact('region_id', a.region_id ? regions.data?.find((r) => r.id === a.region_id)?.name : null)}
          {fact('owner_id', a.owner_id ? userNames.get(a.owner_id) : null)}
          {fact('employees', a.employees !== null ? formatNumber(a.employees, lang) : null)}
          {fact('size', a.size)}
          {fact('domains', a.domains.join(', '))}
          {fact('website', a.website)}
          {fact('phone', a.phone)}
          {fact('address', a.address)}
          {(cfs.data ?? []).map((cf) => {
            const v = a.custom?.[cf.key];
            return (
              <div key={cf.key}>
                <Text fz="xs" c="dimmed">
                  {fieldLabel(cf, lang)}
                </Text>
                <Text fz="sm" component="div">
                  {v === undefined || v === null || v === ''
                    ? '—'
                    : L(
                        'custom',
                        Array.isArray(v)
                          ? v.join(', ')
                          : typeof v === 'boolean'
                            ? v
                              ? t('common.yes')
                              : t('common.no')
                            : String(v),
                      )}
                </Text>
              </div>
            );
          })}
        </SimpleGrid>
        {a.description && (
          <Text fz="sm" c="dimmed">
            {L('description', a.description)}
          </Text>
        )}
      </Section>

      <Grid gutter="md">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="md">
            <Section title={t('account.committee')}>
              {contacts.isPending ? (
                <Loading h={80} />
              ) : contacts.isError ? (
                <ErrorState error={contacts.error} onRetry={() => contacts.refetch()} />
              ) : (
                <>
                  {committee.missing.length > 0 ? (
                    <Alert color="orange" data-testid="committee-gaps">
                      {t('account.missingRoles', {
                        roles: committee.missing
                          .map((r) => t(`committee.${r}`))
                          .join(lang === 'en' ? ', ' : '、'),
                      })}
                    </Alert>
                  ) : (
                    <Alert color="green">{t('account.committeeComplete')}</Alert>
                  )}
                  {committee.groups.length === 0 && <Empty text={t('account.noContacts')} />}
                  <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
                    {committee.groups.map((g) => (
                      <div key={g.role}>
                        <Badge variant="light" mb={4}>
                          {t(`committee.${g.role}`, { defaultValue: g.role })}
                        </Badge>
                        <Stack gap={2}>
                          {g.contacts.map((c) => (
                            <Text key={c.id} fz="sm">
                              <Anchor component={Link} to={`/contacts/${c.id}`}>
                                {c.name}
                              </Anchor>
                              {c.title ? <Text span c="dimmed" fz="xs">{` · ${c.title}`}</Text> : null}
                              {c.stance ? (
                                <Badge
                                  ml={6}
                                  size="xs"
                                  variant="dot"
                                  color={
                                    c.stance === 'champion' || c.stance === 'supporter'
                                      ? 'green'
                                      : c.stance === 'blocker' || c.stance === 'skeptic'
                                        ? 'red'
                                        : 'gray'
                                  }
                                >
                                  {t(`stance.${c.stance}`)}
                                </Badge>
                              ) : null}
                            </Text>
                          ))}
                        </Stack>
                      </div>
                    ))}
                  </SimpleGrid>
                  {committee.missing.length > 0 && (
                    <Group gap={4}>
                      {committee.missing.map((r) => (
                        <Badge key={r} color="orange" variant="outline" size="sm">
                          {t('account.missing')}: {t(`committee.${r}`)}
                        </Badge>
                      ))}
                    </Group>
                  )}
                </>
              )}
            </Section>
            <Section title={t('account.openOpps')}>
              {opps.isPending ? (
                <Loading h={80} />
              ) : opps.isError ? (
                <ErrorState error={opps.error} />
              ) : opps.data.length === 0 ? (
                <Empty text={t('account.noOpps')} />
              ) : (
                <div className="zs-table-wrap">
                  <Table>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('fields.name')}</Table.Th>
                        <Table.Th>{t('fields.stage')}</Table.Th>
                        <Table.Th ta="right">{t('fields.amount')}</Table.Th>
                        <Table.Th>{t('predict.column')}</Table.Th>
                        <Table.Th className="zs-hide-mobile">{t('fields.expected_close_date')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {opps.data.map((o) => (
                        <Table.Tr key={o.id}>
                          <Table.Td>
                            <Anchor component={Link} to={`/opportunities/${o.id}`} fz="sm">
                              {o.name}
                            </Anchor>
                          </Table.Td>
                          <Table.Td>
                            <Badge variant="light">{stageName(o)}</Badge>
                          </Table.Td>
                          <Table.Td ta="right">{formatMoney(o.amount, o.currency, lang)}</Table.Td>
                          <Table.Td>
                            <ProbBadge
                              p={predictions.data?.get(o.id)?.probability}
                              method={predictions.data?.get(o.id)?.method}
                            />
                          </Table.Td>
                          <Table.Td className="zs-hide-mobile">
                            {formatDate(o.expected_close_date, lang)}
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </div>
              )}
            </Section>
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
