import { z } from 'zod';
import type { TypedApp } from '../../platform/http/app.js';
import { registerResourceRoutes } from '../../platform/records/resource-routes.js';
import {
  accountService,
  activityService,
  contactService,
  customFieldService,
  opportunityService,
  pipelineService,
  productService,
  regionService,
  teamService,
} from './crm.service.js';
import {
  ACTIVITY_STATUSES,
  ACTIVITY_TYPES,
  accountInput,
  activityInput,
  COMMITTEE_ROLES,
  contactInput,
  customFieldInput,
  opportunityInput,
  pipelineInput,
  productInput,
  regionInput,
  STANCES,
  teamInput,
} from './crm.validation.js';
import { registerImportExportRoutes } from './crm-import.routes.js';

const base = { id: z.string(), tenant_id: z.string(), created_at: z.string(), updated_at: z.string() };
const nstr = z.string().nullable();
const strs = z.array(z.string());
const custom = z.record(z.string(), z.unknown());
const withReason = <T extends z.ZodObject>(s: T) =>
  s
    .partial()
    .extend({ change_reason: z.string().max(500).optional().describe('Why (kept in the audit trail)') });

const accountOut = z.object({
  ...base,
  name: z.string(),
  aliases: strs,
  domains: strs,
  credit_code: nstr,
  industry: nstr,
  region_id: nstr,
  size: nstr,
  employees: z.number().nullable(),
  owner_id: nstr,
  tags: strs,
  website: nstr,
  phone: nstr,
  address: nstr,
  description: nstr,
  custom,
});
const contactOut = z.object({
  ...base,
  name: z.string(),
  name_en: nstr,
  account_id: nstr,
  emails: strs,
  phones: strs,
  title: nstr,
  department: nstr,
  committee_role: z.enum(COMMITTEE_ROLES).nullable(),
  account_name: nstr.optional(),
  influence: z.number().nullable(),
  stance: z.enum(STANCES).nullable(),
  preferences: strs,
  owner_id: nstr,
  tags: strs,
  custom,
});
const opportunityOut = z.object({
  ...base,
  name: z.string(),
  account_id: z.string(),
  account_name: nstr.optional(),
  pipeline_id: z.string(),
  stage: z.string(),
  status: z.enum(['open', 'won', 'lost']),
  amount: z.number(),
  currency: z.string(),
  expected_close_date: z.string(),
  probability: z.number(),
  owner_id: nstr,
  team_id: nstr,
  region_id: nstr,
  product_ids: strs,
  close_reason: nstr,
  closed_at: nstr,
  stage_changed_at: z.string(),
  custom,
});
const activityOut = z.object({
  ...base,
  type: z.enum(ACTIVITY_TYPES),
  subject: z.string(),
  body: nstr,
  occurred_at: z.string(),
  duration_minutes: z.number().nullable(),
  status: z.enum(ACTIVITY_STATUSES),
  account_id: nstr,
  opportunity_id: nstr,
  account_name: nstr.optional(),
  contact_ids: strs,
  owner_id: nstr,
  participants: strs,
  custom,
});
const productOut = z.object({
  ...base,
  name: z.string(),
  sku: nstr,
  family: nstr,
  unit_price: z.number().nullable(),
  currency: z.string(),
  active: z.boolean(),
  description: nstr,
  custom,
});
const pipelineOut = z.object({
  ...base,
  name: z.string(),
  is_default: z.boolean(),
  stages: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      name_en: z.string().optional(),
      probability: z.number(),
      kind: z.enum(['open', 'won', 'lost']),
    }),
  ),
});
const customFieldOut = z.object({
  ...base,
  entity: z.string(),
  key: z.string(),
  label: z.string(),
  label_en: nstr,
  type: z.string(),
  options: strs,
  required: z.boolean(),
});
const regionOut = z.object({ ...base, name: z.string(), code: nstr, parent_id: nstr });
const teamOut = z.object({ ...base, name: z.string(), region_id: nstr, leader_id: nstr });

const opt = z.string().optional();
const crmRW = { read: 'crm:read', write: 'crm:write', delete: 'crm:delete' } as const;
const settingsRW = { read: 'crm:read', write: 'settings:manage', delete: 'settings:manage' } as const;

/** The CRM's HTTP routes: the nine record resources, import/export. */
export function crmRoutes(app: TypedApp): void {
  registerResourceRoutes(app, accountService, {
    tag: 'Accounts',
    createSchema: accountInput,
    updateSchema: withReason(accountInput),
    outputSchema: accountOut,
    filterSchema: z.object({
      owner_id: opt,
      region_id: opt,
      industry: opt,
      tag: opt,
      domain: opt,
      credit_code: opt,
    }),
    permissions: crmRW,
    history: true,
  });
  registerResourceRoutes(app, contactService, {
    tag: 'Contacts',
    createSchema: contactInput,
    updateSchema: withReason(contactInput),
    outputSchema: contactOut,
    filterSchema: z.object({
      account_id: opt,
      owner_id: opt,
      committee_role: opt,
      stance: opt,
      email: opt,
      tag: opt,
    }),
    permissions: crmRW,
    history: true,
  });
  registerResourceRoutes(app, opportunityService, {
    tag: 'Opportunities',
    createSchema: opportunityInput,
    updateSchema: withReason(opportunityInput),
    outputSchema: opportunityOut,
    filterSchema: z.object({
      account_id: opt,
      owner_id: opt,
      team_id: opt,
      region_id: opt,
      pipeline_id: opt,
      stage: opt.describe('comma-separated stage keys'),
      status: opt.describe('open,won,lost'),
      currency: opt,
      amount_min: opt,
      amount_max: opt,
      close_from: opt,
      close_to: opt,
    }),
    permissions: crmRW,
    history: true,
  });
  registerResourceRoutes(app, activityService, {
    tag: 'Activities',
    createSchema: activityInput,
    updateSchema: withReason(activityInput),
    outputSchema: activityOut,
    filterSchema: z.object({
      type: opt,
      status: opt,
      account_id: opt,
      opportunity_id: opt,
      owner_id: opt,
      contact_id: opt,
      from: opt,
      to: opt,
    }),
    permissions: crmRW,
  });
  registerResourceRoutes(app, productService, {
    tag: 'Products',
    createSchema: productInput,
    updateSchema: withReason(productInput),
    outputSchema: productOut,
    filterSchema: z.object({ family: opt, active: opt }),
    permissions: settingsRW,
  });
  registerResourceRoutes(app, pipelineService, {
    tag: 'Pipelines',
    createSchema: pipelineInput,
    updateSchema: withReason(pipelineInput),
    outputSchema: pipelineOut,
    filterSchema: z.object({}),
    permissions: settingsRW,
  });
  registerResourceRoutes(app, customFieldService, {
    tag: 'Custom fields',
    createSchema: customFieldInput,
    updateSchema: withReason(customFieldInput),
    outputSchema: customFieldOut,
    filterSchema: z.object({ entity: opt }),
    permissions: settingsRW,
  });
  registerResourceRoutes(app, regionService, {
    tag: 'Regions',
    createSchema: regionInput,
    updateSchema: withReason(regionInput),
    outputSchema: regionOut,
    filterSchema: z.object({}),
    permissions: settingsRW,
  });
  registerResourceRoutes(app, teamService, {
    tag: 'Teams',
    createSchema: teamInput,
    updateSchema: withReason(teamInput),
    outputSchema: teamOut,
    filterSchema: z.object({ region_id: opt }),
    permissions: settingsRW,
  });
  registerImportExportRoutes(app);
}
