import { and, eq, inArray } from 'drizzle-orm';
import { defineModule, resourceEvents } from '../../platform/modules/module-definition.js';
import { registerCrmCommands } from './crm.cli.js';
import { crmRoutes } from './crm.routes.js';
import { teams } from './crm.schema.js';
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
import { crmTimelines } from './crm.timeline.js';
import { DIRECTORY_ENTITIES, invalidateCrmDirectory } from './crm-directory.service.js';
import { decisionGraphRoutes } from './decision-graph.routes.js';

/** Record events that change the CRM directory (crm-directory.service.ts). */
const DIRECTORY_CHANGES = DIRECTORY_ENTITIES.flatMap((e) =>
  ['created', 'updated', 'deleted', 'imported'].map((a) => `${e}.${a}`),
);

/** The CRM core: accounts, contacts, opportunities, activities and their settings. */
export const crmModule = defineModule({
  name: 'crm',
  summary:
    'Accounts, contacts, opportunities, activities, products, pipelines, custom fields, regions and teams; file import and export.',
  permissions: ['crm:read', 'crm:write', 'crm:delete', 'crm:import', 'crm:export', 'settings:manage'],
  publishes: resourceEvents(
    accountService,
    contactService,
    opportunityService,
    activityService,
    productService,
    pipelineService,
    customFieldService,
    regionService,
    teamService,
  ),
  subscriptions: [
    {
      // The directory other modules read (signals' entity resolution, interventions) is cached per
      // tenant on the platform; any account/contact/opportunity change drops the tenant's copy.
      on: DIRECTORY_CHANGES,
      handler: 'crm.invalidate-directory',
      run: async (platform, ev) => invalidateCrmDirectory(platform.caches, ev.tenant_id),
    },
  ],
  timelines: crmTimelines,
  setup(platform) {
    // Records can be shared with a team: the sharing service learns team names from the CRM.
    platform.sharing.useTeamDirectory({
      async names(tx, ctx, ids) {
        const rows = await tx
          .select({ id: teams.id, name: teams.name })
          .from(teams)
          .where(and(eq(teams.tenant_id, ctx.tenantId), inArray(teams.id, ids)));
        return new Map(rows.map((r) => [r.id, r.name]));
      },
    });
  },
  routes(app) {
    crmRoutes(app);
    decisionGraphRoutes(app);
  },
  cli: registerCrmCommands,
});
