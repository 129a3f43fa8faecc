import { type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { Locale } from '../../platform/http/locale.js';
import {
  type FieldSpec,
  inputSchemaOf,
  outputSchemaOf,
  resourceLists,
} from '../../platform/records/fields.js';
import type { FilterDef } from '../../platform/records/resource.js';
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
import {
  ACTIVITY_STATUSES,
  ACTIVITY_TYPES,
  COMMITTEE_ROLES,
  CURRENCIES,
  CUSTOM_FIELD_TYPES,
  CUSTOMIZABLE_ENTITIES,
  creditCode,
  customValues,
  domain,
  isoDate,
  OPPORTUNITY_STATUSES,
  phoneText,
  STANCES,
  strList,
  webAddress,
} from './crm.validation.js';

/**
 * The CRM's entities, one definition each: every field once, with how it is written (zod input),
 * read (response schema), tracked, sorted, filtered, imported (column name, how a cell is read,
 * the header names that map to it in Chinese and English) and labelled (for import reasons in
 * business words). The resource definitions (crm.service.ts), the routes' request, response and
 * filter schemas (crm.routes.ts), the import columns and their header synonyms and the export
 * columns (crm-import.*) are all derived from here.
 */

/** How an import reads a cell of the field (before the field's zod input checks it). */
export type ImportParse =
  | 'text'
  | 'list'
  | 'integer'
  | 'money'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'lowercase'
  | 'uppercase'
  | 'user'
  | 'account'
  | 'stage';

export interface ImportSpec {
  /** The import column when it is not the field: `owner` (a user's email or name) for owner_id … */
  column?: string;
  parse: ImportParse;
  /** File headers that map to the column (compared case- and punctuation-insensitively). */
  synonyms: readonly string[];
}

export interface CrmField extends FieldSpec {
  label?: Record<Locale, string>;
  import?: ImportSpec;
}

const label = (en: string, zh: string): Record<Locale, string> => ({ en, 'zh-CN': zh });

// ---------- shared pieces ----------

const nstr = z.string().nullable();
const strs = z.array(z.string());
const nnum = z.number().nullable();
/** The columns every record has, first in every response. */
const base = { id: z.string(), tenant_id: z.string(), created_at: z.string(), updated_at: z.string() };

const uuidFilter = (column: PgColumn): FilterDef => ({ column, op: 'eq', schema: z.uuid() });
const eqFilter = (column: PgColumn): FilterDef => ({ column, op: 'eq' });
const containsFilter = (column: PgColumn | SQL): FilterDef => ({ column, op: 'contains' });

/** Header names shared by fields of several entities (a `name` column means the record's name). */
const HEADERS = {
  name: [
    'name',
    'company',
    'company name',
    'account name',
    'full name',
    'contact name',
    'opportunity name',
    'deal name',
    'product name',
    '名称',
    '公司',
    '公司名称',
    '客户名称',
    '企业名称',
    '姓名',
    '联系人',
    '商机名称',
    '机会名称',
    '产品名称',
  ],
  owner: ['owner', 'owner email', 'account owner', 'sales rep', '负责人', '销售', '所有人', '负责人邮箱'],
  account: ['account', 'account name', 'company', 'customer', '客户', '所属客户', '公司', '客户名称'],
  tags: ['tags', 'tag', 'labels', '标签'],
  description: ['description', 'notes', '描述', '备注', '简介'],
  currency: ['currency', '币种', '货币'],
  status: ['status', '状态'],
} as const;

const created = (table: { created_at: PgColumn }) => ({ sort: table.created_at }) satisfies CrmField;
const updated = (table: { updated_at: PgColumn }) => ({ sort: table.updated_at }) satisfies CrmField;

const owner = (column: PgColumn) =>
  ({
    label: label('Owner', '负责人'),
    input: z.uuid().nullable().optional(),
    output: nstr,
    filters: { owner_id: uuidFilter(column) },
    import: { column: 'owner', parse: 'user', synonyms: HEADERS.owner },
  }) satisfies CrmField;

const tags = (column: PgColumn) =>
  ({
    label: label('Tags', '标签'),
    input: strList().optional(),
    output: strs,
    filters: { tag: containsFilter(column) },
    import: { parse: 'list', synonyms: HEADERS.tags },
  }) satisfies CrmField;

const customField = { input: customValues.optional(), output: customValues } satisfies CrmField;

/** The account a record belongs to: imported by the account's name or credit code. */
const accountRef = (column: PgColumn, input: z.ZodType, output: z.ZodType) =>
  ({
    label: label('Account', '客户'),
    input,
    output,
    filters: { account_id: uuidFilter(column) },
    import: { column: 'account', parse: 'account', synonyms: HEADERS.account },
  }) satisfies CrmField;

/** `account_name`: added to list rows on `include=account_name` (read-only). */
const accountName = { output: nstr.optional() } satisfies CrmField;

// ---------- accounts ----------

export const accountFields = {
  name: {
    label: label('Name', '名称'),
    input: z.string().trim().min(1, 'required').max(300),
    output: z.string(),
    sort: accounts.name_pinyin,
    import: { parse: 'text', synonyms: HEADERS.name },
  },
  aliases: {
    label: label('Aliases', '别名'),
    input: strList().optional(),
    output: strs,
    import: { parse: 'list', synonyms: ['aliases', 'alias', '别名', '简称'] },
  },
  domains: {
    label: label('Domains', '域名'),
    input: z.array(domain).max(20).optional(),
    output: strs,
    filters: { domain: containsFilter(accounts.domains) },
    import: { parse: 'list', synonyms: ['domains', 'domain', 'website domain', '域名'] },
  },
  credit_code: {
    label: label('Unified social credit code', '统一社会信用代码'),
    input: creditCode.nullable().optional(),
    output: nstr,
    filters: { credit_code: eqFilter(accounts.credit_code) },
    import: {
      parse: 'text',
      synonyms: [
        'credit code',
        'credit_code',
        'unified social credit code',
        'uscc',
        '统一社会信用代码',
        '信用代码',
      ],
    },
  },
  industry: {
    label: label('Industry', '行业'),
    input: z.string().trim().max(100).nullable().optional(),
    output: nstr,
    filters: { industry: eqFilter(accounts.industry) },
    import: { parse: 'text', synonyms: ['industry', '行业'] },
  },
  region_id: {
    label: label('Region', '区域'),
    input: z.uuid().nullable().optional(),
    output: nstr,
    filters: { region_id: uuidFilter(accounts.region_id) },
  },
  size: {
    label: label('Size', '规模'),
    input: z.string().trim().max(50).nullable().optional(),
    output: nstr,
    import: { parse: 'text', synonyms: ['size', 'company size', '规模'] },
  },
  employees: {
    label: label('Employees', '员工数'),
    input: z.number().int().min(0).nullable().optional(),
    output: nnum,
    import: { parse: 'integer', synonyms: ['employees', 'employee count', 'headcount', '员工数', '人数'] },
  },
  owner_id: owner(accounts.owner_id),
  tags: tags(accounts.tags),
  website: {
    label: label('Website', '网站'),
    input: webAddress.nullable().optional(),
    output: nstr,
    import: { parse: 'text', synonyms: ['website', 'url', 'web', '官网', '网站'] },
  },
  phone: {
    label: label('Phone', '电话'),
    input: phoneText(true).nullable().optional(),
    output: nstr,
    import: { parse: 'text', synonyms: ['phone', 'telephone', 'tel', '电话', '联系电话'] },
  },
  address: {
    label: label('Address', '地址'),
    input: z.string().trim().max(500).nullable().optional(),
    output: nstr,
    import: { parse: 'text', synonyms: ['address', '地址'] },
  },
  description: {
    label: label('Description', '描述'),
    input: z.string().max(10_000).nullable().optional(),
    output: nstr,
    import: { parse: 'text', synonyms: HEADERS.description },
  },
  custom: customField,
  created_at: created(accounts),
  updated_at: updated(accounts),
} satisfies Record<string, CrmField>;

// ---------- contacts ----------

export const contactFields = {
  name: {
    label: label('Name', '姓名'),
    input: z.string().trim().min(1, 'required').max(200),
    output: z.string(),
    sort: contacts.name_pinyin,
    import: { parse: 'text', synonyms: HEADERS.name },
  },
  name_en: {
    label: label('English name', '英文名'),
    input: z.string().trim().max(200).nullable().optional(),
    output: nstr,
    import: { parse: 'text', synonyms: ['english name', 'name_en', 'name (en)', '英文名'] },
  },
  account_id: accountRef(contacts.account_id, z.uuid().nullable().optional(), nstr),
  emails: {
    label: label('Emails', '邮箱'),
    input: z.array(z.email('not an email address').trim().toLowerCase()).max(10).optional(),
    output: strs,
    filters: { email: containsFilter(contacts.emails) },
    import: { parse: 'list', synonyms: ['email', 'emails', 'e-mail', 'mail', '邮箱', '电子邮件'] },
  },
  phones: {
    label: label('Phones', '电话'),
    input: z.array(phoneText(false)).max(10).optional(),
    output: strs,
    import: { parse: 'list', synonyms: ['phone', 'phones', 'mobile', 'cell', '手机', '电话', '手机号'] },
  },
  title: {
    label: label('Title', '职位'),
    input: z.string().trim().max(200).nullable().optional(),
    output: nstr,
    import: { parse: 'text', synonyms: ['title', 'job title', 'position', '职位', '职务', '头衔'] },
  },
  department: {
    label: label('Department', '部门'),
    input: z.string().trim().max(200).nullable().optional(),
    output: nstr,
    import: { parse: 'text', synonyms: ['department', 'dept', '部门'] },
  },
  committee_role: {
    label: label('Buying committee role', '采购角色'),
    input: z.enum(COMMITTEE_ROLES).nullable().optional(),
    output: z.enum(COMMITTEE_ROLES).nullable(),
    filters: { committee_role: eqFilter(contacts.committee_role) },
    import: {
      parse: 'lowercase',
      synonyms: ['committee role', 'buying role', 'role', '角色', '决策角色'],
    },
  },
  account_name: accountName,
  influence: {
    label: label('Influence', '影响力'),
    input: z.number().int().min(1).max(5).nullable().optional(),
    output: nnum,
    import: { parse: 'integer', synonyms: ['influence', '影响力'] },
  },
  stance: {
    label: label('Stance', '立场'),
    input: z.enum(STANCES).nullable().optional(),
    output: z.enum(STANCES).nullable(),
    filters: { stance: eqFilter(contacts.stance) },
    import: { parse: 'lowercase', synonyms: ['stance', 'attitude', '态度', '立场'] },
  },
  preferences: {
    label: label('Cares about', '关注点'),
    input: strList().optional(),
    output: strs,
    import: { parse: 'list', synonyms: ['preferences', 'cares about', '偏好', '关注点'] },
  },
  owner_id: owner(contacts.owner_id),
  tags: tags(contacts.tags),
  custom: customField,
  created_at: created(contacts),
  updated_at: updated(contacts),
} satisfies Record<string, CrmField>;

// ---------- opportunities ----------

export const opportunityFields = {
  name: {
    label: label('Name', '商机名称'),
    input: z.string().trim().min(1, 'required').max(300),
    output: z.string(),
    sort: opportunities.name_pinyin,
    import: { parse: 'text', synonyms: HEADERS.name },
  },
  account_id: accountRef(opportunities.account_id, z.uuid('must be an account id'), z.string()),
  account_name: accountName,
  pipeline_id: {
    label: label('Pipeline', '销售流程'),
    input: z.uuid().optional().describe('Defaults to the tenant default pipeline'),
    output: z.string(),
    filters: { pipeline_id: uuidFilter(opportunities.pipeline_id) },
  },
  stage: {
    label: label('Stage', '阶段'),
    input: z.string().trim().min(1).optional().describe('Stage key; defaults to the first stage'),
    output: z.string(),
    filters: {
      stage: {
        column: opportunities.stage,
        op: 'in',
        schema: z.array(z.string().min(1)),
        description: 'comma-separated stage keys',
      },
    },
    import: { parse: 'stage', synonyms: ['stage', 'deal stage', 'sales stage', '阶段', '销售阶段'] },
  },
  status: {
    // Follows the stage's kind; not written by clients, but tracked.
    tracked: true,
    output: z.enum(OPPORTUNITY_STATUSES),
    filters: {
      status: {
        column: opportunities.status,
        op: 'in',
        schema: z.array(z.enum(OPPORTUNITY_STATUSES)),
        description: 'open,won,lost',
      },
    },
  },
  amount: {
    label: label('Amount', '金额'),
    input: z.number().min(0, 'must not be negative').max(1e15),
    output: z.number(),
    sort: opportunities.amount,
    filters: {
      amount_min: { column: opportunities.amount, op: 'gte', schema: z.coerce.number() },
      amount_max: { column: opportunities.amount, op: 'lte', schema: z.coerce.number() },
    },
    import: {
      parse: 'money',
      synonyms: ['amount', 'value', 'deal value', 'deal amount', '金额', '商机金额', '合同金额'],
    },
  },
  currency: {
    label: label('Currency', '币种'),
    input: z.enum(CURRENCIES).optional(),
    output: z.string(),
    filters: { currency: eqFilter(opportunities.currency) },
    import: { parse: 'uppercase', synonyms: HEADERS.currency },
  },
  expected_close_date: {
    label: label('Expected close date', '预计成交日期'),
    input: isoDate,
    output: z.string(),
    sort: opportunities.expected_close_date,
    filters: {
      close_from: { column: opportunities.expected_close_date, op: 'gte', schema: z.iso.date() },
      close_to: { column: opportunities.expected_close_date, op: 'lte', schema: z.iso.date() },
    },
    import: {
      parse: 'date',
      synonyms: [
        'close date',
        'expected close date',
        'expected_close_date',
        'closing date',
        '预计成交日期',
        '预计签约日期',
        '成交日期',
      ],
    },
  },
  probability: {
    label: label('Probability', '赢率'),
    input: z.number().int().min(0).max(100).optional().describe('Defaults to the stage probability'),
    output: z.number(),
    sort: opportunities.probability,
    import: { parse: 'integer', synonyms: ['probability', 'win probability', '赢率', '概率'] },
  },
  owner_id: owner(opportunities.owner_id),
  team_id: {
    label: label('Team', '团队'),
    input: z.uuid().nullable().optional(),
    output: nstr,
    filters: { team_id: uuidFilter(opportunities.team_id) },
  },
  region_id: {
    label: label('Region', '区域'),
    input: z.uuid().nullable().optional(),
    output: nstr,
    filters: { region_id: uuidFilter(opportunities.region_id) },
  },
  product_ids: {
    label: label('Products', '产品'),
    input: z.array(z.uuid()).max(100).optional(),
    output: strs,
  },
  close_reason: {
    label: label('Close reason', '关单原因'),
    input: z.string().trim().max(1000).nullable().optional(),
    output: nstr,
    import: { parse: 'text', synonyms: ['close reason', 'reason', '输赢原因', '关闭原因'] },
  },
  closed_at: { output: nstr },
  stage_changed_at: { output: z.string() },
  custom: customField,
  created_at: created(opportunities),
  updated_at: updated(opportunities),
} satisfies Record<string, CrmField>;

// ---------- activities ----------

const dateOrDateTime = () => z.iso.datetime({ offset: true }).or(z.iso.date());

export const activityFields = {
  type: {
    label: label('Type', '类型'),
    input: z.enum(ACTIVITY_TYPES),
    output: z.enum(ACTIVITY_TYPES),
    filters: { type: { column: activities.type, op: 'in', schema: z.array(z.string()) } },
    import: { parse: 'lowercase', synonyms: ['type', 'activity type', '类型', '活动类型'] },
  },
  subject: {
    label: label('Subject', '主题'),
    input: z.string().trim().min(1, 'required').max(300),
    output: z.string(),
    import: { parse: 'text', synonyms: ['subject', 'title', '主题', '标题'] },
  },
  body: {
    label: label('Notes', '记录'),
    input: z.string().max(100_000).nullable().optional(),
    output: nstr,
    import: { parse: 'text', synonyms: ['body', 'notes', 'content', '内容', '纪要'] },
  },
  occurred_at: {
    label: label('Time', '时间'),
    input: z.iso.datetime({ offset: true, message: 'an ISO date-time, e.g. 2026-03-01T09:30:00+08:00' }),
    output: z.string(),
    sort: activities.occurred_at,
    filters: {
      from: { column: activities.occurred_at, op: 'gte', schema: dateOrDateTime() },
      to: { column: activities.occurred_at, op: 'lte', schema: dateOrDateTime() },
    },
    import: {
      parse: 'datetime',
      synonyms: ['date', 'time', 'occurred at', 'occurred_at', 'datetime', '时间', '日期', '发生时间'],
    },
  },
  duration_minutes: {
    label: label('Duration (minutes)', '时长（分钟）'),
    input: z.number().int().min(0).max(100_000).nullable().optional(),
    output: nnum,
    import: { parse: 'integer', synonyms: ['duration', 'duration minutes', 'minutes', '时长', '时长(分钟)'] },
  },
  status: {
    label: label('Status', '状态'),
    input: z.enum(ACTIVITY_STATUSES).optional(),
    output: z.enum(ACTIVITY_STATUSES),
    filters: { status: eqFilter(activities.status) },
    import: { parse: 'lowercase', synonyms: HEADERS.status },
  },
  account_id: accountRef(activities.account_id, z.uuid().nullable().optional(), nstr),
  opportunity_id: {
    label: label('Opportunity', '商机'),
    input: z.uuid().nullable().optional(),
    output: nstr,
    filters: { opportunity_id: uuidFilter(activities.opportunity_id) },
  },
  account_name: accountName,
  contact_ids: {
    label: label('Contacts', '联系人'),
    input: z.array(z.uuid()).max(100).optional(),
    output: strs,
    filters: {
      contact_id: { column: sql`${activities.contact_ids}::text[]`, op: 'contains', schema: z.uuid() },
    },
  },
  owner_id: owner(activities.owner_id),
  participants: {
    label: label('Participants', '参与人'),
    input: strList(100).optional(),
    output: strs,
    import: { parse: 'list', synonyms: ['participants', 'attendees', '参与人', '参会人'] },
  },
  custom: customField,
  created_at: created(activities),
  updated_at: updated(activities),
} satisfies Record<string, CrmField>;

// ---------- products ----------

export const productFields = {
  name: {
    label: label('Name', '产品名称'),
    input: z.string().trim().min(1, 'required').max(300),
    output: z.string(),
    sort: products.name,
    import: { parse: 'text', synonyms: HEADERS.name },
  },
  sku: {
    label: label('SKU', '产品编码'),
    input: z.string().trim().max(100).nullable().optional(),
    output: nstr,
    import: { parse: 'text', synonyms: ['sku', 'product code', 'code', '编码', '产品编码'] },
  },
  family: {
    label: label('Product family', '产品线'),
    input: z.string().trim().max(100).nullable().optional(),
    output: nstr,
    filters: { family: eqFilter(products.family) },
    import: { parse: 'text', synonyms: ['family', 'category', 'product family', '产品线', '类别'] },
  },
  unit_price: {
    label: label('Unit price', '单价'),
    input: z.number().min(0).nullable().optional(),
    output: nnum,
    import: { parse: 'money', synonyms: ['unit price', 'price', 'list price', '单价', '价格'] },
  },
  currency: {
    label: label('Currency', '币种'),
    input: z.enum(CURRENCIES).optional(),
    output: z.string(),
    import: { parse: 'uppercase', synonyms: HEADERS.currency },
  },
  active: {
    label: label('Active', '启用'),
    input: z.boolean().optional(),
    output: z.boolean(),
    filters: {
      active: {
        column: products.active,
        op: 'eq',
        schema: z.enum(['true', 'false']).transform((v) => v === 'true'),
      },
    },
    import: { parse: 'boolean', synonyms: ['active', 'enabled', '启用', '是否启用'] },
  },
  description: {
    label: label('Description', '描述'),
    input: z.string().max(10_000).nullable().optional(),
    output: nstr,
    import: { parse: 'text', synonyms: HEADERS.description },
  },
  custom: customField,
  created_at: created(products),
  updated_at: updated(products),
} satisfies Record<string, CrmField>;

// ---------- settings records: pipelines, custom fields, regions, teams ----------

export const stageInput = z.object({
  key: z
    .string()
    .trim()
    .regex(/^[a-z0-9_]{1,40}$/, 'lowercase letters, digits and _'),
  name: z.string().trim().min(1).max(100),
  name_en: z.string().trim().max(100).optional(),
  probability: z.number().int().min(0).max(100),
  kind: z.enum(OPPORTUNITY_STATUSES),
});

export const pipelineFields = {
  name: { input: z.string().trim().min(1).max(200), output: z.string(), sort: pipelines.name },
  is_default: { input: z.boolean().optional(), output: z.boolean() },
  stages: {
    input: z
      .array(stageInput)
      .min(2, 'a pipeline needs at least two stages')
      .max(30)
      .refine((s) => new Set(s.map((x) => x.key)).size === s.length, 'stage keys must be unique')
      .refine(
        (s) => s.some((x) => x.kind === 'won') && s.some((x) => x.kind === 'lost'),
        'needs a won and a lost stage',
      ),
    output: z.array(
      z.object({
        key: z.string(),
        name: z.string(),
        name_en: z.string().optional(),
        probability: z.number(),
        kind: z.enum(OPPORTUNITY_STATUSES),
      }),
    ),
  },
  created_at: created(pipelines),
} satisfies Record<string, CrmField>;

export const customFieldFields = {
  entity: {
    input: z.enum(CUSTOMIZABLE_ENTITIES),
    output: z.string(),
    filters: { entity: eqFilter(customFields.entity) },
  },
  key: {
    input: z
      .string()
      .trim()
      .regex(/^[a-z][a-z0-9_]{0,39}$/, 'lowercase letters, digits and _, starting with a letter'),
    output: z.string(),
    sort: customFields.key,
  },
  label: { input: z.string().trim().min(1).max(100), output: z.string() },
  label_en: { input: z.string().trim().max(100).nullable().optional(), output: nstr },
  type: { input: z.enum(CUSTOM_FIELD_TYPES), output: z.string() },
  options: { input: strList(200).optional(), output: strs },
  required: { input: z.boolean().optional(), output: z.boolean() },
  created_at: created(customFields),
} satisfies Record<string, CrmField>;

export const regionFields = {
  name: { input: z.string().trim().min(1).max(100), output: z.string(), sort: regions.name },
  code: { input: z.string().trim().max(20).nullable().optional(), output: nstr },
  parent_id: { input: z.uuid().nullable().optional(), output: nstr },
  created_at: created(regions),
} satisfies Record<string, CrmField>;

export const teamFields = {
  name: { input: z.string().trim().min(1).max(100), output: z.string(), sort: teams.name },
  region_id: {
    input: z.uuid().nullable().optional(),
    output: nstr,
    filters: { region_id: uuidFilter(teams.region_id) },
  },
  leader_id: { input: z.uuid().nullable().optional(), output: nstr },
  created_at: created(teams),
} satisfies Record<string, CrmField>;

// ---------- what is derived ----------

export const crmFields = {
  accounts: accountFields,
  contacts: contactFields,
  opportunities: opportunityFields,
  activities: activityFields,
  products: productFields,
  pipelines: pipelineFields,
  custom_fields: customFieldFields,
  regions: regionFields,
  teams: teamFields,
} as const;

/** The resource definition's lists (fields, sortable, filters) of an entity. */
export const listsOf = (entity: keyof typeof crmFields) => resourceLists(crmFields[entity]);

export const accountInput = inputSchemaOf(accountFields);
export const contactInput = inputSchemaOf(contactFields);
export const opportunityInput = inputSchemaOf(opportunityFields);
export const activityInput = inputSchemaOf(activityFields);
export const productInput = inputSchemaOf(productFields);
export const pipelineInput = inputSchemaOf(pipelineFields);
export const customFieldInput = inputSchemaOf(customFieldFields);
export const regionInput = inputSchemaOf(regionFields);
export const teamInput = inputSchemaOf(teamFields);

/** The response record of an entity: id, tenant and timestamps, then its fields in order. */
export const outputOf = (entity: keyof typeof crmFields) => outputSchemaOf(crmFields[entity], base);
