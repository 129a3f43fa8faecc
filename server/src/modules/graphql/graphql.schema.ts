import type { ObjectRef } from '@pothos/core';
import { z } from 'zod';
import type { Permission } from '../../platform/auth/permissions.js';
import { ProblemError } from '../../platform/http/problem.js';
import type { ResourceService } from '../../platform/records/resource.js';
import { accountInput, activityInput, contactInput, opportunityInput } from '../crm/crm.fields.js';
import { accountService, activityService, contactService, opportunityService } from '../crm/crm.service.js';
import {
  acceptIntervention,
  dismissIntervention,
  interventionService,
} from '../interventions/interventions.service.js';
import { signalService } from '../signals/signals.service.js';
import type { PredictionOut } from './batch-reads.js';
import { builder, type SchemaTypes } from './graphql.builder.js';
import type { GqlContext, Row } from './graphql.context.js';
import { COST_LIMITS } from './graphql.cost.js';
import { parseInput, requirePermission } from './graphql.errors.js';

type FieldBuilder<P> = PothosSchemaTypes.ObjectFieldBuilder<SchemaTypes, P>;

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

// ---------- record fields: GraphQL name (camelCase) → the REST field (snake_case) ----------

type Kind = 'ID' | 'String' | 'Strings' | 'Float' | 'Int' | 'Boolean' | 'DateTime' | 'JSON';

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
const num = (v: unknown) => (v === null || v === undefined || v === '' ? null : Number(v));

/** A field that exposes a column of the REST record under its camelCase name. */
function column(t: FieldBuilder<Row>, kind: Kind, key: string, nullable = true) {
  switch (kind) {
    case 'ID':
      return t.id({ resolve: (r) => String(r[key]) });
    case 'String':
      return nullable
        ? t.string({ nullable: true, resolve: (r) => str(r[key]) })
        : t.string({ resolve: (r) => str(r[key]) ?? '' });
    case 'Strings':
      return t.stringList({ resolve: (r) => (Array.isArray(r[key]) ? r[key].map(String) : []) });
    case 'Float':
      return nullable
        ? t.float({ nullable: true, resolve: (r) => num(r[key]) })
        : t.float({ resolve: (r) => num(r[key]) ?? 0 });
    case 'Int':
      return nullable
        ? t.int({ nullable: true, resolve: (r) => num(r[key]) })
        : t.int({ resolve: (r) => num(r[key]) ?? 0 });
    case 'Boolean':
      return nullable
        ? t.boolean({
            nullable: true,
            resolve: (r) => (r[key] === null || r[key] === undefined ? null : r[key] === true),
          })
        : t.boolean({ resolve: (r) => r[key] === true });
    case 'DateTime':
      return t.field({
        type: 'DateTime',
        nullable,
        resolve: (r) => {
          const v = r[key];
          return v instanceof Date || typeof v === 'string' ? v : (null as unknown as string);
        },
      });
    case 'JSON':
      return t.field({ type: 'JSON', nullable, resolve: (r) => r[key] ?? null });
  }
}

function columns(t: FieldBuilder<Row>, spec: Record<string, Kind | `${Kind}!`>) {
  return Object.fromEntries(
    Object.entries(spec).map(([key, kind]) => {
      const required = kind.endsWith('!');
      return [camel(key), column(t, kind.replace('!', '') as Kind, key, !required)];
    }),
  );
}

const STAMPS = { created_at: 'DateTime!', updated_at: 'DateTime!' } as const;

// ---------- connections (Relay style over the services' cursor pages) ----------

interface PageOf<T> {
  data: T[];
  next_cursor: string | null;
  after: string | null;
}

const PageInfo = builder.objectRef<PageOf<unknown>>('PageInfo').implement({
  description:
    'Forward pagination: pass endCursor as `after` for the next page. Cursors are opaque (the REST next_cursor).',
  fields: (t) => ({
    hasNextPage: t.boolean({ resolve: (p) => p.next_cursor !== null }),
    hasPreviousPage: t.boolean({ resolve: (p) => p.after !== null }),
    startCursor: t.string({ nullable: true, resolve: () => null }),
    endCursor: t.string({ nullable: true, resolve: (p) => p.next_cursor }),
  }),
});

