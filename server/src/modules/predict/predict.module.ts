import { defineModule, resourceEvents } from '../../platform/modules/module-definition.js';
import { registerPredictCommands } from './predict.cli.js';
import { predictJobs, predictSubscriptions } from './predict.jobs.js';
import { predictMergeSubscriptions } from './predict.merge.js';
import { predictPersonalData } from './predict.personal-data.js';
import { predictRoutes } from './predict.routes.js';
import { quotaService } from './quota.service.js';

/** Predictions: win probability, revenue forecast, buying stage, lead scores, quotas. */
export const predictModule = defineModule({
  name: 'predict',
  summary:
    'Trains and serves the win-probability and lead-score models, the revenue forecast with snapshots, buying stages and sales quotas.',
  personalData: predictPersonalData,
  permissions: ['predict:read', 'predict:manage', 'quotas:write'],
  publishes: resourceEvents(quotaService),
  subscriptions: [...predictSubscriptions, ...predictMergeSubscriptions],
  jobs: predictJobs,
  routes: predictRoutes,
  cli: (program) => void registerPredictCommands(program),
});
