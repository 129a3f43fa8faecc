import { and, asc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { users } from '../../platform/auth/auth.schema.js';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import { type FieldError, unprocessable, zodFieldErrors } from '../../platform/http/problem.js';
import { type DerivedColumns, type ResourceDef, ResourceService } from '../../platform/records/resource.js';
import { readableWhere } from '../../platform/sharing/sharing.service.js';
import { nameKeys, pinyinSearchKey } from '../../platform/text/pinyin.js';
import { listsOf } from './crm.fields.js';
import {
  accounts,
  activities,
  contacts,
  customFields,
  opportunities,
  pipelines,
  products,
  regions,
  teams,
} from './crm.schema.js';
import { assertNotErased } from './crm-erasure-guard.js';
import { mergedIntoExtension } from './crm-merge-lookup.js';

export interface Stage {
  key: string;
  name: string;
  name_en?: string;
  probability: number;
  kind: 'open' | 'won' | 'lost';
}

const like = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

// ---------- Chinese names: pinyin sort and search keys ----------

/** name_pinyin / name_initials from name; person names read their first character as a surname. */
function pinyinOfName(personName: boolean): DerivedColumns {
  return {
    columns: ['name_pinyin', 'name_initials'],
    from: ['name'],
    compute(record) {
      const keys = nameKeys(String(record.name ?? ''), { personName });
      return { name_pinyin: keys.pinyin, name_initials: keys.initials };
    },
  };
}

/**
 * A Latin search text also matches names by pinyin or initials: huawei and hw both find 华为.
 * Initials match as a prefix (as Chinese input habits expect: hw → 华为, not every name with an
 * h and a w); pinyin matches anywhere from two letters on, so one letter does not match half
 * the tenant.
 */
function pinyinMatch(q: string, table: { name_pinyin: PgColumn; name_initials: PgColumn }): SQL {
  const key = pinyinSearchKey(q);
  if (!key) return sql`false`;
  const prefix = `${key.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const initials = sql`${table.name_initials} like ${prefix}`;
  if (key.length < 2) return sql`(${table.name_pinyin} like ${prefix} or ${initials})`;
  return sql`(${table.name_pinyin} like ${like(key)} or ${initials})`;
}

/** Referenced records under record-level sharing: the caller must be able to read them too. */
const SHARED_REFS: Record<string, string> = {
  account: 'accounts',
  opportunity: 'opportunities',
  contact: 'contacts',
};

/**
 * Referenced ids must exist in the caller's tenant (foreign keys alone do not check the tenant), and
 * a shared record must be one the caller may read: an id they cannot see is "no such" like any other.
 */
async function assertRefs(
  tx: Tx,
  ctx: ActorContext,
  values: Record<string, unknown>,
  refs: Record<
    string,
    { table: PgTable & { id: PgColumn; tenant_id: PgColumn }; label: string; many?: boolean }
  >,
) {
  const errors: FieldError[] = [];
  for (const [field, ref] of Object.entries(refs)) {
    const v = values[field];
    if (v === undefined || v === null) continue;
    const ids = ref.many ? [...new Set(v as string[])] : [v as string];
    if (ids.length === 0) continue;
    const entity = SHARED_REFS[ref.label];
    const readable = entity ? await readableWhere(tx, ctx, entity) : undefined;
    const found = await tx
      .select({ id: ref.table.id })
      .from(ref.table)
      .where(and(eq(ref.table.tenant_id, ctx.tenantId), inArray(ref.table.id, ids), readable));
    if (found.length !== ids.length) errors.push({ field, reason: `no such ${ref.label}` });
  }
  if (errors.length) throw unprocessable('Some referenced records do not exist', errors);
}

// ---------- custom fields ----------

export type CustomFieldDef = typeof customFields.$inferSelect;

export async function customFieldsOf(tx: Tx, ctx: ActorContext, entity: string): Promise<CustomFieldDef[]> {
  return tx
    .select()
    .from(customFields)
    .where(and(eq(customFields.tenant_id, ctx.tenantId), eq(customFields.entity, entity)))
    .orderBy(asc(customFields.created_at));
}

function customValueSchema(def: CustomFieldDef): z.ZodType {
  switch (def.type) {
    case 'number':
      return z.number({ error: 'must be a number' });
    case 'boolean':
      return z.boolean({ error: 'must be true or false' });
    case 'date':
      return z.iso.date('must be a date YYYY-MM-DD');
    case 'select':
      return z.enum(def.options as [string, ...string[]], {
        error: `must be one of: ${def.options.join(', ')}`,
      });
    case 'multiselect':
      return z.array(
        z.enum(def.options as [string, ...string[]], {
          error: `each must be one of: ${def.options.join(', ')}`,
        }),
      );
    default:
      return z.string({ error: 'must be text' }).max(10_000);
  }
}

/** Validates a record's custom values against the admin-defined fields; returns the merged object. */
export async function validateCustom(
  tx: Tx,
  ctx: ActorContext,
  entity: string,
  incoming: Record<string, unknown> | undefined,
  existing: Record<string, unknown> | undefined,
  creating: boolean,
): Promise<Record<string, unknown> | undefined> {
  const defs = await customFieldsOf(tx, ctx, entity);
  if (incoming === undefined && !creating) return undefined;
  const merged: Record<string, unknown> = { ...(existing ?? {}), ...(incoming ?? {}) };
  const errors: FieldError[] = [];
  for (const key of Object.keys(incoming ?? {})) {
    if (!defs.some((d) => d.key === key))
      errors.push({ field: `custom.${key}`, reason: 'no such custom field' });
  }
  for (const def of defs) {
    const v = merged[def.key];
    if (v === null || v === undefined || v === '') {
      delete merged[def.key];
      if (def.required) errors.push({ field: `custom.${def.key}`, reason: 'required' });
      continue;
    }
    const r = customValueSchema(def).safeParse(v, { reportInput: true });
    if (!r.success) errors.push(...zodFieldErrors(r.error.issues.slice(0, 1), () => `custom.${def.key}`));
  }
  if (errors.length) throw unprocessable('Some custom field values are invalid', errors);
  return merged;
}

/** Validates and merges a record's custom values in place (create and update). */
async function applyCustomFields(
  tx: Tx,
  ctx: ActorContext,
  entity: string,
  values: Record<string, unknown>,
  existing: Record<string, unknown> | undefined,
): Promise<void> {
  const custom = await validateCustom(
    tx,
    ctx,
    entity,
    // The input schemas parse `custom` as an object (z.record); stored rows hold one too.
    values.custom as Record<string, unknown> | undefined,
    existing?.custom as Record<string, unknown> | undefined,
    !existing,
  );
  if (custom !== undefined) values.custom = custom;
}

/** `cf.<key>=value` filters on custom fields (typed comparison for numbers and booleans). */
function customFilter(entity: string, table: { custom: PgColumn }) {
  return async (tx: Tx, ctx: ActorContext, key: string, value: string): Promise<SQL | undefined> => {
    if (!key.startsWith('cf.')) return undefined;
    const fieldKey = key.slice(3);
    const def = (await customFieldsOf(tx, ctx, entity)).find((d) => d.key === fieldKey);
    if (!def) return undefined;
    if (def.type === 'multiselect') return sql`${table.custom} -> ${fieldKey} ? ${value}`;
    if (def.type === 'number') return sql`(${table.custom} ->> ${fieldKey})::numeric = ${Number(value)}`;
    return sql`${table.custom} ->> ${fieldKey} = ${value}`;
  };
}

// ---------- pipelines ----------

export async function defaultPipeline(tx: Tx, ctx: ActorContext) {
  const rows = await tx
    .select()
    .from(pipelines)
    .where(eq(pipelines.tenant_id, ctx.tenantId))
    .orderBy(sql`${pipelines.is_default} desc`, asc(pipelines.created_at))
    .limit(1);
  return rows[0];
}

async function pipelineById(tx: Tx, ctx: ActorContext, id: string) {
  const rows = await tx
    .select()
    .from(pipelines)
    .where(and(eq(pipelines.tenant_id, ctx.tenantId), eq(pipelines.id, id)));
  return rows[0];
}

// ---------- resources ----------

/** Adds `account_name` to rows that carry an account_id, so lists need no second lookup. */
async function withAccountNames(tx: Tx, ctx: ActorContext, rows: Record<string, unknown>[]) {
  const ids = [...new Set(rows.map((r) => r.account_id).filter((v): v is string => typeof v === 'string'))];
  if (ids.length === 0) return rows.map((r) => ({ ...r, account_name: null }));
  const names = new Map(
    (
      await tx
        .select({ id: accounts.id, name: accounts.name })
        .from(accounts)
        .where(and(eq(accounts.tenant_id, ctx.tenantId), inArray(accounts.id, ids)))
    ).map((a) => [a.id, a.name]),
  );
  return rows.map((r) => ({ ...r, account_name: names.get(r.account_id as string) ?? null }));
}

export const accountService = new ResourceService({
  whenMissing: mergedIntoExtension('account'),
  entity: 'accounts',
  ...listsOf('accounts'),
  label: 'Account',
  table: accounts,
  derived: pinyinOfName(false),
  // Who may read an opportunity of the account by its own rules may read the account too.
  sharing: {
    owner: accounts.owner_id,
    region: accounts.region_id,
    children: [{ entity: 'opportunities', column: opportunities.account_id }],
  },
  defaultSort: 'name',
  search: (q) =>
    sql`(${accounts.name} ilike ${like(q)} or array_to_string(${accounts.aliases}, ' ') ilike ${like(q)}
        or array_to_string(${accounts.domains}, ' ') ilike ${like(q)} or ${accounts.credit_code} = ${q.toUpperCase()}
        or ${pinyinMatch(q, accounts)})`,
  extraFilter: customFilter('accounts', accounts),
  async prepare(tx, ctx, values, existing) {
    await assertRefs(tx, ctx, values, {
      owner_id: { table: users, label: 'user' },
      region_id: { table: regions, label: 'region' },
    });
    await applyCustomFields(tx, ctx, 'accounts', values, existing);
    return values;
  },
} satisfies ResourceDef);

export const contactService = new ResourceService({
  whenMissing: mergedIntoExtension('contact'),
  entity: 'contacts',
  ...listsOf('contacts'),
  decorate: withAccountNames,
  label: 'Contact',
  table: contacts,
  derived: pinyinOfName(true),
  // A contact also follows its account: who may read (edit) the account may read (edit) its contacts.
  sharing: { owner: contacts.owner_id, parents: [{ entity: 'accounts', column: contacts.account_id }] },
  defaultSort: 'name',
  search: (q) =>
    sql`(${contacts.name} ilike ${like(q)} or ${contacts.name_en} ilike ${like(q)}
        or array_to_string(${contacts.emails}, ' ') ilike ${like(q)} or ${contacts.title} ilike ${like(q)}
        or ${pinyinMatch(q, contacts)})`,
  extraFilter: customFilter('contacts', contacts),
  async prepare(tx, ctx, values, existing) {
    await assertRefs(tx, ctx, values, {
      account_id: { table: accounts, label: 'account' },
      owner_id: { table: users, label: 'user' },
    });
    // An erased person is not created again by accident (until a privacy manager lifts the block).
    if (values.emails !== undefined) await assertNotErased(tx, ctx, values.emails);
    await applyCustomFields(tx, ctx, 'contacts', values, existing);
    return values;
  },
} satisfies ResourceDef);

export const opportunityService = new ResourceService({
  entity: 'opportunities',
  ...listsOf('opportunities'),
  decorate: withAccountNames,
  label: 'Opportunity',
  table: opportunities,
  defaultSort: '-updated_at',
  derived: pinyinOfName(false),
  sharing: { owner: opportunities.owner_id, team: opportunities.team_id, region: opportunities.region_id },
  search: (q) => sql`(${opportunities.name} ilike ${like(q)} or ${pinyinMatch(q, opportunities)})`,
  extraFilter: customFilter('opportunities', opportunities),
  async prepare(tx, ctx, values, existing) {
    await assertRefs(tx, ctx, values, {
      account_id: { table: accounts, label: 'account' },
      owner_id: { table: users, label: 'user' },
      team_id: { table: teams, label: 'team' },
      region_id: { table: regions, label: 'region' },
      product_ids: { table: products, label: 'product', many: true },
    });
    const pipelineId = (values.pipeline_id as string) ?? (existing?.pipeline_id as string);
    const pipeline = pipelineId ? await pipelineById(tx, ctx, pipelineId) : await defaultPipeline(tx, ctx);
    if (!pipeline)
      throw unprocessable('No such pipeline', [
        { field: 'pipeline_id', reason: pipelineId ? 'no such pipeline' : 'the tenant has no pipeline yet' },
      ]);
    values.pipeline_id = pipeline.id;
    const stages = pipeline.stages as Stage[];
    const stageKey = (values.stage as string) ?? (existing?.stage as string) ?? stages[0].key;
    const stage = stages.find((s) => s.key === stageKey);
    if (!stage) {
      throw unprocessable('Unknown stage', [
        { field: 'stage', reason: `one of: ${stages.map((s) => s.key).join(', ')}` },
      ]);
    }
    const stageChanged = !existing || existing.stage !== stage.key || existing.pipeline_id !== pipeline.id;
    if (stageChanged) {
      values.stage = stage.key;
      values.status = stage.kind;
      if (values.probability === undefined) values.probability = stage.probability;
      values.stage_changed_at = new Date();
      values.closed_at = stage.kind === 'open' ? null : new Date();
    }
    if (values.currency === undefined && !existing) values.currency = 'CNY';
    await applyCustomFields(tx, ctx, 'opportunities', values, existing);
    return values;
  },
} satisfies ResourceDef);

export const activityService = new ResourceService({
  entity: 'activities',
  ...listsOf('activities'),
  decorate: withAccountNames,
  label: 'Activity',
  table: activities,
  defaultSort: '-occurred_at',
  // An activity also follows the account and opportunity it is about.
  sharing: {
    owner: activities.owner_id,
    parents: [
      { entity: 'accounts', column: activities.account_id },
      { entity: 'opportunities', column: activities.opportunity_id },
    ],
  },
  search: (q) => sql`(${activities.subject} ilike ${like(q)} or ${activities.body} ilike ${like(q)})`,
  extraFilter: customFilter('activities', activities),
  async prepare(tx, ctx, values, existing) {
    await assertRefs(tx, ctx, values, {
      account_id: { table: accounts, label: 'account' },
      opportunity_id: { table: opportunities, label: 'opportunity' },
      contact_ids: { table: contacts, label: 'contact', many: true },
      owner_id: { table: users, label: 'user' },
    });
    if (typeof values.occurred_at === 'string') values.occurred_at = new Date(values.occurred_at);
    if (!existing && values.owner_id === undefined && ctx.actorType === 'user') values.owner_id = ctx.actorId;
    await applyCustomFields(tx, ctx, 'activities', values, existing);
    return values;
  },
} satisfies ResourceDef);

export const productService = new ResourceService({
  entity: 'products',
  ...listsOf('products'),
  label: 'Product',
  table: products,
  defaultSort: 'name',
  search: (q) => sql`(${products.name} ilike ${like(q)} or ${products.sku} ilike ${like(q)})`,
  extraFilter: customFilter('products', products),
  async prepare(tx, ctx, values, existing) {
    await applyCustomFields(tx, ctx, 'products', values, existing);
    return values;
  },
} satisfies ResourceDef);

export const pipelineService = new ResourceService({
  entity: 'pipelines',
  ...listsOf('pipelines'),
  label: 'Pipeline',
  table: pipelines,
  defaultSort: 'created_at',
  search: (q) => sql`${pipelines.name} ilike ${like(q)}`,
  async prepare(tx, ctx, values, existing) {
    if (existing && values.stages) {
      // Removing a stage that opportunities still use would orphan them.
      const keys = new Set((values.stages as Stage[]).map((s) => s.key));
      const used = await tx
        .selectDistinct({ stage: opportunities.stage })
        .from(opportunities)
        .where(
          and(eq(opportunities.tenant_id, ctx.tenantId), eq(opportunities.pipeline_id, String(existing.id))),
        );
      const orphaned = used.map((u) => u.stage).filter((s) => !keys.has(s));
      if (orphaned.length) {
        throw unprocessable('Stages still in use cannot be removed', [
          { field: 'stages', reason: `opportunities are in: ${orphaned.join(', ')}` },
        ]);
      }
    }
    if (values.is_default === true) {
      await tx.update(pipelines).set({ is_default: false }).where(eq(pipelines.tenant_id, ctx.tenantId));
    }
    return values;
  },
} satisfies ResourceDef);

export const customFieldService = new ResourceService({
  entity: 'custom_fields',
  ...listsOf('custom_fields'),
  label: 'Custom field',
  table: customFields,
  defaultSort: 'created_at',
  search: (q) => sql`(${customFields.key} ilike ${like(q)} or ${customFields.label} ilike ${like(q)})`,
  async prepare(_tx, _ctx, values, existing) {
    const type = (values.type ?? existing?.type) as string;
    const options = (values.options ?? existing?.options ?? []) as string[];
    if ((type === 'select' || type === 'multiselect') && options.length === 0) {
      throw unprocessable('Select fields need options', [
        { field: 'options', reason: 'at least one option' },
      ]);
    }
    if (existing && (values.entity !== undefined || values.key !== undefined)) {
      if (
        (values.entity ?? existing.entity) !== existing.entity ||
        (values.key ?? existing.key) !== existing.key
      ) {
        throw unprocessable('entity and key cannot change', [
          { field: 'key', reason: 'create a new field instead' },
        ]);
      }
    }
    return values;
  },
} satisfies ResourceDef);

export const regionService = new ResourceService({
  entity: 'regions',
  ...listsOf('regions'),
  label: 'Region',
  table: regions,
  defaultSort: 'name',
  search: (q) => sql`${regions.name} ilike ${like(q)}`,
} satisfies ResourceDef);

export const teamService = new ResourceService({
  entity: 'teams',
  ...listsOf('teams'),
  label: 'Team',
  table: teams,
  defaultSort: 'name',
  search: (q) => sql`${teams.name} ilike ${like(q)}`,
  async prepare(tx, ctx, values) {
    await assertRefs(tx, ctx, values, {
      region_id: { table: regions, label: 'region' },
      leader_id: { table: users, label: 'user' },
    });
    return values;
  },
} satisfies ResourceDef);

export const crmServices = {
  accounts: accountService,
  contacts: contactService,
  opportunities: opportunityService,
  activities: activityService,
  products: productService,
} as const;
export type ImportableEntity = keyof typeof crmServices;