function connectionOf(name: string, node: ObjectRef<SchemaTypes, Row>) {
  const edge = builder.objectRef<{ node: Row; cursor: string | null }>(`${name}Edge`).implement({
    fields: (t) => ({
      node: t.field({ type: node, resolve: (e) => e.node }),
      cursor: t.string({
        nullable: true,
        description: 'Only the last edge of a page has one (the page cursor, pageInfo.endCursor).',
        resolve: (e) => e.cursor,
      }),
    }),
  });
  return builder.objectRef<PageOf<Row>>(`${name}Connection`).implement({
    description: `A page of ${name} records. Cost: 2 + first × (1 + the node's selection).`,
    fields: (t) => ({
      edges: t.field({
        type: [edge],
        resolve: (p) =>
          p.data.map((n, i) => ({ node: n, cursor: i === p.data.length - 1 ? p.next_cursor : null })),
      }),
      nodes: t.field({ type: [node], resolve: (p) => p.data }),
      pageInfo: t.field({ type: PageInfo, resolve: (p) => p }),
    }),
  });
}

/** The filter input of a list: one field per filter of the service (a list for `in` filters). */
function filterInputOf(name: string, service: ResourceService, skip: readonly string[] = []) {
  const entries = Object.entries(service.def.filters).filter(([k]) => !skip.includes(k));
  return builder.inputType(`${name}Filter`, {
    description: `Filters of the ${service.def.entity} list (the REST query parameters of the same names, in camelCase).`,
    fields: (t) =>
      Object.fromEntries(
        entries.map(([key, f]) => [
          camel(key),
          f.op === 'in'
            ? t.stringList({ required: false })
            : t.string({ required: false, description: f.description }),
        ]),
      ),
  });
}

function sortEnumOf(name: string, service: ResourceService) {
  const values: Record<string, { value: string }> = {};
  for (const key of Object.keys(service.def.sortable)) {
    values[`${snake(key).toUpperCase()}_ASC`] = { value: key };
    values[`${snake(key).toUpperCase()}_DESC`] = { value: `-${key}` };
  }
  return builder.enumType(`${name}Sort`, { values });
}

interface ListArgs {
  first?: number | null;
  after?: string | null;
  q?: string | null;
  sort?: string | null;
  filter?: Record<string, unknown> | null;
}

/** Renames a problem's field names from the service's (snake_case) to the GraphQL argument's. */
function renamed(err: unknown, rename: (field: string) => string): unknown {
  if (!(err instanceof ProblemError) || err.errors.length === 0) return err;
  return new ProblemError(
    err.status,
    err.title,
    err.detail,
    err.errors.map((e) => ({ ...e, field: rename(e.field) })),
    err.type,
  );
}

/** One page through the service's list (its filters, sort, cursor, search, tenant and sharing). */
async function listVia(
  ctx: GqlContext,
  service: ResourceService,
  permission: Permission,
  args: ListArgs,
  fixed: Record<string, string> = {},
): Promise<PageOf<Row>> {
  requirePermission(ctx.actor, permission);
  const first = args.first ?? COST_LIMITS.defaultFirst;
  if (first < 1 || first > COST_LIMITS.maxFirst)
    throw new ProblemError(400, 'Bad Request', 'Invalid argument first', [
      { field: 'first', reason: `between 1 and ${COST_LIMITS.maxFirst}` },
    ]);
  const query: Record<string, unknown> = { limit: first, cursor: args.after ?? undefined };
  if (args.q) query.q = args.q;
  if (args.sort) query.sort = args.sort;
  for (const [k, v] of Object.entries(args.filter ?? {})) {
    if (v === null || v === undefined) continue;
    query[snake(k)] = Array.isArray(v) ? v.join(',') : String(v);
  }
  Object.assign(query, fixed);
  try {
    const page = await ctx.run((tx) => service.list(tx, ctx.actor, query));
    return { ...page, after: args.after ?? null };
  } catch (err) {
    throw renamed(err, (f) =>
      f === 'cursor' ? 'after' : f === 'sort' || f === 'q' ? f : `filter.${camel(f)}`,
    );
  }
}

