import { and, eq, inArray } from 'drizzle-orm';
import { defineModule, resourceEvents } from '../../platform/modules/module-definition.js';
import { registerCrmCommands } from './crm.cli.js';
import { crmPersonalData } from './crm.personal-data.js';
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
import { crmMergeRoutes } from './crm-merge.routes.js';
import { mergeTimeline } from './crm-merge.timeline.js';
import { decisionGraphRoutes } from './decision-graph.routes.js';

/**
 * Merges (issue 16): other modules move their own rows (signals, interventions, predictions) on
 * these and write what they moved in the platform's record_moves ledger (batch = merge_id).
 */
const MERGE_EVENTS = [
  {
    name: 'accounts.merged',
    when: 'an account was merged into another (payload: merge_id, survivor_id, merged_id, merged_name, moved: the ids of the contacts, opportunities and activities moved); move rows about merged_id to survivor_id',
    when_zh:
      '客户已合并到另一客户（附合并记录、保留与被合并的客户、已转移的联系人/商机/活动）；请把被合并客户的数据转到保留客户',
  },
  {
    name: 'accounts.unmerged',
    when: 'an account merge was undone (same payload): move back exactly what was moved for merge_id',
    when_zh: '客户合并已撤销（内容同上）：请把该次合并转走的数据原样转回',
  },
  {
    name: 'contacts.merged',
    when: 'a contact was merged into another (payload: merge_id, survivor_id, merged_id, merged_name, moved: the activity ids); move rows about merged_id to survivor_id',
    when_zh: '联系人已合并到另一联系人（附合并记录与已转移的活动）；请把被合并联系人的数据转到保留联系人',
  },
  {
    name: 'contacts.unmerged',
    when: 'a contact merge was undone (same payload): move back exactly what was moved for merge_id',
    when_zh: '联系人合并已撤销（内容同上）：请把该次合并转走的数据原样转回',
  },
];

/** Record events that change the CRM directory (crm-directory.service.ts). */
const DIRECTORY_CHANGES = [
  ...DIRECTORY_ENTITIES.flatMap((e) => ['created', 'updated', 'deleted', 'imported'].map((a) => `${e}.${a}`)),
  ...MERGE_EVENTS.map((e) => e.name),
];

/** The CRM core: accounts, contacts, opportunities, activities and their settings. */
export const crmModule = defineModule({
  name: 'crm',
  summary:
    'Accounts, contacts, opportunities, activities, products, pipelines, custom fields, regions and teams; file import and export.',
  personalData: crmPersonalData,
  permissions: [
    'crm:read',
    'crm:write',
    'crm:delete',
    'crm:import',
    'crm:export',
    'crm:merge',
    'settings:manage',
  ],
  publishes: [
    ...resourceEvents(
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
    ...MERGE_EVENTS,
  ],
  subscriptions: [
    {
      // The directory other modules read (signals' entity resolution, interventions) is cached per
      // tenant on the platform; any account/contact/opportunity change drops the tenant's copy.
      on: DIRECTORY_CHANGES,
      handler: 'crm.invalidate-directory',
      run: async (platform, ev) => invalidateCrmDirectory(platform.caches, ev.tenant_id),
    },
  ],
  timelines: [...crmTimelines, mergeTimeline],
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
    // Before the record routes: /accounts/duplicates and the merged-record 404s.
    crmMergeRoutes(app);
    crmRoutes(app);
    decisionGraphRoutes(app);
  },
  cli: registerCrmCommands,
});
