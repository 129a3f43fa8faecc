import {
  Alert,
  Anchor,
  Button,
  Grid,
  Group,
  Modal,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  Timeline,
  Title,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useAuth } from '../../auth/auth';
import { BackLink, Fact } from '../../components/Fact';
import { useNotifyError } from '../../components/notify';
import { ErrorState, Loading } from '../../components/States';
import { api } from '../../lib/api';
import { formatDateTime, type Lang } from '../../lib/format';
import { useLang } from '../../lib/hooks';
import { ApiError } from '../../lib/problem';
import {
  type CaseDetail,
  type CaseHistoryEntry,
  type CaseState,
  ClockBadge,
  caseKeys,
  formatDay,
  OPEN_STATES,
  StateBadge,
} from './cases/cases-lib';

/** An action on the case: where it posts and what it asks for first. */
interface Action {
  key: string;
  label: string;
  color?: string;
  variant?: 'filled' | 'light' | 'default';
  path: string;
  /** The text asked for (required when `required`), sent as `field`. */
  prompt?: string;
  required?: boolean;
  field?: 'reason' | 'message';
  body?: Record<string, unknown>;
  months?: boolean;
}

/** /privacy/cases/:id — one privacy case: its clock, facts, the actions its state allows, its history. */
export default function CasePage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const lang = useLang();
  const qc = useQueryClient();
  const { can } = useAuth();
  const notifyError = useNotifyError();
  const phone = useMediaQuery('(max-width: 36em)');
  const manage = can('privacy:manage');
  const [action, setAction] = useState<Action | null>(null);
  const [text, setText] = useState('');
  const [months, setMonths] = useState('2');
  const [formError, setFormError] = useState<string | null>(null);
  const [comment, setComment] = useState('');

  const c = useQuery({ queryKey: caseKeys.one(id), queryFn: () => api<CaseDetail>(`/privacy/cases/${id}`) });
  const assignees = useQuery({
    queryKey: caseKeys.assignees,
    queryFn: () =>
      api<{ data: { id: string; name: string }[] }>('/privacy/cases/assignees').then((r) => r.data),
    staleTime: 5 * 60_000,
    enabled: manage,
  });
  const done = (fresh: CaseDetail) => {
    qc.setQueryData(caseKeys.one(id), fresh);
    void qc.invalidateQueries({ queryKey: caseKeys.all });
  };
  const run = useMutation({
    mutationFn: (a: Action) =>
      api<CaseDetail>(`/privacy/cases/${id}/${a.path}`, {
        method: 'POST',
        body: {
          ...(a.body ?? {}),
          ...(a.field && text.trim() ? { [a.field]: text.trim() } : {}),
          ...(a.months ? { months: Number(months) } : {}),
        },
      }),
    onSuccess: (fresh) => {
      done(fresh);
      setAction(null);
      setText('');
      setFormError(null);
      notifications.show({ color: 'green', message: t('privacy.done') });
    },
    onError: (e) => {
      const reasons = e instanceof ApiError ? (e.problem.errors ?? []).map((x) => x.reason) : [];
      setFormError([e instanceof Error ? e.message : String(e), ...reasons].join(' — '));
    },
  });
  const assign = useMutation({
    mutationFn: (assigneeId: string | null) =>
      api<CaseDetail>(`/privacy/cases/${id}/assign`, { method: 'POST', body: { assignee_id: assigneeId } }),
    onSuccess: done,
    onError: notifyError,
  });
  const note = useMutation({
    mutationFn: () =>
      api<CaseDetail>(`/privacy/cases/${id}/comment`, { method: 'POST', body: { message: comment } }),
    onSuccess: (fresh) => {
      done(fresh);
      setComment('');
    },
    onError: notifyError,
  });

  if (c.isPending) return <Loading />;
  if (c.isError) return <ErrorState error={c.error} onRetry={() => c.refetch()} />;
  const k = c.data;
  const open = OPEN_STATES.includes(k.state);
  const person = !k.contact?.exists
    ? t('privacy.erasedContact')
    : k.contact.readable
      ? (k.contact.name ?? '')
      : t('privacy.hiddenContact');
  const actions = manage ? actionsOf(k, t) : [];
  const correction = k.kind === 'rectification' && typeof k.payload.field === 'string' ? k.payload : null;

  const startAction = (a: Action) => {
    setText('');
    setFormError(null);
    setAction(a);
  };

  return (
    <Stack data-testid="privacy-case">
      <BackLink to="/privacy/cases">← {t('privacy.backToQueue')}</BackLink>
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <Stack gap={4}>
          <Title order={1} fz="h2">
            {t('privacy.caseTitle', { kind: t(`privacy.kind_${k.kind}`), person })}
          </Title>
          <Group gap="xs">
            <StateBadge state={k.state} />
            {k.contact?.readable && (
              <Anchor component={Link} to={`/contacts/${k.contact_id}`} fz="sm">
                {k.contact.account_name ? `${person} · ${k.contact.account_name}` : person}
              </Anchor>
            )}
          </Group>
        </Stack>
      </Group>

      <Grid>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack>
            <ClockPanel c={k} lang={lang} />
            <Paper withBorder p="md">
              <Stack gap="sm">
                <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
                  <Fact label={t('privacy.factChannel')}>{t(`privacy.channel_${k.channel}`)}</Fact>
                  <Fact label={t('privacy.factRegime')}>{t(`privacy.regime_${k.regime}`)}</Fact>
                  <Fact label={t('privacy.factReceived')}>{formatDateTime(k.received_at, lang)}</Fact>
                  <Fact label={t('privacy.factIdentity')}>
                    {k.identity_verified ? t('privacy.identityVerified') : t('privacy.identityNotVerified')}
                  </Fact>
                </SimpleGrid>
                {k.details && (
                  <Fact label={t('privacy.factDetails')}>
                    <Text fz="sm" style={{ whiteSpace: 'pre-wrap' }}>
                      {k.details}
                    </Text>
                  </Fact>
                )}
                {correction && (
                  <Fact label={t('privacy.factCorrection')}>
                    <Text fz="sm" data-testid="case-correction">
                      {t(`privacy.field_${String(correction.field)}`, {
                        defaultValue: String(correction.field),
                      })}{' '}
                      →{' '}
                      {Array.isArray(correction.value)
                        ? correction.value.join('、')
                        : String(correction.value ?? '—')}
                    </Text>
                  </Fact>
                )}
                {k.extension_months > 0 && (
                  <Text fz="sm">
                    {t('privacy.factExtension', {
                      months: k.extension_months,
                      reason: k.extension_reason ?? '',
                    })}
                  </Text>
                )}
                {k.resolution && (
                  <Fact label={t('privacy.factResolution')}>
                    <Text fz="sm">
                      {k.resolution === 'erased' ? t('privacy.resolutionErased') : k.resolution}
                    </Text>
                  </Fact>
                )}
                {k.proof_report_id && <Fact label={t('privacy.factProof')}>{k.proof_report_id}</Fact>}
              </Stack>
            </Paper>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Paper withBorder p="md">
            <Stack gap="sm">
              <Title order={2} fz="h4">
                {t('privacy.actions')}
              </Title>
              {!manage && (
                <Text fz="sm" c="dimmed">
                  {t('privacy.readOnly')}
                </Text>
              )}
              {manage && open && (
                <Select
                  label={t('privacy.assignTo')}
                  value={k.assignee_id}
                  clearable
                  placeholder={t('privacy.unassigned')}
                  data={(assignees.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
                  onChange={(v) => assign.mutate(v)}
                  disabled={assign.isPending}
                  data-testid="case-assignee"
                />
              )}
              {!manage && (
                <Fact label={t('privacy.assignTo')}>{k.assignee_name ?? t('privacy.unassigned')}</Fact>
              )}
              {actions.length > 0 && (
                <Group gap="xs" data-testid="case-actions">
                  {actions.map((a) => (
                    <Button
                      key={a.key}
                      size="sm"
                      color={a.color}
                      variant={a.variant ?? 'light'}
                      onClick={() => startAction(a)}
                      fullWidth={phone}
                      data-testid={`case-action-${a.key}`}
                    >
                      {a.label}
                    </Button>
                  ))}
                </Group>
              )}
              {manage && (
                <Stack gap={4}>
                  <Textarea
                    label={t('privacy.addComment')}
                    value={comment}
                    onChange={(e) => setComment(e.currentTarget.value)}
                    autosize
                    minRows={2}
                    maxLength={5000}
                  />
                  <Group justify="flex-end">
                    <Button
                      size="xs"
                      variant="default"
                      disabled={!comment.trim()}
                      loading={note.isPending}
                      onClick={() => note.mutate()}
                    >
                      {t('privacy.save')}
                    </Button>
                  </Group>
                </Stack>
              )}
            </Stack>
          </Paper>
        </Grid.Col>
      </Grid>

      <Paper withBorder p="md">
        <Title order={2} fz="h4" mb="sm">
          {t('privacy.history')}
        </Title>
        <History entries={k.history} lang={lang} />
      </Paper>

      <Modal
        opened={action !== null}
        onClose={() => setAction(null)}
        title={action?.label}
        fullScreen={phone}
        data-testid="case-action-dialog"
      >
        {action && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              run.mutate(action);
            }}
          >
            <Stack gap="sm">
              {formError && (
                <Alert color="red" role="alert">
                  {formError}
                </Alert>
              )}
              {action.months && (
                <SegmentedControl
                  value={months}
                  onChange={setMonths}
                  data={[
                    { value: '1', label: t('privacy.months1') },
                    { value: '2', label: t('privacy.months2') },
                  ]}
                />
              )}
              {action.field ? (
                <Textarea
                  label={action.prompt}
                  value={text}
                  onChange={(e) => setText(e.currentTarget.value)}
                  required={action.required}
                  autosize
                  minRows={3}
                  maxLength={2000}
                  data-autofocus
                  data-testid="case-action-text"
                />
              ) : (
                action.prompt && <Text fz="sm">{action.prompt}</Text>
              )}
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setAction(null)}>
                  {t('privacy.cancel')}
                </Button>
                <Button
                  type="submit"
                  color={action.color}
                  loading={run.isPending}
                  disabled={action.required && !text.trim()}
                  data-testid="case-action-confirm"
                >
                  {t('privacy.confirm')}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
    </Stack>
  );
}