/** One record by id through the service (null when unknown or not visible, as REST's 404). */
async function getVia(ctx: GqlContext, service: ResourceService, permission: Permission, id: string) {
  requirePermission(ctx.actor, permission);
  return (await ctx.run((tx) => service.find(tx, ctx.actor, id))) ?? null;
}

/** A connection field on a record: the list filtered by the record's id. */
function relatedConnection<P>(
  t: FieldBuilder<P>,
  conn: ObjectRef<SchemaTypes, PageOf<Row>>,
  service: ResourceService,
  permission: Permission,
  sort: ReturnType<typeof sortEnumOf>,
  fixed: (parent: P) => Record<string, string>,
  description: string,
) {
  return t.field({
    type: conn,
    description,
    args: {
      first: t.arg.int({
        description: `Page size (default ${COST_LIMITS.defaultFirst}, at most ${COST_LIMITS.maxFirst})`,
      }),
      after: t.arg.string(),
      sort: t.arg({ type: sort }),
    },
    resolve: (parent, args, ctx) => listVia(ctx, service, permission, args, fixed(parent)),
  });
}

// ---------- types ----------

const User = builder.objectRef<Row>('User').implement({
  description: 'A user of the tenant, as owner of records (name only).',
  fields: (t) => ({ ...columns(t, { id: 'ID', name: 'String!' }) }),
});

const TopFactor = builder.objectRef<PredictionOut['top_factors'][number]>('TopFactor').implement({
  fields: (t) => ({
    feature: t.exposeString('feature'),
    label: t.exposeString('label'),
    value: t.exposeString('value', { nullable: true }),
    contribution: t.exposeFloat('contribution', { description: 'log-odds; > 0 raises the probability' }),
  }),
});

const Prediction = builder.objectRef<PredictionOut>('Prediction').implement({
  description:
    'Win probability of an opportunity (GET /api/v1/opportunities/:id/prediction). Needs predict:read.',
  fields: (t) => ({
    probability: t.exposeFloat('probability'),
    method: t.exposeString('method', { description: 'model | stage_fallback | closed' }),
    label: t.exposeString('label'),
    modelId: t.string({ nullable: true, resolve: (p) => p.model_id }),
    modelVersion: t.int({ nullable: true, resolve: (p) => p.model_version }),
    topFactors: t.field({ type: [TopFactor], resolve: (p) => p.top_factors }),
    computedAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (p) => p.computed_at as string,
    }),
  }),
});

const Account = builder.objectRef<Row>('Account');
const Contact = builder.objectRef<Row>('Contact');
const Opportunity = builder.objectRef<Row>('Opportunity');
const Activity = builder.objectRef<Row>('Activity');
const Signal = builder.objectRef<Row>('Signal');
const Intervention = builder.objectRef<Row>('Intervention');

const AccountConnection = connectionOf('Account', Account);
const ContactConnection = connectionOf('Contact', Contact);
const OpportunityConnection = connectionOf('Opportunity', Opportunity);
const ActivityConnection = connectionOf('Activity', Activity);
const SignalConnection = connectionOf('Signal', Signal);
const InterventionConnection = connectionOf('Intervention', Intervention);

const AccountSort = sortEnumOf('Account', accountService);
const ContactSort = sortEnumOf('Contact', contactService);
const OpportunitySort = sortEnumOf('Opportunity', opportunityService);
const ActivitySort = sortEnumOf('Activity', activityService);
const SignalSort = sortEnumOf('Signal', signalService);
const InterventionSort = sortEnumOf('Intervention', interventionService);

/** A to-one relation through a per-request DataLoader (one statement per batch). */
function ref<P extends Row>(
  t: FieldBuilder<P>,
  type: ObjectRef<SchemaTypes, Row>,
  key: string,
  loader: keyof GqlContext['loaders'] & ('account' | 'contact' | 'opportunity' | 'user'),
  permission: Permission,
) {
  return t.field({
    type,
    nullable: true,
    description: 'null when there is none or the caller may not read it. Cost 1.',
    resolve: (r, _a, ctx) => {
      requirePermission(ctx.actor, permission);
      const id = r[key];
      return typeof id === 'string' ? ctx.loaders[loader].load(id) : null;
    },
  });
}

const owner = (t: FieldBuilder<Row>) => ref(t, User, 'owner_id', 'user', 'crm:read');

