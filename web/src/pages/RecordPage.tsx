import { Anchor, Badge, Button, Grid, Group, Modal, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { useAuth } from '../auth/auth';
import { WithLineage } from '../components/Lineage';
import { LeadScorePanel, WinProbabilityPanel } from '../components/Predict';
import { RecordForm } from '../components/RecordForm';
import { ReadOnlyBadge, ShareButton } from '../components/ShareDrawer';
import { ErrorState, Loading } from '../components/States';
import { RecordTimeline, Section } from '../components/Timeline';
import { api } from '../lib/api';
import { type Entity, FORM_FIELDS, SINGULAR } from '../lib/fields';
import { formatDate, formatDateTime, formatMoney, formatNumber, formatPercent } from '../lib/format';
import {
  fieldLabel,
  nameMap,
  stageLabel,
  useAccountNames,
  useCustomFields,
  useLang,
  usePipelines,
  useRegions,
  useTeams,
  useUsers,
} from '../lib/hooks';
import { queryKeys } from '../lib/query-keys';
import { isReadOnly, isShareable } from '../lib/sharing';
import type { LineageItem } from '../lib/types';

const WITH_HISTORY = new Set(['contacts', 'opportunities', 'accounts']);

export default function RecordPage({ entity }: { entity: Entity }) {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const lang = useLang();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { can } = useAuth();
  const [editOpen, edit] = useDisclosure(false);
  const rec = useQuery({
    queryKey: queryKeys.records.one(entity, id),
    queryFn: () => api<Record<string, any>>(`/${entity}/${id}`),
  });
  const lineage = useQuery({
    queryKey: queryKeys.records.lineage(entity, id),
    queryFn: () =>
      api<{ data: LineageItem[] }>(`/${entity}/${id}/lineage`).then(
        (r) => new Map(r.data.map((l) => [l.field, l])),
      ),
    enabled: WITH_HISTORY.has(entity),
  });
  const users = nameMap(useUsers().data);
  const regions = nameMap(useRegions().data);
  const teams = nameMap(useTeams().data);
  const accounts = useAccountNames().data;
  const pipelines = usePipelines().data;
  const cfs = useCustomFields(entity).data ?? [];

  if (rec.isPending) return <Loading />;
  if (rec.isError) return <ErrorState error={rec.error} onRetry={() => rec.refetch()} />;
  const r = rec.data;
  const title = (r.name ?? r.subject) as string;
  const readOnly = isReadOnly(r);

  function display(name: string): ReactNode {
    const v = r[name];
    if (v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) return null;
    switch (name) {
      case 'owner_id':
        return users.get(v) ?? v;
      case 'region_id':
        return regions.get(v) ?? v;
      case 'team_id':
        return teams.get(v) ?? v;
      case 'account_id':
        return (
          <Anchor component={Link} to={`/accounts/${v}`}>
            {accounts?.get(v) ?? t('entities.account')}
          </Anchor>
        );
      case 'opportunity_id':
        return (
          <Anchor component={Link} to={`/opportunities/${v}`}>
            {t('entities.opportunity')}
          </Anchor>
        );
      case 'pipeline_id':
        return pipelines?.find((p) => p.id === v)?.name ?? v;
      case 'stage':
        return stageLabel(
          pipelines?.find((p) => p.id === r.pipeline_id)?.stages.find((s) => s.key === v),
          lang,
          v,
        );
      case 'amount':
        return formatMoney(v, r.currency, lang);
      case 'probability':
        return formatPercent(v, lang);
      case 'expected_close_date':
        return formatDate(v, lang);
      case 'occurred_at':
        return formatDateTime(v, lang);
      case 'committee_role':
        return t(`committee.${v}`);
      case 'stance':
        return t(`stance.${v}`);
      case 'type':
        return t(`activityType.${v}`);
      case 'status':
        return entity === 'activities' ? t(`activityStatus.${v}`) : t(`oppStatus.${v}`);
      default:
        if (Array.isArray(v)) return v.join(', ');
        if (typeof v === 'number') return formatNumber(v, lang, 2);
        return String(v);
    }
  }

  async function remove() {
    if (!window.confirm(t('common.confirmDelete'))) return;
    try {
      await api(`/${entity}/${id}`, { method: 'DELETE' });
      notifications.show({ message: t('common.deleted') });
      void qc.invalidateQueries({ queryKey: queryKeys.records.lists(entity) });
      navigate(`/${entity}`);
    } catch (e) {
      notifications.show({ color: 'red', message: e instanceof Error ? e.message : t('common.error') });
    }
  }

  const fields = FORM_FIELDS[entity].map((d) => d.name).filter((n) => n !== 'name' && n !== 'subject');
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <div>
          <Text fz="sm" c="dimmed">
            <Anchor component={Link} to={`/${entity}`}>
              {t(`nav.${entity}`)}
            </Anchor>
          </Text>
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
      <Grid>
        <Grid.Col span={{ base: 12, md: WITH_HISTORY.has(entity) ? 7 : 12 }}>
          <Stack gap="md">
            {entity === 'opportunities' && can('predict:read') && <WinProbabilityPanel id={id} />}
            {entity === 'contacts' && can('predict:read') && <LeadScorePanel id={id} />}
            <Section title={t('common.details')}>
              <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
                {fields.map((f) => {
                  const v = display(f);
                  return (
                    <div key={f}>
                      <Text fz="xs" c="dimmed">
                        {t(`fields.${f}`)}
                      </Text>
                      <Text fz="sm" component="div">
                        {v === null ? '—' : <WithLineage item={lineage.data?.get(f)}>{v}</WithLineage>}
                      </Text>
                    </div>
                  );
                })}
                {cfs.map((cf) => {
                  const v = r.custom?.[cf.key];
                  return (
                    <div key={cf.key}>
                      <Text fz="xs" c="dimmed">
                        {fieldLabel(cf, lang)}
                      </Text>
                      <Text fz="sm">
                        {v === undefined || v === null ? '—' : Array.isArray(v) ? v.join(', ') : String(v)}
                      </Text>
                    </div>
                  );
                })}
              </SimpleGrid>
            </Section>
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
