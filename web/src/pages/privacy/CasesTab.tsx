import { Anchor, Button, Card, Group, Paper, Select, Stack, Switch, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useAuth } from '../../auth/auth';
import { Empty, ErrorState, Loading } from '../../components/States';
import { api } from '../../lib/api';
import { formatDate } from '../../lib/format';
import { useLang } from '../../lib/hooks';
import { CalendarSettingsDrawer } from './cases/CalendarSettings';
import {
  CASE_KINDS,
  CASE_STATES,
  type CasePage,
  ClockBadge,
  caseKeys,
  formatDay,
  type PrivacyCase,
  StateBadge,
} from './cases/cases-lib';
import { OpenCaseDialog } from './cases/OpenCaseDialog';

const PAGE_SIZE = 25;

/** Privacy → Requests: the staff queue of privacy cases, most urgent first, with the open-on-behalf dialog. */
export function CasesTab() {
  const { t } = useTranslation();
  const lang = useLang();
  const { can } = useAuth();
  const phone = useMediaQuery('(max-width: 48em)');
  const [state, setState] = useState<string>('open');
  const [kind, setKind] = useState<string | null>(null);
  const [assignee, setAssignee] = useState<string | null>(null);
  const [overdue, setOverdue] = useState(false);
  const [page, setPage] = useState(1);
  const [dialog, setDialog] = useState(false);
  const [calendar, setCalendar] = useState(false);
  const query = {
    state: state === 'all' ? undefined : state,
    kind,
    assignee,
    overdue: overdue || undefined,
    page,
    page_size: PAGE_SIZE,
  };
  const cases = useQuery({
    queryKey: caseKeys.list(query),
    queryFn: () =>
      api<CasePage>('/privacy/cases', { query: { ...query, overdue: overdue ? 'true' : undefined } }),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
  const assignees = useQuery({
    queryKey: caseKeys.assignees,
    queryFn: () =>
      api<{ data: { id: string; name: string }[] }>('/privacy/cases/assignees').then((r) => r.data),
    staleTime: 5 * 60_000,
  });
  const manage = can('privacy:manage');
  const filtered = state !== 'open' || kind !== null || assignee !== null || overdue;
  const change =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setPage(1);
    };

  return (
    <Stack data-testid="privacy-cases">
      <Text fz="sm" c="dimmed">
        {t('privacy.casesIntro')}
      </Text>
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <Group gap="sm" wrap="wrap" align="flex-end">
          <Select
            label={t('privacy.filterState')}
            value={state}
            onChange={(v) => change(setState)(v ?? 'open')}
            allowDeselect={false}
            data={[
              { value: 'open', label: t('privacy.anyState') },
              { value: 'all', label: t('privacy.allStates') },
              { value: 'closed', label: t('privacy.closedStates') },
              ...CASE_STATES.map((s) => ({ value: s, label: t(`privacy.state_${s}`) })),
            ]}
            w={phone ? '100%' : 170}
            data-testid="cases-filter-state"
          />
          <Select
            label={t('privacy.filterKind')}
            value={kind}
            onChange={change(setKind)}
            clearable
            placeholder={t('privacy.anyKind')}
            data={CASE_KINDS.map((k) => ({ value: k, label: t(`privacy.kind_${k}`) }))}
            w={phone ? '100%' : 160}
            data-testid="cases-filter-kind"
          />
          <Select
            label={t('privacy.filterAssignee')}
            value={assignee}
            onChange={change(setAssignee)}
            clearable
            placeholder={t('privacy.anyAssignee')}
            data={[
              { value: 'me', label: t('privacy.assigneeMe') },
              { value: 'none', label: t('privacy.assigneeNone') },
              ...(assignees.data ?? []).map((u) => ({ value: u.id, label: u.name })),
            ]}
            w={phone ? '100%' : 160}
          />
          <Switch
            label={t('privacy.filterOverdue')}
            checked={overdue}
            onChange={(e) => change(setOverdue)(e.currentTarget.checked)}
            mb={6}
            data-testid="cases-filter-overdue"
          />
        </Group>
        {manage && (
          <Group gap="xs" w={phone ? '100%' : undefined} grow={phone}>
            <Button variant="default" onClick={() => setCalendar(true)} data-testid="calendar-settings-open">
              {t('privacy.calButton')}
            </Button>
            <Button onClick={() => setDialog(true)} data-testid="open-case">
              {t('privacy.openOnBehalf')}
            </Button>
          </Group>
        )}
      </Group>

      {cases.isPending ? (
        <Loading />
      ) : cases.isError ? (
        <ErrorState error={cases.error} onRetry={() => cases.refetch()} />
      ) : cases.data.data.length === 0 ? (
        <Empty text={filtered ? t('privacy.empty') : t('privacy.emptyAll')} />
      ) : (
        <>
          {phone ? (
            <Stack gap="xs" data-testid="cases-list">
              {cases.data.data.map((c) => (
                <CaseCard key={c.id} c={c} />
              ))}
            </Stack>
          ) : (
            <Paper withBorder className="zs-table-wrap">
              <Table highlightOnHover data-testid="cases-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('privacy.colPerson')}</Table.Th>
                    <Table.Th>{t('privacy.colKind')}</Table.Th>
                    <Table.Th>{t('privacy.colState')}</Table.Th>
                    <Table.Th>{t('privacy.colDue')}</Table.Th>
                    <Table.Th>{t('privacy.colAssignee')}</Table.Th>
                    <Table.Th>{t('privacy.colReceived')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {cases.data.data.map((c) => (
                    <Table.Tr key={c.id} data-testid="case-row">
                      <Table.Td>
                        <Anchor component={Link} to={`/privacy/cases/${c.id}`} fw={500}>
                          <PersonName c={c} />
                        </Anchor>
                        {c.contact?.account_name && (
                          <Text fz="xs" c="dimmed">
                            {c.contact.account_name}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Text fz="sm">{t(`privacy.kind_${c.kind}`)}</Text>
                        <Text fz="xs" c="dimmed">
                          {t(`privacy.regime_${c.regime}`)} · {t(`privacy.channel_${c.channel}`)}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <StateBadge state={c.state} />
                      </Table.Td>
                      <Table.Td>
                        <Stack gap={2} align="flex-start">
                          <ClockBadge clock={c.clock} lang={lang} />
                          <Text fz="xs" c="dimmed">
                            {formatDay(c.clock.due_date, lang)}
                          </Text>
                        </Stack>
                      </Table.Td>
                      <Table.Td>
                        <Text fz="sm" c={c.assignee_name ? undefined : 'dimmed'}>
                          {c.assignee_name ?? t('privacy.unassigned')}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text fz="sm">{formatDate(c.received_at, lang)}</Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Paper>
          )}
          <Pager page={cases.data.page} total={cases.data.total} onPage={setPage} />
        </>
      )}
      <OpenCaseDialog opened={dialog} onClose={() => setDialog(false)} />
      {manage && <CalendarSettingsDrawer opened={calendar} onClose={() => setCalendar(false)} />}
    </Stack>
  );
}

function PersonName({ c }: { c: PrivacyCase }) {
  const { t } = useTranslation();
  if (!c.contact?.exists) return <>{t('privacy.erasedContact')}</>;
  if (!c.contact.readable) return <>{t('privacy.hiddenContact')}</>;
  return <>{c.contact.name}</>;
}

/** One case as a card (phones: the table does not fit 390 px). */
function CaseCard({ c }: { c: PrivacyCase }) {
  const { t } = useTranslation();
  const lang = useLang();
  return (
    <Card withBorder padding="sm" component={Link} to={`/privacy/cases/${c.id}`} data-testid="case-row">
      <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Text fw={600} truncate>
            <PersonName c={c} />
          </Text>
          <Text fz="sm">
            {t(`privacy.kind_${c.kind}`)} · {t(`privacy.regime_${c.regime}`)}
          </Text>
        </Stack>
        <StateBadge state={c.state} />
      </Group>
      <Group justify="space-between" mt="xs" wrap="wrap" gap="xs">
        <ClockBadge clock={c.clock} lang={lang} />
        <Text fz="xs" c="dimmed">
          {formatDay(c.clock.due_date, lang)} · {c.assignee_name ?? t('privacy.unassigned')}
        </Text>
      </Group>
    </Card>
  );
}

function Pager({ page, total, onPage }: { page: number; total: number; onPage: (p: number) => void }) {
  const { t } = useTranslation();
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return (
    <Group justify="space-between" wrap="wrap">
      <Text fz="sm" c="dimmed">
        {t('privacy.pageOf', { page, pages, total })}
      </Text>
      {pages > 1 && (
        <Group gap="xs">
          <Button variant="default" size="xs" disabled={page <= 1} onClick={() => onPage(page - 1)}>
            {t('privacy.prev')}
          </Button>
          <Button variant="default" size="xs" disabled={page >= pages} onClick={() => onPage(page + 1)}>
            {t('privacy.next')}
          </Button>
        </Group>
      )}
    </Group>
  );
}