Account.implement({
  description: 'A customer company (REST: /api/v1/accounts). Needs crm:read.',
  fields: (t) => ({
    ...columns(t, {
      id: 'ID',
      name: 'String!',
      aliases: 'Strings',
      domains: 'Strings',
      credit_code: 'String',
      industry: 'String',
      region_id: 'String',
      size: 'String',
      employees: 'Int',
      owner_id: 'String',
      tags: 'Strings',
      website: 'String',
      phone: 'String',
      address: 'String',
      description: 'String',
      custom: 'JSON',
      ...STAMPS,
    }),
    owner: owner(t),
    contacts: relatedConnection(
      t,
      ContactConnection,
      contactService,
      'crm:read',
      ContactSort,
      (a) => ({ account_id: String(a.id) }),
      "The account's contacts.",
    ),
    opportunities: relatedConnection(
      t,
      OpportunityConnection,
      opportunityService,
      'crm:read',
      OpportunitySort,
      (a) => ({ account_id: String(a.id) }),
      "The account's opportunities.",
    ),
    activities: relatedConnection(
      t,
      ActivityConnection,
      activityService,
      'crm:read',
      ActivitySort,
      (a) => ({ account_id: String(a.id) }),
      "The account's activities.",
    ),
    signals: relatedConnection(
      t,
      SignalConnection,
      signalService,
      'signals:read',
      SignalSort,
      (a) => ({ account_id: String(a.id) }),
      'Signals resolved to the account. Needs signals:read.',
    ),
    interventions: relatedConnection(
      t,
      InterventionConnection,
      interventionService,
      'interventions:read',
      InterventionSort,
      (a) => ({ account_id: String(a.id) }),
      'Intervention bundles about the account. Needs interventions:read.',
    ),
  }),
});

Contact.implement({
  description: 'A person at an account (REST: /api/v1/contacts). Needs crm:read.',
  fields: (t) => ({
    ...columns(t, {
      id: 'ID',
      name: 'String!',
      name_en: 'String',
      account_id: 'String',
      emails: 'Strings',
      phones: 'Strings',
      title: 'String',
      department: 'String',
      committee_role: 'String',
      influence: 'Float',
      stance: 'String',
      owner_id: 'String',
      tags: 'Strings',
      custom: 'JSON',
      ...STAMPS,
    }),
    account: ref(t, Account, 'account_id', 'account', 'crm:read'),
    owner: owner(t),
    activities: relatedConnection(
      t,
      ActivityConnection,
      activityService,
      'crm:read',
      ActivitySort,
      (c) => ({ contact_id: String(c.id) }),
      'Activities the contact took part in.',
    ),
    signals: relatedConnection(
      t,
      SignalConnection,
      signalService,
      'signals:read',
      SignalSort,
      (c) => ({ contact_id: String(c.id) }),
      'Signals resolved to the contact. Needs signals:read.',
    ),
  }),
});

Opportunity.implement({
  description: 'A deal (REST: /api/v1/opportunities). Needs crm:read.',
  fields: (t) => ({
    ...columns(t, {
      id: 'ID',
      name: 'String!',
      account_id: 'String!',
      pipeline_id: 'String',
      stage: 'String!',
      status: 'String!',
      amount: 'Float',
      currency: 'String',
      expected_close_date: 'String',
      probability: 'Float',
      owner_id: 'String',
      team_id: 'String',
      region_id: 'String',
      product_ids: 'Strings',
      close_reason: 'String',
      custom: 'JSON',
      stage_changed_at: 'DateTime',
      closed_at: 'DateTime',
      ...STAMPS,
    }),
    account: ref(t, Account, 'account_id', 'account', 'crm:read'),
    owner: owner(t),
    latestPrediction: t.field({
      type: Prediction,
      nullable: true,
      description:
        'The current win probability with its method, model version and top factors. Needs predict:read. Cost 1.',
      resolve: (o, _a, ctx) => {
        requirePermission(ctx.actor, 'predict:read');
        return ctx.loaders.prediction.load(String(o.id));
      },
    }),
    activities: relatedConnection(
      t,
      ActivityConnection,
      activityService,
      'crm:read',
      ActivitySort,
      (o) => ({ opportunity_id: String(o.id) }),
      "The opportunity's activities.",
    ),
    signals: relatedConnection(
      t,
      SignalConnection,
      signalService,
      'signals:read',
      SignalSort,
      (o) => ({ opportunity_id: String(o.id) }),
      'Signals resolved to the opportunity. Needs signals:read.',
    ),
  }),
});