type T = (key: string, opts?: Record<string, unknown>) => string;

/** The actions a case's state allows (privacy managers only). */
function actionsOf(k: CaseDetail, t: T): Action[] {
  const can = (s: CaseState) => k.next_states.includes(s);
  const to = (state: CaseState) => ({ path: 'transition', body: { to: state } });
  const out: Action[] = [];
  if (k.state === 'received' && can('verifying'))
    out.push({ key: 'verify', label: t('privacy.actStartVerifying'), ...to('verifying'), variant: 'filled' });
  if ((k.state === 'received' || k.state === 'verifying') && can('in_progress'))
    out.push({ key: 'verified', label: t('privacy.actVerified'), ...to('in_progress'), variant: 'filled' });
  if (k.state === 'waiting_on_requester')
    out.push({
      key: 'reply',
      label: t('privacy.actReply'),
      path: 'reply-received',
      field: 'message',
      prompt: t('privacy.promptReply'),
      required: false,
      variant: 'filled',
    });
  if (k.state === 'in_progress') {
    if (k.kind === 'erasure')
      out.push({
        key: 'erase',
        label: t('privacy.actErase'),
        path: 'erase',
        color: 'red',
        variant: 'filled',
        prompt: t('privacy.promptErase'),
      });
    else if (k.kind === 'rectification' && typeof k.payload.field === 'string') {
      out.push({
        key: 'approve',
        label: t('privacy.actApprove'),
        path: 'rectification',
        body: { decision: 'approve' },
        prompt: t('privacy.promptApprove'),
        variant: 'filled',
      });
      out.push({
        key: 'reject-correction',
        label: t('privacy.actRejectCorrection'),
        path: 'rectification',
        body: { decision: 'reject' },
        field: 'reason',
        required: true,
        prompt: t('privacy.promptRejectCorrection'),
      });
    } else
      out.push({
        key: 'complete',
        label: t('privacy.actComplete'),
        ...to('completed'),
        field: 'reason',
        prompt: t('privacy.promptComplete'),
        color: 'green',
        variant: 'filled',
      });
  }
  if (can('waiting_on_requester'))
    out.push({
      key: 'wait',
      label: t('privacy.actWait'),
      ...to('waiting_on_requester'),
      field: 'message',
      required: true,
      prompt: t('privacy.promptWait'),
    });
  if (k.can_extend)
    out.push({
      key: 'extend',
      label: t('privacy.actExtend'),
      path: 'extend',
      field: 'reason',
      required: true,
      months: true,
      prompt: t('privacy.promptExtend'),
    });
  if (can('rejected'))
    out.push({
      key: 'reject',
      label: t('privacy.actReject'),
      ...to('rejected'),
      field: 'reason',
      required: true,
      prompt: t('privacy.promptReject'),
      color: 'red',
    });
  if (can('withdrawn'))
    out.push({
      key: 'withdraw',
      label: t('privacy.actWithdraw'),
      ...to('withdrawn'),
      field: 'reason',
      prompt: t('privacy.promptWithdraw'),
      color: 'gray',
    });
  return out;
}

