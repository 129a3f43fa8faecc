import { authModule } from '../platform/auth/auth.routes.js';
import type { ModuleDefinition } from '../platform/modules/module-definition.js';
import { sharingModule } from '../platform/sharing/sharing.routes.js';
import { crmModule } from './crm/crm.module.js';
import { graphqlModule } from './graphql/graphql.module.js';
import { interventionsModule } from './interventions/interventions.module.js';
import { mappingsModule } from './mappings/mappings.module.js';
import { oauthModule } from './oauth/oauth.module.js';
import { predictModule } from './predict/predict.module.js';
import { signalsModule } from './signals/signals.module.js';
import { sovereigntyModule } from './sovereignty/sovereignty.module.js';
import { webhooksModule } from './webhooks/webhooks.module.js';

/**
 * Every module of the product, in mount order: one definition each (routes, events, jobs,
 * timelines, permissions, CLI commands — see docs/architecture.md "How to add a module").
 */
export const appModules: readonly ModuleDefinition[] = [
  sharingModule, // first: binds every request's actor to the sharing caches
  authModule,
  crmModule,
  signalsModule,
  interventionsModule,
  predictModule,
  graphqlModule,
  mappingsModule,
  oauthModule,
  sovereigntyModule,
  webhooksModule, // last: its fan-out handles every module's events
];