Activity.implement({
  description: 'A call, meeting, e-mail, visit, note or task (REST: /api/v1/activities). Needs crm:read.',
  fields: (t) => ({
    ...columns(t, {
      id: 'ID',
      type: 'String!',
      subject: 'String!',
      body: 'String',
      occurred_at: 'DateTime!',
      duration_minutes: 'Int',
      status: 'String',
      account_id: 'String',
      opportunity_id: 'String',
      contact_ids: 'Strings',
      owner_id: 'String',
      ...STAMPS,
    }),
    account: ref(t, Account, 'account_id', 'account', 'crm:read'),
    opportunity: ref(t, Opportunity, 'opportunity_id', 'opportunity', 'crm:read'),
    owner: owner(t),
  }),
});

Signal.implement({
  description: 'A signal taken in and resolved to CRM records (REST: /api/v1/signals). Needs signals:read.',
  fields: (t) => ({
    ...columns(t, {
      id: 'ID',
      type: 'String!',
      source: 'String!',
      occurred_at: 'DateTime!',
      received_at: 'DateTime!',
      subject: 'JSON',
      payload: 'JSON',
      strength: 'Float',
      account_id: 'String',
      contact_id: 'String',
      opportunity_id: 'String',
      matched: 'Boolean!',
      match_method: 'String',
    }),
    account: ref(t, Account, 'account_id', 'account', 'crm:read'),
    contact: ref(t, Contact, 'contact_id', 'contact', 'crm:read'),
    opportunity: ref(t, Opportunity, 'opportunity_id', 'opportunity', 'crm:read'),
  }),
});

Intervention.implement({
  description:
    'An intervention bundle (risk, evidence, talk track, actions) people act on (REST: /api/v1/interventions). Needs interventions:read.',
  fields: (t) => ({
    ...columns(t, {
      id: 'ID',
      account_id: 'String!',
      opportunity_id: 'String',
      rule_key: 'String!',
      rule_version: 'Int',
      status: 'String!',
      severity: 'String!',
      title: 'String!',
      risk: 'JSON',
      talk_track: 'String',
      resources: 'JSON',
      evidence: 'JSON',
      owner_id: 'String',
      due_at: 'DateTime',
      signal_ids: 'Strings',
      occurrences: 'Int',
      delivery: 'String',
      sign_off_status: 'String',
      dismiss_reason: 'String',
      outcome: 'String',
      first_fired_at: 'DateTime',
      last_fired_at: 'DateTime',
      ...STAMPS,
    }),
    account: ref(t, Account, 'account_id', 'account', 'crm:read'),
    opportunity: ref(t, Opportunity, 'opportunity_id', 'opportunity', 'crm:read'),
    owner: owner(t),
  }),
});

// ---------- queries ----------

function listField(
  name: string,
  conn: ObjectRef<SchemaTypes, PageOf<Row>>,
  service: ResourceService,
  permission: Permission,
  sort: ReturnType<typeof sortEnumOf>,
  description: string,
) {
  const filter = filterInputOf(name, service);
  builder.queryField(`${name.charAt(0).toLowerCase()}${name.slice(1)}s`.replace(/ys$/, 'ies'), (t) =>
    t.field({
      type: conn,
      description: `${description} Needs ${permission}. Cost: 2 + first × (1 + the node's selection).`,
      args: {
        first: t.arg.int({
          description: `Page size (default ${COST_LIMITS.defaultFirst}, at most ${COST_LIMITS.maxFirst})`,
        }),
        after: t.arg.string({ description: 'pageInfo.endCursor of the previous page' }),
        q: t.arg.string({ description: 'Full-text search, as REST `q` (Chinese, English, pinyin)' }),
        sort: t.arg({ type: sort }),
        filter: t.arg({ type: filter }),
      },
      resolve: (_r, args, ctx) => listVia(ctx, service, permission, args),
    }),
  );
}