function ClockPanel({ c, lang }: { c: CaseDetail; lang: Lang }) {
  const { t } = useTranslation();
  const clock = c.clock;
  const period =
    'working_days' in clock.period
      ? t('privacy.clockPeriodPipl', { days: clock.period.working_days })
      : t('privacy.clockPeriodGdpr', { months: clock.period.months });
  const paused =
    clock.paused_working_minutes !== null
      ? formatMinutes(clock.paused_working_minutes, t)
      : formatMinutes(Math.round(clock.paused_ms / 60_000), t, true);
  return (
    <Paper withBorder p="md" data-testid="case-clock-panel">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Stack gap={2}>
          <Text fz="xs" c="dimmed" tt="uppercase">
            {t('privacy.clockTitle')}
          </Text>
          <Text fz="xl" fw={700} data-testid="case-due-date">
            {formatDay(clock.due_date, lang)}
          </Text>
          <Text fz="xs" c="dimmed">
            {period}
          </Text>
        </Stack>
        <ClockBadge clock={clock} lang={lang} size="lg" />
      </Group>
      {clock.holidays_unknown_years.length > 0 && (
        <Alert color="yellow" mt="xs" data-testid="case-holidays-unknown">
          {t('privacy.clockHolidaysUnknown', {
            years: clock.holidays_unknown_years.join(lang === 'en' ? ', ' : '、'),
          })}
        </Alert>
      )}
      {(clock.paused_ms > 0 || clock.paused_since) && (
        <Text fz="sm" mt="xs" c="dimmed">
          {clock.paused_since
            ? t('privacy.clockPausedSince', { date: formatDateTime(clock.paused_since, lang) })
            : t('privacy.clockPausedFor', { time: paused })}
        </Text>
      )}
    </Paper>
  );
}

