import { Badge, Text } from '@mantine/core';
import type { TFunction } from 'i18next';
import type { ReactNode } from 'react';
import { wholeBadge } from '../components/badges';
import { LeadBadge, ProbBadge } from '../components/Predict';
import { type Entity, type FieldDef, FORM_FIELDS, type ListQueryOf } from './fields';
import { formatDate, formatDateTime, formatMoney, formatPercent, type Lang } from './format';
import type { LeadScoreRow, PredictionRow } from './predict';
import type { Opportunity } from './types';

export interface Ctx {
  t: TFunction;
  lang: Lang;
  users: Map<string, string>;
  regions: Map<string, string>;
  teams: Map<string, string>;
  accounts: Map<string, string>;
  stageName: (pipelineId: string, key: string) => string;
  /** win probability per opportunity id (GET /predict/predictions) */
  predictions?: Map<string, PredictionRow>;
  /** lead score per contact id (GET /predict/lead-scores) */
  leadScores?: Map<string, LeadScoreRow>;
}

export interface Column {
  key: string;
  /** server sort key, if sortable */
  sort?: string;
  mobile?: boolean;
  render: (row: any, ctx: Ctx) => ReactNode;
}

export type FilterKind = 'text' | 'enum' | 'user' | 'region' | 'team' | 'number' | 'date' | 'stage';
export interface Filter {
  key: string;
  kind: FilterKind;
  labelKey: string;
  options?: readonly string[];
  optionsNs?: string;
}

const FILTER_KIND: Partial<Record<FieldDef['type'], FilterKind>> = {
  text: 'text',
  enum: 'enum',
  user: 'user',
  region: 'region',
  team: 'team',
  stage: 'stage',
  number: 'number',
  money: 'number',
  date: 'date',
};

type FilterKey<E extends Entity> = keyof ListQueryOf[E] & string;

/**
 * A list's filters, named as the list's query parameters are (from the generated API types). A
 * bare name filters by the entity's form field of that name, taking its kind, options and label
 * from the field definition; range and other filters that are not one field are written out.
 */
function filtersOf<E extends Entity>(
  entity: E,
  filters: (FilterKey<E> | (Filter & { key: FilterKey<E> }))[],
): Filter[] {
  return filters.map((f) => {
    if (typeof f !== 'string') return f;
    const field = FORM_FIELDS[entity].find((d) => d.name === f);
    const kind = field && FILTER_KIND[field.type];
    if (!field || !kind) throw new Error(`${entity}.${f} is not a filterable field`);
    return { key: f, kind, labelKey: `fields.${f}`, options: field.options, optionsNs: field.optionsNs };
  });
}

const dash = (v: unknown) => (v === null || v === undefined || v === '' ? '—' : String(v));

/** An opportunity's status, as the API defines it. */
const OPP_STATUSES = ['open', 'won', 'lost'] as const satisfies readonly Opportunity['status'][];

