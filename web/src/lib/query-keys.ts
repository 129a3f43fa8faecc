/**
 * Every TanStack Query key the web app uses, one factory per resource. A key's first part names
 * the resource, so invalidating `queryKeys.x.all` makes every query of that resource stale, and
 * the live stream's events map onto these keys in one place (`liveInvalidations` below).
 */
import type { QueryKey } from '@tanstack/react-query';

/** The CRM records that have list, record, timeline and lineage pages. */
export type RecordEntity = 'accounts' | 'contacts' | 'opportunities' | 'activities' | 'products';

export const queryKeys = {
  me: ['me'] as const,

  /** One record, its timeline and lineage, and the lists that show it. */
  records: {
    all: (entity: string) => [entity] as const,
    one: (entity: string, id: string | undefined) => [entity, id] as const,
    timeline: (entity: string, id: string) => [entity, id, 'timeline'] as const,
    lineage: (entity: string, id: string | undefined) => [entity, id, 'lineage'] as const,
    /** The list pages of one entity (filters, sort and page in `params`). */
    lists: (entity: string) => ['list', entity] as const,
    list: (entity: string, params: unknown) => ['list', entity, params] as const,
    /** A record picker's search results. */
    select: (entity: string, q: string) => ['select', entity, q] as const,
  },
  contacts: {
    byAccount: (accountId: string | undefined) => ['contacts', 'by-account', accountId] as const,
    leadScore: (id: string) => ['contacts', id, 'lead-score'] as const,
  },
  opportunities: {
    byAccount: (accountId: string | undefined) => ['opportunities', 'by-account', accountId] as const,
    openByOwner: (ownerId: string) => ['opportunities', 'by-owner', ownerId, 'open'] as const,
    prediction: (id: string) => ['opportunities', id, 'prediction'] as const,
  },
  accounts: {
    buyingStage: (id: string) => ['accounts', id, 'buying-stage'] as const,
  },
  /** The pipeline board (opportunities by stage). */
  board: {
    all: ['board'] as const,
    pipeline: (pipelineId: string | null | undefined) => ['board', pipelineId] as const,
  },
  /** The home page's widgets. */
  home: {
    myOpportunities: (ownerId: string | null | undefined) => ['home', 'my-opps', ownerId] as const,
    myTasks: (ownerId: string | null | undefined) => ['home', 'my-tasks', ownerId] as const,
    open: ['home', 'open'] as const,
    closed: ['home', 'closed'] as const,
    top: ['home', 'top'] as const,
  },
  search: (q: string) => ['search', q] as const,

  /** Names for pickers and tables (users, regions, teams, account names). */
  lookup: {
    all: ['lookup'] as const,
    users: ['lookup', 'users'] as const,
    regions: ['lookup', 'regions'] as const,
    teams: ['lookup', 'teams'] as const,
    accountNames: ['lookup', 'accounts'] as const,
  },
  pipelines: { all: ['pipelines'] as const },
  customFields: {
    all: ['custom-fields'] as const,
    /** Every entity's fields (the admin page). */
    everyEntity: ['custom-fields', 'all'] as const,
    of: (entity: string) => ['custom-fields', entity] as const,
  },
  apiKeys: { all: ['api-keys'] as const },
  quotas: {
    all: ['quotas'] as const,
    reps: (quarter: string) => ['quotas', 'rep', quarter] as const,
  },
  sharing: {
    defaults: ['sharing', 'defaults'] as const,
    shares: (entity: string, id: string) => ['sharing', 'shares', entity, id] as const,
  },

  signals: {
    all: ['signals'] as const,
    byIds: (ids: readonly string[]) => ['signals', 'by-ids', ids] as const,
    unmatched: ['signals', 'unmatched'] as const,
  },
  signalTypes: { all: ['signal-types'] as const },
  signalSources: { all: ['signal-sources'] as const },

  interventions: {
    all: ['interventions'] as const,
    inbox: (status: string, owner: string) => ['interventions', 'inbox', status, owner] as const,
    heldToday: (owner: string) => ['interventions', 'held-today', owner] as const,
    signOffQueue: ['interventions', 'sign-off-queue'] as const,
  },
  rules: { all: ['rules'] as const },
  briefs: {
    week: (date: string | undefined, scope: 'me' | 'team' = 'me') =>
      ['briefs', scope, date ?? 'this-week'] as const,
  },

  predict: {
    all: ['predict'] as const,
    predictions: ['predict', 'predictions'] as const,
    leadScores: ['predict', 'lead-scores'] as const,
    models: (kind: string) => ['predict', 'models', { kind }] as const,
    model: (id: string | null) => ['predict', 'models', id] as const,
  },
  forecast: {
    all: ['forecast'] as const,
    of: (period: string, groupBy: string) => ['forecast', period, groupBy] as const,
  },
  forecastAccuracy: {
    all: ['forecast-accuracy'] as const,
    of: (period: string) => ['forecast-accuracy', period] as const,
  },
} as const;

/**
 * What a change pushed over the live stream (/api/v1/live) makes stale, by the resource the event
 * is about (its `entity`, else the first part of its name: 'interventions.created' →
 * 'interventions'). The one place that says which queries an event invalidates.
 */
export const liveInvalidations: Readonly<Record<string, readonly QueryKey[]>> = {
  interventions: [queryKeys.interventions.all],
  signals: [queryKeys.signals.all],
  accounts: [...recordQueries('accounts'), queryKeys.lookup.accountNames],
  contacts: recordQueries('contacts'),
  opportunities: [...recordQueries('opportunities'), queryKeys.board.all],
  activities: recordQueries('activities'),
  products: recordQueries('products'),
  // An endpoint the dispatcher disabled (410, 5 days of failures) shows so without a reload.
  webhook_endpoints: [['webhooks']],
};

/** A record's own queries and its lists. */
function recordQueries(entity: RecordEntity): QueryKey[] {
  return [queryKeys.records.all(entity), queryKeys.records.lists(entity)];
}

/** The resource a live event is about. */
export function liveResource(event: { name: string; entity: string | null }): string {
  return event.entity ?? event.name.split('.')[0];
}
