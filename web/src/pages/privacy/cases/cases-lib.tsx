import { Badge, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { ApiResponse, ApiRow } from '../../../lib/api-types';
import type { Lang } from '../../../lib/format';

/** The privacy case shapes of /api/v1/privacy/cases (see sovereignty-cases.routes.ts). */
export const CASE_KINDS = [
  'access',
  'rectification',
  'erasure',
  'restriction',
  'portability',
  'withdrawal',
  'objection',
] as const;
export type CaseKind = (typeof CASE_KINDS)[number];
export const CASE_CHANNELS = ['portal', 'phone', 'letter', 'email', 'staff'] as const;
export type CaseChannel = (typeof CASE_CHANNELS)[number];
export const STAFF_CHANNELS: CaseChannel[] = ['phone', 'letter', 'email', 'staff'];
export const CASE_STATES = [
  'received',
  'verifying',
  'in_progress',
  'waiting_on_requester',
  'completed',
  'rejected',
  'withdrawn',
] as const;
export type CaseState = (typeof CASE_STATES)[number];
export type Regime = 'gdpr' | 'pipl';
export const RECTIFIABLE_FIELDS = ['name', 'name_en', 'emails', 'phones', 'title', 'department'] as const;

/** The shapes of the privacy case routes, from the server's OpenAPI document. */
export type CasePage = ApiResponse<'/privacy/cases'>;
export type PrivacyCase = ApiRow<'/privacy/cases'>;
export type CaseClock = PrivacyCase['clock'];
export type CaseDetail = ApiResponse<'/privacy/cases/{id}'>;
export type CaseHistoryEntry = CaseDetail['history'][number];

export interface CaseSettings {
  default_regime: Regime;
  pipl_working_days: number;
}

export const caseKeys = {
  all: ['privacy-cases'] as const,
  list: (q: Record<string, unknown>) => ['privacy-cases', 'list', q] as const,
  one: (id: string) => ['privacy-cases', 'one', id] as const,
  assignees: ['privacy-cases', 'assignees'] as const,
  settings: ['privacy-cases', 'settings'] as const,
};

/** A YYYY-MM-DD day as people write it (no time-zone shift: the day is the calendar's). */
export function formatDay(day: string, lang: Lang): string {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return day;
  if (lang === 'zh-CN') return `${y}年${m}月${d}日`;
  return new Intl.DateTimeFormat('en', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

const CLOCK_COLOURS: Record<CaseClock['status'], string> = {
  running: 'teal',
  due_soon: 'orange',
  due_today: 'red',
  overdue: 'red',
  paused: 'gray',
  stopped: 'gray',
};

/** The clock in words: "还剩 3 个工作日", "已逾期 1 天", "今天到期", "已暂停…". */
export function useClockText() {
  const { t } = useTranslation();
  return (clock: CaseClock): string => {
    switch (clock.status) {
      case 'overdue':
        return clock.overdue_days === 1
          ? t('privacy.clockOverdueOne')
          : t('privacy.clockOverdue', { count: clock.overdue_days });
      case 'due_today':
        return t('privacy.clockDueToday');
      case 'paused':
        return t('privacy.clockPaused');
      case 'stopped':
        return clock.closed_on_time ? t('privacy.clockOnTime') : t('privacy.clockLate');
      default:
        if (clock.unit === 'working_days') {
          const n = clock.remaining_working_days ?? 0;
          return n === 1
            ? t('privacy.clockWorkingDaysLeftOne')
            : t('privacy.clockWorkingDaysLeft', { count: n });
        }
        return clock.remaining_days === 1
          ? t('privacy.clockDaysLeftOne')
          : t('privacy.clockDaysLeft', { count: clock.remaining_days ?? 0 });
    }
  };
}

/** The coloured clock badge of a case (with the due day as its tooltip). */
export function ClockBadge({
  clock,
  lang,
  size = 'md',
}: {
  clock: CaseClock;
  lang: Lang;
  size?: 'sm' | 'md' | 'lg';
}) {
  const { t } = useTranslation();
  const text = useClockText()(clock);
  return (
    <Tooltip label={t('privacy.dueOn', { date: formatDay(clock.due_date, lang) })}>
      <Badge
        color={CLOCK_COLOURS[clock.status]}
        variant={clock.status === 'running' ? 'light' : 'filled'}
        size={size}
        data-testid="case-clock"
        data-status={clock.status}
        style={{ textTransform: 'none' }}
      >
        {text}
      </Badge>
    </Tooltip>
  );
}

const STATE_COLOURS: Record<CaseState, string> = {
  received: 'blue',
  verifying: 'indigo',
  in_progress: 'cyan',
  waiting_on_requester: 'yellow',
  completed: 'green',
  rejected: 'red',
  withdrawn: 'gray',
};

export function StateBadge({ state }: { state: CaseState }) {
  const { t } = useTranslation();
  return (
    <Badge
      color={STATE_COLOURS[state]}
      variant="light"
      style={{ textTransform: 'none' }}
      data-testid="case-state"
    >
      {t(`privacy.state_${state}`)}
    </Badge>
  );
}

export const OPEN_STATES: CaseState[] = ['received', 'verifying', 'in_progress', 'waiting_on_requester'];
