import type { TypedApp } from '../../platform/http/app.js';
import { errorResponses, idParams } from '../../platform/records/resource-routes.js';
import { decisionGraph, decisionGraphSchema } from './decision-graph.service.js';

/** An account's buying committee (decision graph), read from its contacts and done activities. */
export function decisionGraphRoutes(app: TypedApp): void {
  app.get(
    '/accounts/:id/decision-graph',
    {
      config: { permission: 'crm:read' },
      schema: {
        tags: ['Accounts'],
        summary:
          'Buying committee: roles, influence, stance, preferences, touchpoints; missing roles flagged',
        params: idParams,
        response: { 200: decisionGraphSchema, ...errorResponses },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => decisionGraph(tx, ctx, req.params.id)),
  );
}
