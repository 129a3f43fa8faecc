import { defineModule, resourceEvents } from '../../platform/modules/module-definition.js';
import { mappingsPersonalData } from './mappings.personal-data.js';
import { mappingsRoutes } from './mappings.routes.js';
import { definitionService } from './mappings.service.js';

/**
 * Low-code mapping and trigger builder: business users map a foreign payload onto a signal
 * or a CRM record with jsonata expressions and a JsonLogic trigger, versioned (one draft, at most one
 * active version), with preview, dry test runs and a run history. Inbound webhook sources whose
 * payload is not our signal shape run their source's active mapping (signals.routes.ts calls
 * `mapInboundWebhook`).
 */
export const mappingsModule = defineModule({
  name: 'mappings',
  summary:
    'Maps foreign payloads onto signals or CRM records (jsonata fields, JsonLogic trigger), versioned draft/active, with preview, dry test runs and a run history; used by inbound webhook sources.',
  personalData: mappingsPersonalData,
  permissions: ['mappings:manage'],
  publishes: [...resourceEvents(definitionService)],
  routes: mappingsRoutes,
});