function getField(
  name: string,
  type: ObjectRef<SchemaTypes, Row>,
  service: ResourceService,
  permission: Permission,
) {
  builder.queryField(name, (t) =>
    t.field({
      type,
      nullable: true,
      description: `One ${name} by id; null when it does not exist or the caller may not read it. Needs ${permission}. Cost 1.`,
      args: { id: t.arg.id({ required: true }) },
      resolve: (_r, { id }, ctx) => getVia(ctx, service, permission, String(id)),
    }),
  );
}

listField('Account', AccountConnection, accountService, 'crm:read', AccountSort, 'Accounts.');
listField('Contact', ContactConnection, contactService, 'crm:read', ContactSort, 'Contacts.');
listField(
  'Opportunity',
  OpportunityConnection,
  opportunityService,
  'crm:read',
  OpportunitySort,
  'Opportunities.',
);
listField('Activity', ActivityConnection, activityService, 'crm:read', ActivitySort, 'Activities.');
listField('Signal', SignalConnection, signalService, 'signals:read', SignalSort, 'Signals.');
listField(
  'Intervention',
  InterventionConnection,
  interventionService,
  'interventions:read',
  InterventionSort,
  'Intervention bundles.',
);
getField('account', Account, accountService, 'crm:read');
getField('contact', Contact, contactService, 'crm:read');
getField('opportunity', Opportunity, opportunityService, 'crm:read');
getField('activity', Activity, activityService, 'crm:read');
getField('intervention', Intervention, interventionService, 'interventions:read');

builder.queryField('viewer', (t) =>
  t.field({
    type: User,
    nullable: true,
    description: 'The signed-in user (null for an API key without a user).',
    resolve: (_r, _a, ctx) =>
      ctx.actor.actorType === 'user' && ctx.actor.actorId ? ctx.loaders.user.load(ctx.actor.actorId) : null,
  }),
);

// ---------- mutations: the REST routes' zod inputs and services ----------

/** The zod schema's top-level fields, unwrapped to what a GraphQL input field can carry. */
function kindOfZod(schema: z.ZodType): 'String' | 'Float' | 'Boolean' | 'Strings' | 'JSON' {
  let s = schema as z.core.$ZodType;
  for (;;) {
    const def = s._zod.def as z.core.$ZodTypeDef & {
      innerType?: z.core.$ZodType;
      in?: z.core.$ZodType;
      element?: z.core.$ZodType;
    };
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'catch':
      case 'readonly':
        s = def.innerType as z.core.$ZodType;
        continue;
      case 'pipe':
        s = def.in as z.core.$ZodType;
        continue;
      case 'number':
      case 'int':
      case 'bigint':
        return 'Float';
      case 'boolean':
        return 'Boolean';
      case 'array':
        return kindOfZod(def.element as z.ZodType) === 'String' ? 'Strings' : 'JSON';
      case 'string':
      case 'enum':
      case 'literal':
      case 'date':
      case 'template_literal':
        return 'String';
      default:
        return 'JSON';
    }
  }
}

/** A GraphQL input type with the fields of a REST create schema (camelCase; all optional: zod checks). */
function inputOf(name: string, schema: z.ZodObject, description: string) {
  const shape = schema.shape as Record<string, z.ZodType>;
  return builder.inputType(name, {
    description: `${description} Validated by the same schema as the REST body (errors name input.<field>).`,
    fields: (t) =>
      Object.fromEntries(
        Object.entries(shape).map(([key, s]) => {
          const kind = kindOfZod(s);
          const description = s.description;
          const field =
            kind === 'String'
              ? t.string({ required: false, description })
              : kind === 'Float'
                ? t.float({ required: false, description })
                : kind === 'Boolean'
                  ? t.boolean({ required: false, description })
                  : kind === 'Strings'
                    ? t.stringList({ required: false, description })
                    : t.field({ type: 'JSON', required: false, description });
          return [camel(key), field];
        }),
      ),
  });
}

/** GraphQL input (camelCase, nulls for absent) → the REST body shape (snake_case, absent dropped). */
function restBody(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (v !== undefined) out[snake(k)] = v;
  return out;
}

const camelPath = (field: string) => field.split('.').map(camel).join('.');