export const LIST_CONFIG: Record<Entity, { columns: Column[]; filters: Filter[]; defaultSort: string }> = {
  accounts: {
    defaultSort: 'name',
    columns: [
      {
        key: 'name',
        sort: 'name',
        mobile: true,
        render: (r) => (
          <Text fw={500} fz="sm">
            {r.name}
          </Text>
        ),
      },
      { key: 'industry', render: (r) => dash(r.industry) },
      { key: 'region_id', render: (r, c) => dash(c.regions.get(r.region_id)) },
      { key: 'owner_id', mobile: true, render: (r, c) => dash(c.users.get(r.owner_id)) },
      {
        key: 'credit_code',
        render: (r) => (
          <Text fz="xs" ff="monospace">
            {dash(r.credit_code)}
          </Text>
        ),
      },
      { key: 'updated_at', sort: 'updated_at', render: (r, c) => formatDate(r.updated_at, c.lang) },
    ],
    filters: filtersOf('accounts', ['industry', 'region_id', 'owner_id']),
  },
  contacts: {
    defaultSort: 'name',
    columns: [
      {
        key: 'name',
        sort: 'name',
        mobile: true,
        render: (r) => (
          <Text fw={500} fz="sm">
            {r.name}
            {r.name_en ? (
              <Text span c="dimmed" fz="xs">
                {' '}
                {r.name_en}
              </Text>
            ) : null}
          </Text>
        ),
      },
      { key: 'account_id', mobile: true, render: (r, c) => dash(c.accounts.get(r.account_id)) },
      { key: 'title', render: (r) => dash(r.title) },
      {
        key: 'lead_score',
        mobile: true,
        render: (r, c) => {
          const p = c.leadScores?.get(r.id);
          return p ? <LeadBadge p={p.score} method={p.method} /> : '—';
        },
      },
      {
        key: 'committee_role',
        render: (r, c) =>
          r.committee_role ? (
            <Badge variant="light" styles={wholeBadge}>
              {c.t(`committee.${r.committee_role}`)}
            </Badge>
          ) : (
            '—'
          ),
      },
      { key: 'stance', render: (r, c) => (r.stance ? c.t(`stance.${r.stance}`) : '—') },
      { key: 'emails', render: (r) => dash(r.emails?.[0]) },
      { key: 'owner_id', render: (r, c) => dash(c.users.get(r.owner_id)) },
    ],
    filters: filtersOf('contacts', ['committee_role', 'stance', 'owner_id']),
  },
  opportunities: {
    defaultSort: '-updated_at',
    columns: [
      {
        key: 'name',
        sort: 'name',
        mobile: true,
        render: (r) => (
          <Text fw={500} fz="sm">
            {r.name}
          </Text>
        ),
      },
      { key: 'account_id', render: (r, c) => dash(c.accounts.get(r.account_id)) },
      {
        key: 'stage',
        render: (r, c) => (
          <Badge
            variant="light"
            styles={wholeBadge}
            color={r.status === 'won' ? 'green' : r.status === 'lost' ? 'gray' : 'indigo'}
          >
            {c.stageName(r.pipeline_id, r.stage)}
          </Badge>
        ),
      },
      {
        key: 'amount',
        sort: 'amount',
        mobile: true,
        render: (r, c) => (
          <Text fz="sm" ta="right">
            {formatMoney(r.amount, r.currency, c.lang)}
          </Text>
        ),
      },
      { key: 'probability', sort: 'probability', render: (r, c) => formatPercent(r.probability, c.lang) },
      {
        key: 'win_probability',
        mobile: true,
        render: (r, c) => {
          const p = c.predictions?.get(r.id);
          return p ? <ProbBadge p={p.probability} method={p.method} /> : '—';
        },
      },
      {
        key: 'expected_close_date',
        sort: 'expected_close_date',
        render: (r, c) => formatDate(r.expected_close_date, c.lang),
      },
      { key: 'owner_id', render: (r, c) => dash(c.users.get(r.owner_id)) },
    ],
    filters: filtersOf('opportunities', [
      // Not a form field: the status follows the stage.
      {
        key: 'status',
        kind: 'enum',
        labelKey: 'fields.status',
        options: OPP_STATUSES,
        optionsNs: 'oppStatus',
      },
      'stage',
      'owner_id',
      'team_id',
      'region_id',
      { key: 'amount_min', kind: 'number', labelKey: 'common.min' },
      { key: 'amount_max', kind: 'number', labelKey: 'common.max' },
      { key: 'close_from', kind: 'date', labelKey: 'common.from' },
      { key: 'close_to', kind: 'date', labelKey: 'common.to' },
    ]),
  },
  activities: {
    defaultSort: '-occurred_at',
    columns: [
      {
        key: 'subject',
        mobile: true,
        render: (r) => (
          <Text fw={500} fz="sm">
            {r.subject}
          </Text>
        ),
      },
      { key: 'type', render: (r, c) => c.t(`activityType.${r.type}`) },
      {
        key: 'status',
        render: (r, c) => (
          <Badge
            variant="light"
            styles={wholeBadge}
            color={r.status === 'planned' ? 'orange' : r.status === 'done' ? 'green' : 'gray'}
          >
            {c.t(`activityStatus.${r.status}`)}
          </Badge>
        ),
      },
      {
        key: 'occurred_at',
        sort: 'occurred_at',
        mobile: true,
        render: (r, c) => formatDateTime(r.occurred_at, c.lang),
      },
      { key: 'account_id', render: (r, c) => dash(c.accounts.get(r.account_id)) },
      { key: 'owner_id', render: (r, c) => dash(c.users.get(r.owner_id)) },
    ],
    filters: filtersOf('activities', [
      'type',
      'status',
      'owner_id',
      { key: 'from', kind: 'date', labelKey: 'common.from' },
      { key: 'to', kind: 'date', labelKey: 'common.to' },
    ]),
  },
};

/** Query params that make up a view (everything but paging). */
export function viewParams(sp: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  sp.forEach((v, k) => {
    if (k !== 'cursor' && v !== '') out[k] = v;
  });
  return out;
}

export function exportUrl(entity: string, params: Record<string, string>, format: 'csv' | 'xlsx'): string {
  const sp = new URLSearchParams({ ...params, format });
  return `/api/v1/${entity}/export?${sp.toString()}`;
}
