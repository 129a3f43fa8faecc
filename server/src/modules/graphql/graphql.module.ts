import { defineModule } from '../../platform/modules/module-definition.js';
import { graphqlRoutes } from './graphql.routes.js';

/**
 * GraphQL at /graphql: the CRM, signals, interventions and predictions with their relations,
 * through the same services and permissions as REST; a published cost model and depth limit.
 */
export const graphqlModule = defineModule({
  name: 'graphql',
  summary:
    'GraphQL at /graphql over the CRM, signals, interventions and predictions: the REST services, permissions and sharing, batched loading, a published cost model.',
  rootRoutes: graphqlRoutes,
});