function crudMutations(
  name: string,
  type: ObjectRef<SchemaTypes, Row>,
  service: ResourceService,
  schema: z.ZodObject,
  withDelete: boolean,
) {
  const input = inputOf(`${name}Input`, schema, `The fields of a ${name.toLowerCase()}.`);
  const update = schema.partial();
  const parse = (s: z.ZodType, v: Record<string, unknown>) => {
    try {
      return parseInput(s, restBody(v)) as Record<string, unknown>;
    } catch (err) {
      throw renamed(err, camelPath);
    }
  };
  builder.mutationField(`create${name}`, (t) =>
    t.field({
      type,
      description: `Creates a ${name.toLowerCase()} (as POST /api/v1/${service.def.entity}). Needs crm:write. Cost 10.`,
      args: { input: t.arg({ type: input, required: true }) },
      resolve: (_r, args, ctx) => {
        requirePermission(ctx.actor, 'crm:write');
        const values = parse(schema, args.input);
        return ctx
          .write((tx) => service.create(tx, ctx.actor, values))
          .catch((err: unknown) => {
            throw renamed(err, (f) => `input.${camelPath(f)}`);
          });
      },
    }),
  );
  builder.mutationField(`update${name}`, (t) =>
    t.field({
      type,
      description: `Changes fields of a ${name.toLowerCase()} (as PATCH /api/v1/${service.def.entity}/:id); changeReason is kept in the audit trail. Needs crm:write. Cost 10.`,
      args: {
        id: t.arg.id({ required: true }),
        input: t.arg({ type: input, required: true }),
        changeReason: t.arg.string({ description: 'Why (kept in the audit trail)' }),
      },
      resolve: (_r, args, ctx) => {
        requirePermission(ctx.actor, 'crm:write');
        const patch = parse(update, args.input);
        const reason = z
          .string()
          .max(500)
          .optional()
          .parse(args.changeReason ?? undefined);
        return ctx
          .write((tx) => service.update(tx, ctx.actor, String(args.id), patch, { reason }))
          .catch((err: unknown) => {
            throw renamed(err, (f) => `input.${camelPath(f)}`);
          });
      },
    }),
  );
  if (!withDelete) return;
  builder.mutationField(`delete${name}`, (t) =>
    t.id({
      description: `Deletes a ${name.toLowerCase()} (as DELETE /api/v1/${service.def.entity}/:id) and returns its id. Needs crm:delete. Cost 10.`,
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_r, args, ctx) => {
        requirePermission(ctx.actor, 'crm:delete');
        await ctx.write((tx) => service.remove(tx, ctx.actor, String(args.id)));
        return String(args.id);
      },
    }),
  );
}

crudMutations('Account', Account, accountService, accountInput, true);
crudMutations('Contact', Contact, contactService, contactInput, true);
crudMutations('Opportunity', Opportunity, opportunityService, opportunityInput, true);
crudMutations('Activity', Activity, activityService, activityInput, false);

builder.mutationField('acceptIntervention', (t) =>
  t.field({
    type: Intervention,
    description:
      'Accepts an open bundle (as POST /api/v1/interventions/:id/accept); it then waits for sign-off. Needs interventions:act. Cost 10.',
    args: { id: t.arg.id({ required: true }), note: t.arg.string() },
    resolve: (_r, args, ctx) => {
      requirePermission(ctx.actor, 'interventions:act');
      const note = parseInput(z.string().max(2000).optional(), args.note ?? undefined, 'note');
      return ctx.write((tx) => acceptIntervention(tx, ctx.actor, String(args.id), note));
    },
  }),
);

builder.mutationField('dismissIntervention', (t) =>
  t.field({
    type: Intervention,
    description:
      'Dismisses an open bundle with a reason (as POST /api/v1/interventions/:id/dismiss). Needs interventions:act. Cost 10.',
    args: { id: t.arg.id({ required: true }), reason: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => {
      requirePermission(ctx.actor, 'interventions:act');
      const reason = parseInput(
        z.string().trim().min(3, 'a reason is required').max(2000),
        args.reason,
        'reason',
      );
      return ctx.write((tx) => dismissIntervention(tx, ctx.actor, String(args.id), reason));
    },
  }),
);

/** The /graphql schema (printed to schema.graphql by server/scripts/graphql-sdl.ts). */
export const graphqlSchema = builder.toSchema({ sortSchema: true });
