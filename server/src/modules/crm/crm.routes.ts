import { z } from 'zod';
import type { TypedApp } from '../../platform/http/app.js';
import { recordLineage, recordLineageSchema } from '../../platform/records/insight-lineage.js';
import { errorResponses, idParams, registerResourceRoutes } from '../../platform/records/resource-routes.js';
import {
  accountInput,
  activityInput,
  contactInput,
  customFieldInput,
  opportunityInput,
  outputOf,
  pipelineInput,
  productInput,
  regionInput,
  teamInput,
} from './crm.fields.js';
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
import { registerImportExportRoutes } from './crm-import.routes.js';

const withReason = <T extends z.ZodObject>(s: T) =>
  s
    .partial()
    .extend({ change_reason: z.string().max(500).optional().describe('Why (kept in the audit trail)') });

const crmRW = { read: 'crm:read', write: 'crm:write', delete: 'crm:delete' } as const;
const settingsRW = { read: 'crm:read', write: 'settings:manage', delete: 'settings:manage' } as const;

/** The CRM's HTTP routes: the nine record resources, import/export. */
export function crmRoutes(app: TypedApp): void {
  registerResourceRoutes(app, accountService, {
    tag: 'Accounts',
    createSchema: accountInput,
    updateSchema: withReason(accountInput),
    outputSchema: outputOf('accounts'),
    permissions: crmRW,
    history: true,
  });
  registerResourceRoutes(app, contactService, {
    tag: 'Contacts',
    createSchema: contactInput,
    updateSchema: withReason(contactInput),
    outputSchema: outputOf('contacts'),
    permissions: crmRW,
    history: true,
  });
  registerResourceRoutes(app, opportunityService, {
    tag: 'Opportunities',
    createSchema: opportunityInput,
    updateSchema: withReason(opportunityInput),
    outputSchema: outputOf('opportunities'),
    permissions: crmRW,
    history: true,
  });
  registerResourceRoutes(app, activityService, {
    tag: 'Activities',
    createSchema: activityInput,
    updateSchema: withReason(activityInput),
    outputSchema: outputOf('activities'),
    permissions: crmRW,
  });
  app.get(
    '/activities/:id/lineage',
    {
      config: { permission: 'crm:read' },
      schema: {
        tags: ['Activities'],
        summary:
          "Every field's current value of an activity with where it came from, and how the activity was recorded",
        params: idParams,
        response: { 200: recordLineageSchema, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const row = await activityService.get(tx, ctx, req.params.id);
        return recordLineage(tx, ctx.tenantId, 'activities', row, activityService.def.fields);
      }),
  );
  registerResourceRoutes(app, productService, {
    tag: 'Products',
    createSchema: productInput,
    updateSchema: withReason(productInput),
    outputSchema: outputOf('products'),
    permissions: settingsRW,
  });
  registerResourceRoutes(app, pipelineService, {
    tag: 'Pipelines',
    createSchema: pipelineInput,
    updateSchema: withReason(pipelineInput),
    outputSchema: outputOf('pipelines'),
    permissions: settingsRW,
  });
  registerResourceRoutes(app, customFieldService, {
    tag: 'Custom fields',
    createSchema: customFieldInput,
    updateSchema: withReason(customFieldInput),
    outputSchema: outputOf('custom_fields'),
    permissions: settingsRW,
  });
  registerResourceRoutes(app, regionService, {
    tag: 'Regions',
    createSchema: regionInput,
    updateSchema: withReason(regionInput),
    outputSchema: outputOf('regions'),
    permissions: settingsRW,
  });
  registerResourceRoutes(app, teamService, {
    tag: 'Teams',
    createSchema: teamInput,
    updateSchema: withReason(teamInput),
    outputSchema: outputOf('teams'),
    permissions: settingsRW,
  });
  registerImportExportRoutes(app);
}
