import { createRoute, z } from '@hono/zod-openapi';
import { scopeOf } from '../../../../core/access/scope.ts';
import { getIncident, suggestionFor } from '../../../../core/incidents/incidents.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { IncidentWithPhotosSchema, withPhotoCopies } from '../../schemas/incidents.ts';

const Response = IncidentWithPhotosSchema.extend({
  suggestion: z.object({ categoryId: z.number().int().nullable(), executorId: z.number().int().nullable() }).openapi({ description: 'what the keyword and routing rules suggest for accepting it' }),
}).openapi('IncidentCard');

export const route = createRoute({
  method: 'get',
  operationId: 'getIncident',
  path: '/incidents/{id}',
  tags: ['incidents'],
  summary: 'One open-source item with the routing suggestion',
  ...access('incidents.triage'),
  request: { params: IdParams },
  responses: { 200: jsonContent(Response, 'The item'), ...problems(400, 404) },
});

export function registerGetIncident(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const principal = c.get('principal');
    const incident = await getIncident(deps.db, scopeOf(principal), id);
    const suggestion = await suggestionFor(deps.db, incident, incident.municipalityId ?? principal.municipalityId);
    const [item] = await withPhotoCopies(deps.db, [incident]);
    return c.json({ ...item!, suggestion }, 200);
  });
}