function formatMinutes(total: number, t: T, calendar = false): string {
  if (calendar && total >= 24 * 60) return t('privacy.daysShort', { count: Math.round(total / (24 * 60)) });
  if (total >= 60) return t('privacy.hours', { count: Math.round(total / 6) / 10 });
  return t('privacy.minutes', { count: Math.max(0, Math.round(total)) });
}

function History({ entries, lang }: { entries: CaseHistoryEntry[]; lang: Lang }) {
  const { t } = useTranslation();
  return (
    <Timeline bulletSize={14} lineWidth={2} data-testid="case-history">
      {[...entries].reverse().map((h) => (
        <Timeline.Item key={h.id} title={historyTitle(h, t)}>
          {historyLine(h, t) && (
            <Text fz="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {historyLine(h, t)}
            </Text>
          )}
          <Text fz="xs" c="dimmed">
            {formatDateTime(h.at, lang)} ·{' '}
            {t('privacy.hBy', {
              name:
                h.actor_type === 'system'
                  ? t('privacy.system')
                  : h.actor_type === 'customer'
                    ? `${h.actor_name ?? ''}（${t('privacy.customer')}）`
                    : (h.actor_name ?? ''),
            })}
          </Text>
        </Timeline.Item>
      ))}
    </Timeline>
  );
}

function historyTitle(h: CaseHistoryEntry, t: T): string {
  const base = t(`privacy.h_${h.kind}`, { defaultValue: h.kind });
  if ((h.kind === 'state' || h.kind === 'reply' || h.kind === 'erasure') && h.from_state && h.to_state)
    return `${base}：${t(`privacy.state_${h.from_state}`)} → ${t(`privacy.state_${h.to_state}`)}`;
  return base;
}

function historyLine(h: CaseHistoryEntry, t: T): string | null {
  if (h.kind === 'warning') {
    const to = Array.isArray(h.data.mailed_to) ? h.data.mailed_to.join(', ') : '';
    if (!h.data.mailed) return t('privacy.hNotMailed');
    const level = h.data.level === 'overdue' ? 'Overdue' : h.data.level === 'today' ? 'Today' : 'Soon';
    return t(`privacy.hWarning${level}`, { to });
  }
  if (h.kind === 'assigned') {
    if (!h.data.assignee_id) return t('privacy.hUnassigned');
    return t('privacy.hAssignedTo', { name: String(h.data.assignee_name ?? h.data.assignee_id) });
  }
  if (h.data.identity_verified_by === 'portal_sign_in') return t('privacy.hVerifiedByPortal');
  if (h.data.identity_verified_by === 'staff') return t('privacy.hVerifiedByStaff');
  return h.message;
}
